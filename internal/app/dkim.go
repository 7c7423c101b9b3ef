package app

import (
	"fmt"

	"github.com/herold-dev/herold/internal/channel"
	"github.com/herold-dev/herold/internal/dkim"
)

// dkimSigner opens the DKIM key directory, or returns nil (unsigned mail)
// without one. A key that cannot be used stops the start: unsigned mail
// from a domain that publishes DKIM could fail DMARC.
func (a *App) dkimSigner() (channel.MessageSigner, error) {
	dir := a.opts.SMTP.DKIMKeys
	if dir == "" {
		return nil, nil
	}
	keys, err := dkim.Open(dkim.Config{Dir: dir, Clock: a.clock, Logger: a.logger.With("component", "dkim")})
	if err != nil {
		return nil, fmt.Errorf("--dkim-keys: %w", err)
	}
	return dkim.NewSigner(keys), nil
}
