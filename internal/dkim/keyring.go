package dkim

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/herold-dev/herold/internal/clock"
)

// fileExt ends every key file: <dir>/<domain>/<selector>.pem.
const fileExt = ".pem"

// DefaultRescan is how often a Keyring looks for new and removed key
// files.
const DefaultRescan = time.Minute

// maxKeyFileBytes bounds what is read of a key file (an RSA 4096 key in
// PEM is about 3.3 KB).
const maxKeyFileBytes = 64 << 10

// Config configures a Keyring.
type Config struct {
	// Dir holds the keys, one file per domain and selector:
	// <Dir>/<domain>/<selector>.pem, as `herold dkim keygen` writes them.
	// Required. Key files must not be readable by group or others (mode
	// 0600), like an SSH key.
	Dir string
	// Clock picks the active key; default the real clock.
	Clock clock.Clock
	// Logger receives WARN lines for key files that cannot be read on a
	// rescan (never key material). Default: discard.
	Logger *slog.Logger
	// Rescan is how often the directory is read again, so a key added for
	// a rotation is picked up without a restart. Default DefaultRescan.
	Rescan time.Duration
}

// Keyring holds the keys of a key directory and picks the one to sign
// with. It is safe for concurrent use.
type Keyring struct {
	cfg Config

	mu      sync.Mutex
	keys    map[string][]*Key // by domain, ActiveFrom ascending
	scanned time.Time
}

// Open reads cfg.Dir. Any key file that cannot be used is an error, so a
// mistake shows at startup rather than as unsigned mail.
func Open(cfg Config) (*Keyring, error) {
	if cfg.Dir == "" {
		return nil, errors.New("dkim: no key directory")
	}
	cfg.Clock = cmp.Or[clock.Clock](cfg.Clock, clock.Real{})
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	cfg.Rescan = cmp.Or(cfg.Rescan, DefaultRescan)
	keys, err := ReadDir(cfg.Dir)
	if err != nil {
		return nil, err
	}
	return &Keyring{cfg: cfg, keys: byDomain(keys), scanned: cfg.Clock.Now()}, nil
}

// Active returns the keys that sign mail from domain (in any case, an
// internationalised one in U- or A-labels) now: for each algorithm, of
// the domain's keys whose ActiveFrom has come, the one with the latest
// (RSA first); none when there is none. A domain with an RSA and an
// Ed25519 key gets both signatures (RFC 6376 section 4: a message may
// carry several), so a receiver that cannot check Ed25519 yet checks
// RSA. Every Rescan it reads the
// directory again; when that fails it logs at WARN and keeps the keys it
// has.
func (r *Keyring) Active(domain string) []*Key {
	now := r.cfg.Clock.Now()
	r.mu.Lock()
	defer r.mu.Unlock()
	if now.Sub(r.scanned) >= r.cfg.Rescan || now.Before(r.scanned) {
		r.scanned = now
		if keys, err := ReadDir(r.cfg.Dir); err != nil {
			r.cfg.Logger.Warn("dkim key directory not read again; signing with the keys read before", "dir", r.cfg.Dir, "err", err)
		} else {
			r.keys = byDomain(keys)
		}
	}
	return activeAt(r.keys[asciiDomain(domain)], now)
}

// activeAt is, for each algorithm (RSA first), the last key of keys
// (ActiveFrom ascending) active at now.
func activeAt(keys []*Key, now time.Time) []*Key {
	var active []*Key
	for _, alg := range []string{RSA, Ed25519} {
		for i := len(keys) - 1; i >= 0; i-- {
			if keys[i].Algorithm() == alg && !keys[i].ActiveFrom.After(now) {
				active = append(active, keys[i])
				break
			}
		}
	}
	return active
}

// byDomain groups keys by domain, each group by ActiveFrom (then
// selector, so equal times pick the same key every time).
func byDomain(keys []*Key) map[string][]*Key {
	m := make(map[string][]*Key)
	for _, k := range keys {
		m[k.Domain] = append(m[k.Domain], k)
	}
	for _, ks := range m {
		slices.SortFunc(ks, func(a, b *Key) int {
			return cmp.Or(a.ActiveFrom.Compare(b.ActiveFrom), strings.Compare(a.Selector, b.Selector))
		})
	}
	return m
}

