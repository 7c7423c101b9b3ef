package inbound

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/mail"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// PollerConfig configures an IMAP poller (--inbound-imap).
type PollerConfig struct {
	// URL of the mailbox: imaps://user@host:993/INBOX (TLS) or
	// imap://user@host:143/INBOX (STARTTLS, required). The path names
	// the mailbox; default INBOX.
	URL string
	// Password of the IMAP user (from --inbound-imap-password-file).
	Password string
	// Workspace is the key of the workspace the mailbox belongs to.
	Workspace string
	// Receiver stores and classifies each message, as for the listener.
	Receiver *Receiver
	// Interval between polls. Default 1 min.
	Interval time.Duration
	// MaxMessages bounds the messages fetched per poll. Default 100.
	MaxMessages int
	// MaxMessageBytes bounds one message, as the listener's. Default 10
	// MiB; a larger message is left unseen and logged at WARN.
	MaxMessageBytes int64
	// Timeout bounds one poll. Default 2 min.
	Timeout time.Duration
	// TLSConfig for the connection; nil: the system's roots.
	TLSConfig *tls.Config
	Logger    *slog.Logger
}

// Poller fetches unseen mail from an IMAP mailbox and hands it to the
// Receiver, for hosts whose MTA cannot route mail to the listener.
type Poller struct {
	cfg              PollerConfig
	addr, user, mbox string
	tlsOn            bool
	log              *slog.Logger
	stop             chan struct{}
	done             chan struct{}
	once             sync.Once
}

// NewPoller checks cfg and returns a Poller; Start runs it.
func NewPoller(cfg PollerConfig) (*Poller, error) {
	u, err := url.Parse(cfg.URL)
	if err != nil || (u.Scheme != "imap" && u.Scheme != "imaps") || u.Host == "" || u.User == nil || u.User.Username() == "" {
		return nil, fmt.Errorf("--inbound-imap %q: use imaps://user@host:993/INBOX or imap://user@host:143/INBOX", redactURL(cfg.URL))
	}
	if _, pw := u.User.Password(); pw {
		return nil, errors.New("--inbound-imap: put the password in --inbound-imap-password-file, not in the URL")
	}
	if cfg.Receiver == nil || cfg.Workspace == "" {
		return nil, errors.New("--inbound-imap needs --inbound-imap-workspace: the key of the workspace the mailbox belongs to")
	}
	p := &Poller{cfg: cfg, addr: u.Host, user: u.User.Username(), mbox: strings.TrimPrefix(u.Path, "/"),
		tlsOn: u.Scheme == "imaps", log: cfg.Logger, stop: make(chan struct{}), done: make(chan struct{})}
	if _, _, err := net.SplitHostPort(p.addr); err != nil {
		p.addr = net.JoinHostPort(p.addr, map[bool]string{true: "993", false: "143"}[p.tlsOn])
	}
	if p.mbox == "" {
		p.mbox = "INBOX"
	}
	if p.cfg.Interval <= 0 {
		p.cfg.Interval = time.Minute
	}
	if p.cfg.MaxMessages <= 0 {
		p.cfg.MaxMessages = 100
	}
	if p.cfg.MaxMessageBytes <= 0 {
		p.cfg.MaxMessageBytes = 10 << 20
	}
	if p.cfg.Timeout <= 0 {
		p.cfg.Timeout = 2 * time.Minute
	}
	if p.log == nil {
		p.log = slog.Default()
	}
	p.log = p.log.With("component", "inbound")
	return p, nil
}

// redactURL drops a password from u for messages.
func redactURL(s string) string {
	if u, err := url.Parse(s); err == nil {
		return u.Redacted()
	}
	return "(unparsable URL)"
}

// Start polls now and then every Interval until Stop.
func (p *Poller) Start() {
	go func() {
		defer close(p.done)
		t := time.NewTicker(p.cfg.Interval)
		defer t.Stop()
		for {
			if _, err := p.Poll(context.Background()); err != nil {
				p.log.Warn("IMAP poll failed; retrying at the next interval", "mailbox", p.mbox, "user", p.user,
					"server", p.addr, "err", err)
			}
			select {
			case <-p.stop:
				return
			case <-t.C:
			}
		}
	}()
}

// Stop ends the loop: a message being received is stored and marked
// \Seen first. It waits until ctx ends at most.
func (p *Poller) Stop(ctx context.Context) error {
	p.once.Do(func() { close(p.stop) })
	select {
	case <-p.done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("stop IMAP poller: %w", ctx.Err())
	}
}

