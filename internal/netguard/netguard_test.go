package netguard

import (
	"errors"
	"net/netip"
	"testing"
)

// registry is every entry of the IANA IPv4 and IPv6 special-purpose address
// registries (plus multicast, site-local and the space outside 2000::/3),
// written out from the registries rather than from specialBlocks, with
// addresses inside each block but outside any more specific entry, and
// whether newsmon treats the block as public.
var registry = []struct {
	name   string
	block  string
	addrs  []string
	public bool
}{
	// IPv4 special-purpose registry.
	{"this network", "0.0.0.0/8", []string{"0.0.0.0", "0.1.2.3", "0.255.255.255"}, false},
	{"private use", "10.0.0.0/8", []string{"10.0.0.0", "10.20.30.40", "10.255.255.255"}, false},
	{"shared address space", "100.64.0.0/10", []string{"100.64.0.0", "100.100.1.1", "100.127.255.255"}, false},
	{"loopback", "127.0.0.0/8", []string{"127.0.0.1", "127.1.2.3", "127.255.255.255"}, false},
	{"link local", "169.254.0.0/16", []string{"169.254.0.1", "169.254.255.255"}, false},
	{"private use", "172.16.0.0/12", []string{"172.16.0.0", "172.31.255.255"}, false},
	{"IETF protocol assignments", "192.0.0.0/24", []string{"192.0.0.11", "192.0.0.255"}, false},
	{"IPv4 service continuity prefix", "192.0.0.0/29", []string{"192.0.0.0", "192.0.0.7"}, false},
	{"IPv4 dummy address", "192.0.0.8/32", []string{"192.0.0.8"}, false},
	{"port control protocol anycast", "192.0.0.9/32", []string{"192.0.0.9"}, true},
	{"TURN anycast", "192.0.0.10/32", []string{"192.0.0.10"}, true},
	{"NAT64/DNS64 discovery", "192.0.0.170/31", []string{"192.0.0.170", "192.0.0.171"}, false},
	{"documentation (TEST-NET-1)", "192.0.2.0/24", []string{"192.0.2.0", "192.0.2.255"}, true},
	{"AS112-v4", "192.31.196.0/24", []string{"192.31.196.1"}, true},
	{"AMT", "192.52.193.0/24", []string{"192.52.193.1"}, true},
	{"deprecated 6to4 relay anycast", "192.88.99.0/24", []string{"192.88.99.1"}, false},
	{"private use", "192.168.0.0/16", []string{"192.168.0.0", "192.168.255.255"}, false},
	{"AS112 direct delegation", "192.175.48.0/24", []string{"192.175.48.1"}, true},
	{"benchmarking", "198.18.0.0/15", []string{"198.18.0.0", "198.19.255.255"}, false},
	{"documentation (TEST-NET-2)", "198.51.100.0/24", []string{"198.51.100.1"}, true},
	{"documentation (TEST-NET-3)", "203.0.113.0/24", []string{"203.0.113.7"}, true},
	{"multicast", "224.0.0.0/4", []string{"224.0.0.1", "239.255.255.255"}, false},
	{"reserved", "240.0.0.0/4", []string{"240.0.0.1", "255.255.255.254"}, false},
	{"limited broadcast", "255.255.255.255/32", []string{"255.255.255.255"}, false},
	{"ordinary unicast", "0.0.0.0/0", []string{"1.1.1.1", "8.8.8.8", "93.184.216.34", "100.128.0.1", "172.32.0.1", "223.255.255.255"}, true},

	// IPv6 special-purpose registry.
	{"loopback", "::1/128", []string{"::1"}, false},
	{"unspecified", "::/128", []string{"::"}, false},
	{"IPv4-mapped, of a private address", "::ffff:0:0/96", []string{"::ffff:127.0.0.1", "::ffff:10.0.0.1"}, false},
	{"IPv4-mapped, of a public address", "::ffff:0:0/96", []string{"::ffff:8.8.8.8"}, true},
	{"IPv4/IPv6 translation, of a public address", "64:ff9b::/96", []string{"64:ff9b::808:808"}, true},
	{"local-use IPv4/IPv6 translation", "64:ff9b:1::/48", []string{"64:ff9b:1::", "64:ff9b:1:ffff:ffff:ffff:ffff:ffff"}, false},
	{"discard only", "100::/64", []string{"100::", "100::ffff:ffff:ffff:ffff"}, false},
	{"dummy prefix", "100:0:0:1::/64", []string{"100:0:0:1::1"}, false},
	{"IETF protocol assignments", "2001::/23", []string{"2001:5::1", "2001:1ff:ffff:ffff:ffff:ffff:ffff:ffff"}, false},
	{"Teredo, of public addresses", "2001::/32", []string{"2001:0:4136:e378:8000:63bf:3fff:fdd2"}, true},
	{"port control protocol anycast", "2001:1::1/128", []string{"2001:1::1"}, true},
	{"TURN anycast", "2001:1::2/128", []string{"2001:1::2"}, true},
	{"DNS-SD service registration anycast", "2001:1::3/128", []string{"2001:1::3"}, true},
	{"benchmarking", "2001:2::/48", []string{"2001:2::1", "2001:2:0:ffff::1"}, false},
	{"AMT", "2001:3::/32", []string{"2001:3::1"}, true},
	{"AS112-v6", "2001:4:112::/48", []string{"2001:4:112::1"}, true},
	{"deprecated ORCHID", "2001:10::/28", []string{"2001:10::1", "2001:1f::1"}, false},
	{"ORCHIDv2", "2001:20::/28", []string{"2001:20::1"}, true},
	{"drone remote ID entity tags", "2001:30::/28", []string{"2001:30::1"}, true},
	{"documentation", "2001:db8::/32", []string{"2001:db8::1"}, true},
	{"6to4, of a public address", "2002::/16", []string{"2002:808:808::1"}, true},
	{"AS112 direct delegation", "2620:4f:8000::/48", []string{"2620:4f:8000::1"}, true},
	{"documentation", "3fff::/20", []string{"3fff::1"}, true},
	{"segment routing SIDs", "5f00::/16", []string{"5f00::1"}, false},
	{"unique local", "fc00::/7", []string{"fc00::1", "fd12:3456::1", "fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"}, false},
	{"link-local", "fe80::/10", []string{"fe80::1", "fe80::1%eth0", "febf::1"}, false},
	{"deprecated site-local", "fec0::/10", []string{"fec0::1"}, false},
	{"multicast", "ff00::/8", []string{"ff02::1", "ff0e::1"}, false},
	{"IPv4-compatible", "::/96", []string{"::8.8.8.8", "::127.0.0.1"}, false},
	{"IPv4-translated", "::ffff:0:0:0/96", []string{"::ffff:0:8.8.8.8"}, false},
	{"reserved by the IETF", "::/3", []string{"1::1", "1fff::1"}, false},
	{"reserved by the IETF", "4000::/2", []string{"4000::1", "7fff::1"}, false},
	{"reserved by the IETF", "8000::/1", []string{"8000::1", "c000::1", "fb00::1"}, false},
	{"ordinary global unicast", "2000::/3", []string{"2606:2800:220:1::1", "2a00:1450:4001::1", "3ffe::1"}, true},
}