// ReadDir reads every key file under dir: <dir>/<domain>/<selector>.pem.
// Other files are ignored; a key file that cannot be used, or that
// group or others may read, is an error naming the file.
func ReadDir(dir string) ([]*Key, error) {
	domains, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("dkim key directory %s does not exist: create a key with `herold dkim keygen DOMAIN --dkim-keys %s`", dir, dir)
	}
	if err != nil {
		return nil, fmt.Errorf("dkim key directory: %w", err)
	}
	var keys []*Key
	var errs []error
	for _, d := range domains {
		if !d.IsDir() {
			continue
		}
		files, err := os.ReadDir(filepath.Join(dir, d.Name()))
		if err != nil {
			errs = append(errs, fmt.Errorf("dkim key directory: %w", err))
			continue
		}
		for _, f := range files {
			if f.IsDir() || !strings.HasSuffix(f.Name(), fileExt) {
				continue
			}
			path := filepath.Join(dir, d.Name(), f.Name())
			k, err := readKeyFile(path, strings.ToLower(d.Name()), strings.ToLower(strings.TrimSuffix(f.Name(), fileExt)))
			if err != nil {
				errs = append(errs, fmt.Errorf("dkim key %s: %w", path, err))
				continue
			}
			keys = append(keys, k)
		}
	}
	return keys, errors.Join(errs...)
}

// readKeyFile reads one key file, refusing one that others may read.
func readKeyFile(path, domain, selector string) (*Key, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if st.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("mode %#o lets group or others read the private key; run chmod 600 %s", st.Mode().Perm(), path)
	}
	b, err := io.ReadAll(io.LimitReader(f, maxKeyFileBytes+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxKeyFileBytes {
		return nil, fmt.Errorf("larger than %d bytes: not a key file", maxKeyFileBytes)
	}
	return parsePEM(b, domain, selector)
}

// WriteKey stores k in dir as <dir>/<domain>/<selector>.pem with mode 0600
// (the domain's directory 0700). It never overwrites: a selector already
// used is an error, since its public key may be published.
func WriteKey(dir string, k *Key) (string, error) {
	if err := k.checkNames(); err != nil {
		return "", err
	}
	b, err := k.MarshalPEM()
	if err != nil {
		return "", err
	}
	domainDir := filepath.Join(dir, k.Domain)
	if err := os.MkdirAll(domainDir, 0o700); err != nil {
		return "", fmt.Errorf("create key directory: %w", err)
	}
	path := filepath.Join(domainDir, k.Selector+fileExt)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		if errors.Is(err, fs.ErrExist) {
			return "", fmt.Errorf("%s exists: choose another --selector (a selector's public key may already be published)", path)
		}
		return "", fmt.Errorf("write key: %w", err)
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		os.Remove(path)
		return "", fmt.Errorf("write key: %w", err)
	}
	if err := f.Close(); err != nil {
		os.Remove(path)
		return "", fmt.Errorf("write key: %w", err)
	}
	return path, nil
}

// Key states, as State names them.
const (
	// StatePending: ActiveFrom has not come; publish the record now.
	StatePending = "pending"
	// StateActive: the key signs its domain's mail.
	StateActive = "active"
	// StateSuperseded: a newer key of the same algorithm signs; keep the
	// record published until mail signed with this key has been read (a
	// week), then retire it.
	StateSuperseded = "superseded"
)

// State says what k, one of keys, does at now: StatePending, StateActive
// or StateSuperseded.
func State(keys []*Key, k *Key, now time.Time) string {
	switch {
	case k.ActiveFrom.After(now):
		return StatePending
	case slices.Contains(activeAt(byDomain(keys)[k.Domain], now), k):
		return StateActive
	default:
		return StateSuperseded
	}
}

// Sorted returns keys by domain, then in the order they become active.
func Sorted(keys []*Key) []*Key {
	m := byDomain(keys)
	domains := make([]string, 0, len(m))
	for d := range m {
		domains = append(domains, d)
	}
	slices.Sort(domains)
	out := make([]*Key, 0, len(keys))
	for _, d := range domains {
		out = append(out, m[d]...)
	}
	return out
}
