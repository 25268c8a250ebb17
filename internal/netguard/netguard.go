// Package netguard decides which addresses newsmon may open a connection
// to. fetch (feeds, pages, crawls) and notify (webhooks) both dial through
// Control, so a hostile link, redirect, DNS answer or webhook URL cannot
// reach the host itself, its intranet or its cloud's metadata service.
//
// The decision is made on the address being dialled, after DNS. An IPv6
// address that carries an IPv4 address (IPv4-mapped and -compatible, NAT64,
// 6to4, Teredo, ISATAP, SIIT) is judged by every address it may lead to:
// the IPv6 address and each embedded IPv4 one must all be public.
// "Public" follows the IANA special-purpose registries (see special.go).
//
// The package knows nothing of HTTP, feeds or configuration.
package netguard

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"syscall"
)

// ErrForbiddenAddress means a connection would have reached an address
// that is not public: loopback, private, link-local, shared (carrier-grade
// NAT), reserved and the like, directly or embedded in an IPv6 address.
var ErrForbiddenAddress = errors.New("refusing to connect to a private, loopback or link-local address")

// ErrMetadataAddress means a connection would have reached a cloud metadata
// service. It is refused even when private addresses are allowed: an
// intranet feed may link anywhere inside the network, but a link to the
// metadata service would hand a page's author the host's cloud
// credentials, and no intranet setup means that.
var ErrMetadataAddress = errors.New("refusing to connect to a cloud metadata address")

// Control returns a net.Dialer Control function that refuses, with Check,
// every address that is not public unless allowPrivate, and cloud metadata
// addresses always. It runs on the address actually dialled, after DNS and
// on every redirect's connection.
func Control(allowPrivate bool) func(network, address string, c syscall.RawConn) error {
	return func(network, address string, _ syscall.RawConn) error {
		host, _, err := net.SplitHostPort(address)
		if err != nil {
			return err
		}
		ip, err := netip.ParseAddr(host)
		if err != nil {
			return fmt.Errorf("%w: %s is not an IP address", ErrForbiddenAddress, host)
		}
		return Check(ip, allowPrivate)
	}
}

// Check returns nil if newsmon may connect to ip, and otherwise an error
// wrapping ErrForbiddenAddress or ErrMetadataAddress that names the
// address (and the embedded IPv4 address that decided, if any).
func Check(ip netip.Addr, allowPrivate bool) error {
	ip = ip.WithZone("").Unmap()
	var buf [5]netip.Addr
	reach := append(buf[:0], ip)
	reach = appendEmbedded(reach, ip)
	for _, a := range reach {
		switch {
		case !allowPrivate && !Public(a):
			return refusal(ErrForbiddenAddress, ip, a)
		case IsMetadata(a):
			return refusal(ErrMetadataAddress, ip, a)
		}
	}
	return nil
}

func refusal(err error, ip, decided netip.Addr) error {
	if decided == ip {
		return fmt.Errorf("%w: %s", err, ip)
	}
	return fmt.Errorf("%w: %s (which embeds %s)", err, ip, decided)
}

// metadataAddrs are the cloud metadata services newsmon never connects to:
// AWS, GCP, Azure, OpenStack and DigitalOcean (169.254.169.254), AWS ECS
// task metadata (169.254.170.2), AWS over IPv6 (fd00:ec2::254) and Alibaba
// Cloud (100.100.100.200).
var metadataAddrs = []netip.Addr{
	netip.MustParseAddr("169.254.169.254"), netip.MustParseAddr("169.254.170.2"),
	netip.MustParseAddr("fd00:ec2::254"), netip.MustParseAddr("100.100.100.200"),
}

// IsMetadata reports whether ip is a cloud metadata service's address
// (not looking inside IPv6 embeddings; Check does).
func IsMetadata(ip netip.Addr) bool {
	ip = ip.WithZone("").Unmap()
	for _, m := range metadataAddrs {
		if ip == m {
			return true
		}
	}
	return false
}

// appendEmbedded appends the IPv4 addresses a connection to the IPv6
// address ip may reach: where a translator, tunnel or the host's own stack
// would take the packet. A local-use NAT64 address is read at each place
// RFC 6052 allows, since which one its operator uses is not known here.
func appendEmbedded(dst []netip.Addr, ip netip.Addr) []netip.Addr {
	if !ip.Is6() {
		return dst
	}
	b := ip.As16()
	v4 := func(i, j, k, l int) netip.Addr { return netip.AddrFrom4([4]byte{b[i], b[j], b[k], b[l]}) }
	switch {
	case nat64WellKnown.Contains(ip):
		return append(dst, v4(12, 13, 14, 15))
	case nat64Local.Contains(ip):
		// Prefix lengths /48, /56, /64 and /96; bits 64–71 are never used.
		return append(dst, v4(6, 7, 9, 10), v4(7, 9, 10, 11), v4(9, 10, 11, 12), v4(12, 13, 14, 15))
	case ipv4Compatible.Contains(ip), ipv4Translated.Contains(ip):
		return append(dst, v4(12, 13, 14, 15))
	case sixToFour.Contains(ip):
		return append(dst, v4(2, 3, 4, 5))
	case teredo.Contains(ip):
		// The server, and the client's public address, stored inverted.
		client := netip.AddrFrom4([4]byte{^b[12], ^b[13], ^b[14], ^b[15]})
		return append(dst, v4(4, 5, 6, 7), client)
	case b[8]&^0x03 == 0 && b[9] == 0 && b[10] == 0x5e && b[11] == 0xfe:
		// An ISATAP interface identifier, under any prefix.
		return append(dst, v4(12, 13, 14, 15))
	}
	return dst
}

var (
	nat64WellKnown = netip.MustParsePrefix("64:ff9b::/96")
	nat64Local     = netip.MustParsePrefix("64:ff9b:1::/48")
	ipv4Compatible = netip.MustParsePrefix("::/96")
	ipv4Translated = netip.MustParsePrefix("::ffff:0:0:0/96")
	sixToFour      = netip.MustParsePrefix("2002::/16")
	teredo         = netip.MustParsePrefix("2001::/32")
)