func TestSpecialPurposeRegistries(t *testing.T) {
	for _, r := range registry {
		block := netip.MustParsePrefix(r.block)
		for _, s := range r.addrs {
			ip := netip.MustParseAddr(s)
			if !block.Contains(ip.WithZone("")) {
				t.Fatalf("%s: %s is not in %s", r.name, s, r.block)
			}
			if got := Public(ip); got != r.public {
				t.Errorf("%s (%s): Public(%s) = %v, want %v", r.name, r.block, s, got, r.public)
			}
			err := Check(ip, false)
			if r.public && err != nil || !r.public && !errors.Is(err, ErrForbiddenAddress) {
				t.Errorf("%s (%s): Check(%s) = %v, want refused: %v", r.name, r.block, s, err, !r.public)
			}
			if err := Check(ip, true); err != nil {
				t.Errorf("%s (%s): Check(%s) with private addresses allowed = %v", r.name, r.block, s, err)
			}
		}
	}
}

// embeddings are the IPv6 forms that carry an IPv4 address, each with
// whether the IPv6 address is itself public (so the IPv4 one decides).
var embeddings = []struct {
	name   string
	wrap   func(v4 [4]byte) netip.Addr
	public bool
}{
	{"NAT64 well-known prefix", func(a [4]byte) netip.Addr { return v6("64:ff9b::", 12, a) }, true},
	{"local-use NAT64 /48", func(a [4]byte) netip.Addr { return v6Split("64:ff9b:1::", []int{6, 7, 9, 10}, a) }, false},
	{"local-use NAT64 /56", func(a [4]byte) netip.Addr { return v6Split("64:ff9b:1::", []int{7, 9, 10, 11}, a) }, false},
	{"local-use NAT64 /64", func(a [4]byte) netip.Addr { return v6("64:ff9b:1::", 9, a) }, false},
	{"local-use NAT64 /96", func(a [4]byte) netip.Addr { return v6("64:ff9b:1::", 12, a) }, false},
	{"IPv4-compatible", func(a [4]byte) netip.Addr { return v6("::", 12, a) }, false},
	{"IPv4-translated", func(a [4]byte) netip.Addr { return v6("::ffff:0:0:0", 12, a) }, false},
	{"6to4", func(a [4]byte) netip.Addr { return v6("2002::1", 2, a) }, true},
	{"Teredo server", func(a [4]byte) netip.Addr { return v6("2001:0:0:0:8000:63bf:3fff:fdd2", 4, a) }, true},
	{"Teredo client", func(a [4]byte) netip.Addr {
		return v6("2001:0:4136:e378:8000:63bf::", 12, [4]byte{^a[0], ^a[1], ^a[2], ^a[3]})
	}, true},
	{"ISATAP", func(a [4]byte) netip.Addr { return v6("2001:db8:1:2:0:5efe::", 12, a) }, true},
	{"ISATAP, universal", func(a [4]byte) netip.Addr { return v6("2001:db8:1:2:200:5efe::", 12, a) }, true},
}

