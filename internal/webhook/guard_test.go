package webhook_test

import (
	"errors"
	"net/netip"
	"testing"

	"github.com/herold-dev/herold/internal/webhook"
)

func TestGuardCheckAddr(t *testing.T) {
	t.Parallel()
	refused := []string{
		"127.0.0.1", "127.255.255.254", "0.0.0.0", "10.0.0.1", "10.255.255.255", "172.16.0.1", "172.31.255.255",
		"192.168.1.1", "169.254.169.254", "100.64.0.1", "100.127.255.255", "224.0.0.1", "239.255.255.250",
		"255.255.255.255", "240.0.0.1", "192.0.2.1", "198.18.0.1",
		"::1", "::", "fe80::1", "fc00::1", "fd12:3456::1", "ff02::1", "fec0::1",
		"::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:169.254.169.254", "64:ff9b::7f00:1", "2002:7f00:1::1",
		"2001:db8::1", "fe80::1%eth0",
	}
	allowed := []string{"93.184.215.14", "1.1.1.1", "172.15.255.255", "172.32.0.0", "100.63.255.255", "100.128.0.0",
		"11.0.0.1", "2606:4700:4700::1111", "2a00:1450:4001::1", "::ffff:1.1.1.1"}
	for _, s := range refused {
		ip := netip.MustParseAddr(s)
		if err := (webhook.Guard{}).CheckAddr(ip); !errors.Is(err, webhook.ErrRefused) {
			t.Errorf("%s: %v, want refused", s, err)
		}
		if err := (webhook.Guard{AllowPrivate: true}).CheckAddr(ip); err != nil {
			t.Errorf("%s with AllowPrivate: %v", s, err)
		}
	}
	for _, s := range allowed {
		if err := (webhook.Guard{}).CheckAddr(netip.MustParseAddr(s)); err != nil {
			t.Errorf("%s: %v, want allowed", s, err)
		}
	}
}

func TestGuardCheckURL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		g    webhook.Guard
		url  string
		ok   bool
	}{
		{"https", webhook.Guard{}, "https://hooks.example.com/herold", true},
		{"http refused", webhook.Guard{}, "http://hooks.example.com/herold", false},
		{"http allowed", webhook.Guard{AllowHTTP: true}, "http://hooks.example.com/herold", true},
		{"other scheme", webhook.Guard{AllowHTTP: true}, "ftp://hooks.example.com/", false},
		{"relative", webhook.Guard{}, "/herold", false},
		{"no host", webhook.Guard{}, "https:///x", false},
		{"credentials", webhook.Guard{}, "https://u:p@hooks.example.com/", false},
		{"loopback literal", webhook.Guard{}, "https://127.0.0.1/", false},
		{"mapped literal", webhook.Guard{}, "https://[::ffff:127.0.0.1]/", false},
		{"loopback allowed", webhook.Guard{AllowPrivate: true}, "https://127.0.0.1:8443/", true},
		{"does not parse", webhook.Guard{}, "https://exa mple.com/%zz", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if err := tt.g.CheckURL(tt.url); (err == nil) != tt.ok {
				t.Fatalf("CheckURL(%q) = %v, want ok=%v", tt.url, err, tt.ok)
			}
		})
	}
}
