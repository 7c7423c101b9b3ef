package service

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store"
)

// Principal is an authenticated caller.
type Principal struct {
	Workspace *model.Workspace
	Key       *model.APIKey
}

// ErrUnauthenticated is returned for a missing, unknown or revoked key.
var ErrUnauthenticated = errors.New("missing, unknown or revoked API key")

var keyEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// keyPrefix starts every generated key, so that leaked keys are easy to
// recognise by secret scanners.
const keyPrefix = "hk_"

// minBootstrapKeyLen is the shortest key an operator may fix.
const minBootstrapKeyLen = 24

func hashKey(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

func randomString(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return strings.ToLower(keyEncoding.EncodeToString(b))
}

// Authenticate resolves a bearer key to its workspace. A key verified in the
// last keyCacheTTL is taken from memory; its workspace is always read.
func (s *Service) Authenticate(ctx context.Context, secret string) (*Principal, error) {
	if secret == "" {
		return nil, ErrUnauthenticated
	}
	hash := sha256.Sum256([]byte(secret))
	k, gen := s.keys.get(hash, s.clock.Now())
	if k == nil {
		var err error
		k, err = s.store.APIKeyGetByHash(ctx, hash[:])
		if errors.Is(err, store.ErrNotFound) {
			return nil, ErrUnauthenticated
		}
		if err != nil {
			return nil, fmt.Errorf("look up key: %w", err)
		}
		if k.RevokedAt != nil {
			return nil, ErrUnauthenticated
		}
		s.keys.put(hash, k, gen, s.clock.Now())
	}
	// Each request gets its own copy, so that no caller can change the
	// cached key; the workspace is read afresh (see keyCache).
	kc := *k
	kc.Scopes = slices.Clone(k.Scopes)
	k = &kc
	ws, err := s.store.WorkspaceGetByID(ctx, k.WorkspaceID)
	if err != nil {
		return nil, fmt.Errorf("load workspace of key: %w", err)
	}
	return &Principal{Workspace: ws, Key: k}, nil
}

// KeyCreateParams describe a new API key.
type KeyCreateParams struct {
	Name   string
	Scopes []model.Scope
	// Secret fixes the key (HEROLD_BOOTSTRAP_KEY); empty generates one.
	Secret string
}

// KeyCreate creates an API key and returns it with its secret, which is
// shown once and never stored.
func (s *Service) KeyCreate(ctx context.Context, q store.Queries, ws *model.Workspace, p KeyCreateParams) (*model.APIKey, string, error) {
	var c checker
	c.text("name", p.Name, 200)
	if len(p.Scopes) == 0 {
		c.add("scopes", CodeRequired, "name at least one scope: admin, ingest or operator")
	}
	for i, sc := range p.Scopes {
		if !sc.Valid() {
			c.add(fmt.Sprintf("scopes[%d]", i), CodeInvalid, "%q is not a scope; use admin, ingest or operator", sc)
		}
	}
	secret := p.Secret
	if secret == "" {
		secret = keyPrefix + randomString(20)
	} else if len(secret) < minBootstrapKeyLen || strings.ContainsAny(secret, " \t\r\n") {
		c.add("secret", CodeInvalid, "a fixed key needs at least %d characters and no spaces", minBootstrapKeyLen)
	}
	if err := c.err(); err != nil {
		return nil, "", err
	}
	name := p.Name
	if name == "" {
		name = "key"
	}
	k := &model.APIKey{
		ID: "key_" + randomString(8), WorkspaceID: ws.ID, Name: name,
		Prefix: secret[:min(len(secret), 8)], Scopes: p.Scopes, CreatedAt: s.clock.Now().UTC(),
	}
	if err := q.APIKeyInsert(ctx, &store.APIKeyInsertParams{Key: k, Hash: hashKey(secret)}); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return nil, "", &ConflictError{Detail: "this key is already in use"}
		}
		return nil, "", fmt.Errorf("store key: %w", err)
	}
	return k, secret, nil
}

// KeyList lists the workspace's keys (never their secrets).
func (s *Service) KeyList(ctx context.Context, ws *model.Workspace) ([]*model.APIKey, error) {
	keys, err := s.store.APIKeyList(ctx, ws.ID)
	if keys == nil {
		keys = []*model.APIKey{}
	}
	return keys, err
}

// KeyRevoke revokes a key at once.
func (s *Service) KeyRevoke(ctx context.Context, ws *model.Workspace, id string) error {
	err := s.store.APIKeyRevoke(ctx, &store.APIKeyRevokeParams{WorkspaceID: ws.ID, ID: id, At: s.clock.Now().UTC()})
	s.keys.purge() // after the write: a lookup racing it must not keep what it read
	return mapNotFound(err, "key %q", id)
}
