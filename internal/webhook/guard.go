package webhook

import (
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"syscall"
)

// Guard decides which endpoints the server may call. Its zero value is
// the safe default: https only, public addresses only.
type Guard struct {
	// AllowPrivate lets endpoints resolve to loopback, private,
	// link-local and the other special ranges (an operator whose
	// receivers run inside their own network; the tests, on 127.0.0.1).
	// Default false.
	AllowPrivate bool
	// AllowHTTP accepts http:// endpoints besides https://. Default false.
	AllowHTTP bool
}

// ErrRefused marks an endpoint the guard does not let the server call.
var ErrRefused = errors.New("webhook endpoint refused")

// refusedPrefixes are the ranges no public receiver lives in: a URL that
// resolves to one of them reaches the server's own network (SSRF).
// IPv4-mapped IPv6 addresses are unmapped before the check; NAT64 and
// 6to4 forms, which embed an IPv4 address, are refused whole.
var refusedPrefixes = func() []netip.Prefix {
	var ps []netip.Prefix
	for _, s := range []string{
		"0.0.0.0/8",          // "this network", unspecified
		"10.0.0.0/8",         // private
		"100.64.0.0/10",      // carrier-grade NAT
		"127.0.0.0/8",        // loopback
		"169.254.0.0/16",     // link-local, cloud metadata
		"172.16.0.0/12",      // private
		"192.0.0.0/24",       // IETF protocol assignments
		"192.0.2.0/24",       // documentation
		"192.88.99.0/24",     // 6to4 relay anycast
		"192.168.0.0/16",     // private
		"198.18.0.0/15",      // benchmarking
		"198.51.100.0/24",    // documentation
		"203.0.113.0/24",     // documentation
		"224.0.0.0/4",        // multicast
		"240.0.0.0/4",        // reserved, broadcast
		"::/128",             // unspecified
		"::1/128",            // loopback
		"64:ff9b::/96",       // NAT64 (embeds IPv4)
		"64:ff9b:1::/48",     // local NAT64
		"100::/64",           // discard
		"2001::/23",          // IETF special purpose (Teredo, ORCHID, …)
		"2001:db8::/32",      // documentation
		"2002::/16",          // 6to4 (embeds IPv4)
		"fc00::/7",           // unique local
		"fe80::/10",          // link-local
		"fec0::/10",          // site-local (deprecated)
		"ff00::/8",           // multicast
		"::ffff:0:0:0/96",    // IPv4-translated
		"0000::/96",          // IPv4-compatible (deprecated)
		"3fff::/20",          // documentation (RFC 9637)
		"5f00::/16",          // segment routing SIDs
		"2620:4f:8000::/48",  // AS112 direct delegation
		"192.31.196.0/24",    // AS112
		"192.52.193.0/24",    // AMT
		"192.175.48.0/24",    // AS112 direct delegation
		"255.255.255.255/32", // limited broadcast
	} {
		ps = append(ps, netip.MustParsePrefix(s))
	}
	return ps
}()

// CheckAddr returns an error wrapping ErrRefused when ip lies in a range
// the guard refuses.
func (g Guard) CheckAddr(ip netip.Addr) error {
	if g.AllowPrivate {
		return nil
	}
	if !ip.IsValid() {
		return fmt.Errorf("%w: no address", ErrRefused)
	}
	ip = ip.Unmap().WithZone("")
	for _, p := range refusedPrefixes {
		if p.Contains(ip) {
			return fmt.Errorf("%w: %s is in the special range %s (allow with --webhook-allow-private)", ErrRefused, ip, p)
		}
	}
	return nil
}

// Control is a net.Dialer Control function: it runs after DNS resolution,
// for the very address about to be connected, so that neither a DNS
// answer that changes between check and use nor a name that resolves to
// several addresses can slip a refused one through.
func (g Guard) Control(_, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w: cannot read the address %q", ErrRefused, address)
	}
	return g.CheckAddr(ap.Addr())
}

// CheckURL validates an endpoint URL when it is saved: absolute, https
// (or http when allowed), a host, no user name or password (they would
// be sent to every redirect target and shown in every log). An address
// literal in a refused range is refused here already; names are checked
// at every dial.
func (g Guard) CheckURL(raw string) error {
	if len(raw) > 2048 {
		return errors.New("the URL is longer than 2048 characters")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return errors.New("the URL does not parse")
	}
	switch {
	case u.Scheme == "https":
	case u.Scheme == "http" && g.AllowHTTP:
	case u.Scheme == "http":
		return errors.New("the URL must use https (the operator may allow http with --webhook-allow-http)")
	default:
		return errors.New("the URL must start with https://")
	}
	if u.Host == "" || u.Hostname() == "" {
		return errors.New("the URL has no host")
	}
	if u.User != nil {
		return errors.New("the URL must not carry a user name or password")
	}
	if ip, err := netip.ParseAddr(u.Hostname()); err == nil {
		if err := g.CheckAddr(ip); err != nil {
			return err
		}
	}
	return nil
}
