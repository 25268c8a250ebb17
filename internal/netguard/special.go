package netguard

import "net/netip"

// A block is an address range that is not ordinary unicast, and whether
// newsmon treats it as public.
type block struct {
	prefix netip.Prefix
	public bool
}

// specialBlocks are the IANA IPv4 and IPv6 special-purpose address
// registries, plus multicast. A block the registry marks "globally
// reachable: false" is not public; the more specific entry wins, so the
// anycast services inside 192.0.0.0/24 and 2001::/23 stay reachable.
//
// Three kinds of block are public on purpose:
//   - the documentation ranges: they route nowhere, so there is nothing
//     behind them to protect, and the end-to-end tests put one (TEST-NET-3)
//     on the loopback interface to stand for a public server;
//   - NAT64 (64:ff9b::/96), 6to4 and Teredo, whose reach is that of the
//     IPv4 addresses inside them, which Check judges on their own;
//   - the globally reachable services (AS112, AMT, PCP and TURN anycast).
var specialBlocks = func() []block {
	var out []block
	add := func(public bool, prefixes ...string) {
		for _, p := range prefixes {
			out = append(out, block{netip.MustParsePrefix(p), public})
		}
	}
	// IPv4.
	add(false,
		"0.0.0.0/8",          // "this network"
		"10.0.0.0/8",         // private use
		"100.64.0.0/10",      // shared address space (carrier-grade NAT)
		"127.0.0.0/8",        // loopback
		"169.254.0.0/16",     // link local
		"172.16.0.0/12",      // private use
		"192.0.0.0/24",       // IETF protocol assignments: DS-Lite, NAT64 discovery, dummy
		"192.88.99.0/24",     // deprecated 6to4 relay anycast
		"192.168.0.0/16",     // private use
		"198.18.0.0/15",      // benchmarking
		"224.0.0.0/4",        // multicast
		"240.0.0.0/4",        // reserved
		"255.255.255.255/32", // limited broadcast
	)
	add(true,
		"192.0.0.9/32",    // PCP anycast
		"192.0.0.10/32",   // TURN anycast
		"192.0.2.0/24",    // documentation (TEST-NET-1)
		"192.31.196.0/24", // AS112
		"192.52.193.0/24", // AMT
		"192.175.48.0/24", // AS112 direct delegation
		"198.51.100.0/24", // documentation (TEST-NET-2)
		"203.0.113.0/24",  // documentation (TEST-NET-3)
	)
	// IPv6. Outside 2000::/3 nothing is public unless listed here.
	add(false,
		"::/128",         // unspecified
		"::1/128",        // loopback
		"64:ff9b:1::/48", // local-use IPv4/IPv6 translation
		"100::/64",       // discard only
		"100:0:0:1::/64", // dummy prefix
		"2001::/23",      // IETF protocol assignments
		"2001:2::/48",    // benchmarking
		"2001:10::/28",   // deprecated ORCHID
		"5f00::/16",      // segment routing SIDs
		"fc00::/7",       // unique local
		"fe80::/10",      // link-local
		"fec0::/10",      // deprecated site-local
		"ff00::/8",       // multicast
	)
	add(true,
		"64:ff9b::/96",      // IPv4/IPv6 translation (NAT64)
		"2001::/32",         // Teredo
		"2001:1::1/128",     // PCP anycast
		"2001:1::2/128",     // TURN anycast
		"2001:1::3/128",     // DNS-SD service registration anycast
		"2001:3::/32",       // AMT
		"2001:4:112::/48",   // AS112
		"2001:20::/28",      // ORCHIDv2
		"2001:30::/28",      // drone remote ID entity tags
		"2001:db8::/32",     // documentation
		"2002::/16",         // 6to4
		"2620:4f:8000::/48", // AS112 direct delegation
		"3fff::/20",         // documentation
	)
	return out
}()

// globalUnicast is the IPv6 space IANA allocates for global unicast.
var globalUnicast = netip.MustParsePrefix("2000::/3")

// Public reports whether ip is an address newsmon may connect to when
// private addresses are not allowed. It judges ip alone: Check also judges
// the IPv4 addresses embedded in an IPv6 one.
func Public(ip netip.Addr) bool {
	ip = ip.WithZone("").Unmap()
	if !ip.IsValid() {
		return false
	}
	best := -1
	public := ip.Is4() || globalUnicast.Contains(ip)
	for _, b := range specialBlocks {
		if b.prefix.Bits() > best && b.prefix.Contains(ip) {
			best, public = b.prefix.Bits(), b.public
		}
	}
	return public
}
