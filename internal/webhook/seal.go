package webhook

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// SealKeyName names the server secret that seals endpoint secrets.
const SealKeyName = "webhook_seal_key"

// SecretStore keeps server secrets by name (the store's queries do).
type SecretStore interface {
	SecretGetOrCreate(ctx context.Context, name string, candidate []byte, at time.Time) ([]byte, error)
}

// Sealer encrypts endpoint secrets at rest with AES-256-GCM under a
// server key kept in the database's secrets table. Signing needs the
// secret itself (HMAC), so it cannot be stored as a hash; sealing keeps
// it out of a dump of the endpoint rows, of logs and of every API answer
// after the one that created it. The sealed value is bound to its
// workspace and endpoint: copied to another row it does not open.
type Sealer struct{ aead cipher.AEAD }

// LoadSealer returns the Sealer of the installation, generating its key
// the first time (every replica gets the same).
func LoadSealer(ctx context.Context, st SecretStore, now time.Time) (*Sealer, error) {
	candidate := make([]byte, 32)
	_, _ = rand.Read(candidate)
	key, err := st.SecretGetOrCreate(ctx, SealKeyName, candidate, now)
	if err != nil {
		return nil, fmt.Errorf("load webhook seal key: %w", err)
	}
	return NewSealer(key)
}

// NewSealer returns a Sealer under a 32-byte key.
func NewSealer(key []byte) (*Sealer, error) {
	if len(key) != 32 {
		return nil, fmt.Errorf("webhook seal key has %d bytes, want 32", len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Sealer{aead: aead}, nil
}

func sealScope(workspaceID int64, endpointID string) []byte {
	return []byte("herold webhook secret\x00" + strconv.FormatInt(workspaceID, 10) + "\x00" + endpointID)
}

// Seal encrypts an endpoint's secret.
func (s *Sealer) Seal(workspaceID int64, endpointID, secret string) []byte {
	nonce := make([]byte, s.aead.NonceSize())
	_, _ = rand.Read(nonce)
	return s.aead.Seal(nonce, nonce, []byte(secret), sealScope(workspaceID, endpointID))
}

// Open decrypts what Seal made for the same workspace and endpoint.
func (s *Sealer) Open(workspaceID int64, endpointID string, sealed []byte) (string, error) {
	n := s.aead.NonceSize()
	if len(sealed) < n {
		return "", errors.New("sealed webhook secret too short")
	}
	plain, err := s.aead.Open(nil, sealed[:n], sealed[n:], sealScope(workspaceID, endpointID))
	if err != nil {
		return "", errors.New("sealed webhook secret does not open (another endpoint's, or another seal key)")
	}
	return string(plain), nil
}