// stopping reports whether Stop was called.
func (p *Poller) stopping() bool {
	select {
	case <-p.stop:
		return true
	default:
		return false
	}
}

// Poll fetches at most MaxMessages unseen messages, hands each to the
// Receiver and marks it \Seen only once it is stored: a crash before
// that leaves it unseen, and the next poll's copy is recognised as a
// duplicate. It returns how many messages were received.
func (p *Poller) Poll(ctx context.Context) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, p.cfg.Timeout)
	defer cancel()
	ws, err := p.cfg.Receiver.cfg.Store.WorkspaceGetByKey(ctx, p.cfg.Workspace)
	if err != nil {
		return 0, fmt.Errorf("workspace %q of --inbound-imap-workspace: %w", p.cfg.Workspace, err)
	}
	opts := &imapclient.Options{TLSConfig: p.cfg.TLSConfig, Dialer: &net.Dialer{Timeout: 30 * time.Second}}
	var c *imapclient.Client
	if p.tlsOn {
		c, err = imapclient.DialTLS(p.addr, opts)
	} else {
		c, err = imapclient.DialStartTLS(p.addr, opts)
	}
	if err != nil {
		return 0, fmt.Errorf("connect: %w", err)
	}
	defer c.Close()
	go func() { // a poll past its timeout is cut off
		select {
		case <-ctx.Done():
			c.Close()
		case <-c.Closed():
		}
	}()
	if err := c.Login(p.user, p.cfg.Password).Wait(); err != nil {
		return 0, fmt.Errorf("log in as %s: %w", p.user, err)
	}
	if _, err := c.Select(p.mbox, nil).Wait(); err != nil {
		return 0, fmt.Errorf("select %s: %w", p.mbox, err)
	}
	found, err := c.UIDSearch(&imap.SearchCriteria{NotFlag: []imap.Flag{imap.FlagSeen}}, nil).Wait()
	if err != nil {
		return 0, fmt.Errorf("search unseen: %w", err)
	}
	uids := found.AllUIDs()
	if len(uids) > p.cfg.MaxMessages {
		uids = uids[:p.cfg.MaxMessages]
	}
	if len(uids) == 0 {
		return 0, c.Logout().Wait()
	}
	sizes, err := c.Fetch(imap.UIDSetNum(uids...), &imap.FetchOptions{UID: true, RFC822Size: true}).Collect()
	if err != nil {
		return 0, fmt.Errorf("fetch sizes: %w", err)
	}
	n := 0
	section := &imap.FetchItemBodySection{Peek: true}
	for _, s := range sizes {
		if p.stopping() {
			break
		}
		if s.RFC822Size > p.cfg.MaxMessageBytes {
			p.log.Warn("IMAP message over --inbound-max-bytes left unseen", "mailbox", p.mbox, "uid", s.UID,
				"bytes", s.RFC822Size)
			continue
		}
		msgs, err := c.Fetch(imap.UIDSetNum(s.UID), &imap.FetchOptions{BodySection: []*imap.FetchItemBodySection{section}}).Collect()
		if err != nil || len(msgs) != 1 {
			return n, fmt.Errorf("fetch message %d: %w", s.UID, err)
		}
		raw := msgs[0].FindBodySection(section)
		if int64(len(raw)) > p.cfg.MaxMessageBytes {
			continue
		}
		// Not cancelled by Stop: the message in progress is stored.
		if _, err := p.cfg.Receiver.Receive(context.WithoutCancel(ctx), ws, Envelope{To: p.rcpt(ws.Key, raw)}, raw); err != nil {
			return n, fmt.Errorf("receive message %d: %w", s.UID, err)
		}
		seen := &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagSeen}}
		if err := c.Store(imap.UIDSetNum(s.UID), seen, nil).Close(); err != nil {
			return n, fmt.Errorf("mark message %d seen (stored; the next poll finds it a duplicate): %w", s.UID, err)
		}
		n++
	}
	return n, c.Logout().Wait()
}

// rcpt is the envelope recipient of a polled message: its Delivered-To
// or X-Original-To header (where the signed bounce address survives),
// else the workspace's address.
func (p *Poller) rcpt(key string, raw []byte) string {
	if m, err := mail.ReadMessage(bytes.NewReader(raw)); err == nil {
		for _, h := range []string{"Delivered-To", "X-Original-To"} {
			if a, err := mail.ParseAddress(m.Header.Get(h)); err == nil {
				return a.Address
			}
		}
	}
	return key + "@" + p.cfg.Receiver.cfg.Domain
}
