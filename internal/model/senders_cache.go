package model

import (
	"sync"
	"sync/atomic"
)

// maxSenderCache bounds senderCache: beyond this many distinct senders,
// addresses are parsed every time.
const maxSenderCache = 4096

// senderCache maps a sender field as written (e.g. "Agentur Nord
// <info@agentur-nord.de>") to its address, for the fields ParseAddress
// accepted. CheckSenders runs for every message, when it is planned and
// again before it is sent, and the messages of a mailing share their
// sender, so parsing it once saves net/mail's work per message.
var (
	senderCache     sync.Map // string → string
	senderCacheSize atomic.Int64
)

// senderAddress returns the address of a sender field, as
// ParseAddress(s).Address does, or ParseAddress's error.
func senderAddress(s string) (string, error) {
	if v, ok := senderCache.Load(s); ok {
		return v.(string), nil
	}
	a, err := ParseAddress(s)
	if err != nil {
		return "", err
	}
	if senderCacheSize.Load() < maxSenderCache {
		if _, loaded := senderCache.LoadOrStore(s, a.Address); !loaded {
			senderCacheSize.Add(1)
		}
	}
	return a.Address, nil
}