// v6 is prefix with v4 written at byte offset at.
func v6(prefix string, at int, v4 [4]byte) netip.Addr {
	return v6Split(prefix, []int{at, at + 1, at + 2, at + 3}, v4)
}

// v6Split is prefix with the bytes of v4 written at the given offsets.
func v6Split(prefix string, at []int, v4 [4]byte) netip.Addr {
	b := netip.MustParseAddr(prefix).As16()
	for i, o := range at {
		b[o] = v4[i]
	}
	return netip.AddrFrom16(b)
}

// Every IPv4 address of the registries, wrapped in every IPv6 form, is
// refused exactly when the IPv4 address itself or the IPv6 one would be.
func TestEmbeddedIPv4IsJudged(t *testing.T) {
	for _, r := range registry {
		for _, s := range r.addrs {
			ip := netip.MustParseAddr(s)
			if !ip.Is4() {
				continue
			}
			for _, e := range embeddings {
				w := e.wrap(ip.As4())
				err := Check(w, false)
				if want := r.public && e.public; want && err != nil || !want && !errors.Is(err, ErrForbiddenAddress) {
					t.Errorf("%s of %s (%s) = %s: Check = %v, want refused: %v", e.name, s, r.name, w, err, !want)
				}
			}
		}
	}
}

// The metadata service is refused however it is written, with private
// addresses allowed or not.
func TestMetadataRefusedInEveryForm(t *testing.T) {
	for _, s := range []string{"169.254.169.254", "169.254.170.2", "100.100.100.200"} {
		ip := netip.MustParseAddr(s)
		forms := []netip.Addr{ip, netip.AddrFrom16(ip.As16())}
		for _, e := range embeddings {
			forms = append(forms, e.wrap(ip.As4()))
		}
		for _, f := range forms {
			if err := Check(f, true); !errors.Is(err, ErrMetadataAddress) {
				t.Errorf("%s (%s) with private addresses allowed: Check = %v, want ErrMetadataAddress", f, s, err)
			}
			if err := Check(f, false); !errors.Is(err, ErrForbiddenAddress) {
				t.Errorf("%s (%s): Check = %v, want ErrForbiddenAddress", f, s, err)
			}
		}
	}
	if err := Check(netip.MustParseAddr("fd00:ec2::254"), true); !errors.Is(err, ErrMetadataAddress) {
		t.Errorf("fd00:ec2::254: %v", err)
	}
	// The refusal names what was dialled and what decided.
	err := Check(netip.MustParseAddr("64:ff9b::a9fe:a9fe"), true)
	if want := "refusing to connect to a cloud metadata address: 64:ff9b::a9fe:a9fe (which embeds 169.254.169.254)"; err == nil || err.Error() != want {
		t.Errorf("error %q, want %q", err, want)
	}
}

func TestControl(t *testing.T) {
	for _, tt := range []struct {
		address      string
		allowPrivate bool
		want         error
	}{
		{"93.184.216.34:80", false, nil},
		{"127.0.0.1:8080", false, ErrForbiddenAddress},
		{"127.0.0.1:8080", true, nil},
		{"[::1]:443", false, ErrForbiddenAddress},
		{"[fe80::1%eth0]:80", false, ErrForbiddenAddress},
		{"[64:ff9b::7f00:1]:80", false, ErrForbiddenAddress},
		{"[64:ff9b::a9fe:a9fe]:80", true, ErrMetadataAddress},
		{"[2606:2800:220:1::1]:443", false, nil},
		{"example.org:80", true, ErrForbiddenAddress}, // never a name: the dialler resolves first
		{"no port", false, nil},
	} {
		err := Control(tt.allowPrivate)("tcp", tt.address, nil)
		switch {
		case tt.address == "no port":
			if err == nil {
				t.Errorf("%q: no error", tt.address)
			}
		case tt.want == nil && err != nil, tt.want != nil && !errors.Is(err, tt.want):
			t.Errorf("Control(%v)(%q) = %v, want %v", tt.allowPrivate, tt.address, err, tt.want)
		}
	}
}
