package service

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store"
)

// Password rules.
const (
	// MinPasswordLength is the fewest characters a chosen password needs.
	MinPasswordLength = 12
	// maxPasswordBytes bounds the work one sign-in attempt can cause.
	maxPasswordBytes = 1024
)

// DefaultAdminEmail is the first cockpit user's address unless the
// operator names another.
const DefaultAdminEmail = "admin@localhost"

// argonParams are argon2id parameters. They are stored with every hash,
// so that they can be raised later: hashes with older parameters still
// verify and are replaced at the next sign-in.
type argonParams struct {
	memory  uint32 // KiB
	time    uint32
	threads uint8
	keyLen  uint32
	saltLen int
}

// passwordParams are those of new hashes: OWASP's recommendation for
// argon2id (19 MiB, two passes, one lane).
var passwordParams = argonParams{memory: 19 * 1024, time: 2, threads: 1, keyLen: 32, saltLen: 16}

var b64 = base64.RawStdEncoding

// HashPassword hashes a password with argon2id and a random salt, encoded
// as $argon2id$v=19$m=…,t=…,p=…$salt$hash.
func HashPassword(password string) string {
	p := passwordParams
	salt := make([]byte, p.saltLen)
	if _, err := rand.Read(salt); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	key := argon2.IDKey([]byte(password), salt, p.time, p.memory, p.threads, p.keyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.memory, p.time, p.threads,
		b64.EncodeToString(salt), b64.EncodeToString(key))
}

// errMalformedHash is returned for a stored hash this version cannot read.
var errMalformedHash = errors.New("malformed password hash")

// CheckPassword reports whether password matches an encoded hash, and
// whether the hash should be replaced because its parameters are not the
// current ones.
func CheckPassword(encoded, password string) (ok, rehash bool, err error) {
	p, salt, key, err := decodeHash(encoded)
	if err != nil {
		return false, false, err
	}
	if len(password) > maxPasswordBytes {
		return false, false, nil
	}
	got := argon2.IDKey([]byte(password), salt, p.time, p.memory, p.threads, uint32(len(key)))
	if subtle.ConstantTimeCompare(got, key) != 1 {
		return false, false, nil
	}
	cur := passwordParams
	rehash = p.memory != cur.memory || p.time != cur.time || p.threads != cur.threads ||
		uint32(len(key)) != cur.keyLen || len(salt) != cur.saltLen
	return true, rehash, nil
}

func decodeHash(encoded string) (argonParams, []byte, []byte, error) {
	var p argonParams
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" || parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return p, nil, nil, errMalformedHash
	}
	for _, kv := range strings.Split(parts[3], ",") {
		k, v, _ := strings.Cut(kv, "=")
		n, err := strconv.ParseUint(v, 10, 32)
		if err != nil {
			return p, nil, nil, errMalformedHash
		}
		switch k {
		case "m":
			p.memory = uint32(n)
		case "t":
			p.time = uint32(n)
		case "p":
			if n > 255 {
				return p, nil, nil, errMalformedHash
			}
			p.threads = uint8(n)
		default:
			return p, nil, nil, errMalformedHash
		}
	}
	salt, err1 := b64.DecodeString(parts[4])
	key, err2 := b64.DecodeString(parts[5])
	if err1 != nil || err2 != nil || p.memory == 0 || p.time == 0 || p.threads == 0 || len(key) == 0 {
		return p, nil, nil, errMalformedHash
	}
	p.saltLen = len(salt)
	return p, salt, key, nil
}

// GeneratePassword returns a random password of 24 characters (120 bits).
func GeneratePassword() string { return randomString(15) }

// checkPassword validates a chosen password.
func checkPassword(c *checker, field, pw string) {
	switch {
	case pw == "":
		c.add(field, CodeRequired, "is required")
	case utf8.RuneCountInString(pw) < MinPasswordLength:
		c.add(field, CodeInvalid, "use at least %d characters", MinPasswordLength)
	case len(pw) > maxPasswordBytes:
		c.add(field, CodeTooLong, "is longer than %d bytes", maxPasswordBytes)
	}
}

// normalizeEmail trims and lower-cases an address for storage and lookup.
func normalizeEmail(e string) string { return strings.ToLower(strings.TrimSpace(e)) }

// checkUserEmail accepts bare addresses, including the local ones
// (admin@localhost) an installation starts with.
func checkUserEmail(c *checker, field, email string) {
	local, domain, ok := strings.Cut(email, "@")
	switch {
	case email == "":
		c.add(field, CodeRequired, "is required")
	case model.HasCRLF(email) || strings.ContainsAny(email, " \t<>,;\"") || !ok || local == "" || domain == "" ||
		strings.Contains(domain, "@"):
		c.add(field, CodeInvalidEmail, "%q is not a valid e-mail address", email)
	default:
		if err := model.CheckAddressLength(email); err != nil {
			c.add(field, CodeInvalidEmail, "%v", err)
		}
	}
}

// UserCreateParams describe a new cockpit user.
type UserCreateParams struct {
	Email string
	Name  string
	// Password is the chosen password; empty generates one.
	Password string
}

// UserCreated is a new user with the generated password, which is shown
// once and never stored.
type UserCreated struct {
	User *model.User
	// Password is set only when it was generated.
	Password string
}

// UserCreate creates a cockpit user in ws.
func (s *Service) UserCreate(ctx context.Context, ws *model.Workspace, p UserCreateParams) (*UserCreated, error) {
	return s.userCreate(ctx, s.store, ws, p)
}

func (s *Service) userCreate(ctx context.Context, q store.Queries, ws *model.Workspace, p UserCreateParams) (*UserCreated, error) {
	var c checker
	p.Email = normalizeEmail(p.Email)
	checkUserEmail(&c, "email", p.Email)
	c.text("name", p.Name, 200)
	out := &UserCreated{}
	if p.Password == "" {
		p.Password = GeneratePassword()
		out.Password = p.Password
	} else {
		checkPassword(&c, "password", p.Password)
	}
	if err := c.err(); err != nil {
		return nil, err
	}
	hash, err := s.hashPassword(ctx, p.Password)
	if err != nil {
		return nil, err
	}
	now := s.now()
	u := &model.User{ID: "usr_" + randomString(10), WorkspaceID: ws.ID, Email: p.Email, Name: strings.TrimSpace(p.Name),
		PasswordHash: hash, CreatedAt: now, UpdatedAt: now}
	// Only this workspace's users can conflict: the answer tells nothing
	// about other workspaces.
	if err := q.UserInsert(ctx, u); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return nil, &ValidationError{Fields: []FieldError{{Field: "email", Code: CodeDuplicate,
				Detail: fmt.Sprintf("a user with the address %s already exists in this workspace", p.Email)}}}
		}
		return nil, fmt.Errorf("store user: %w", err)
	}
	out.User = u
	return out, nil
}

// UserBootstrap creates the first cockpit user of the installation in ws
// (generated password unless p has one) when no workspace has a user yet.
// Once any user exists it does nothing, so that a deleted bootstrap admin
// does not come back with the bootstrap password at the next start. It
// returns nil when nothing was created.
func (s *Service) UserBootstrap(ctx context.Context, ws *model.Workspace, p UserCreateParams) (*UserCreated, error) {
	return s.userBootstrap(ctx, ws, p, func(tx store.Tx) (int, error) { return tx.UserCount(ctx) })
}

// UserBootstrapWorkspace creates the first cockpit user of ws when ws has
// none (the demo workspace's user, loaded into an installation that has
// users). It returns nil when nothing was created.
func (s *Service) UserBootstrapWorkspace(ctx context.Context, ws *model.Workspace, p UserCreateParams) (*UserCreated, error) {
	return s.userBootstrap(ctx, ws, p, func(tx store.Tx) (int, error) {
		users, err := tx.UserList(ctx, ws.ID)
		return len(users), err
	})
}

func (s *Service) userBootstrap(ctx context.Context, ws *model.Workspace, p UserCreateParams,
	count func(store.Tx) (int, error),
) (*UserCreated, error) {
	if p.Email == "" {
		p.Email = DefaultAdminEmail
	}
	if p.Name == "" {
		p.Name = "Admin"
	}
	var out *UserCreated
	err := s.store.WithTx(ctx, func(tx store.Tx) error {
		n, err := count(tx)
		if err != nil || n > 0 {
			return err
		}
		out, err = s.userCreate(ctx, tx, ws, p)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("create first cockpit user: %w", err)
	}
	return out, nil
}

// UserList lists the workspace's cockpit users.
func (s *Service) UserList(ctx context.Context, ws *model.Workspace) ([]*model.User, error) {
	list, err := s.store.UserList(ctx, ws.ID)
	if list == nil {
		list = []*model.User{}
	}
	return list, err
}

// UserGet returns a cockpit user of ws.
func (s *Service) UserGet(ctx context.Context, ws *model.Workspace, id string) (*model.User, error) {
	u, err := s.store.UserGetByID(ctx, ws.ID, id)
	return u, mapNotFound(err, "user %q", id)
}

// UserFind returns the user of ws with an e-mail address.
func (s *Service) UserFind(ctx context.Context, ws *model.Workspace, email string) (*model.User, error) {
	u, err := s.store.UserGetByEmail(ctx, ws.ID, normalizeEmail(email))
	return u, mapNotFound(err, "user %q in workspace %q", email, ws.Key)
}

// UserSetPassword replaces a user's password (empty generates one, which
// is returned) and ends all the user's sessions.
func (s *Service) UserSetPassword(ctx context.Context, ws *model.Workspace, id, password string) (string, error) {
	generated := ""
	if password == "" {
		password = GeneratePassword()
		generated = password
	} else {
		var c checker
		checkPassword(&c, "password", password)
		if err := c.err(); err != nil {
			return "", err
		}
	}
	hash, err := s.hashPassword(ctx, password)
	if err != nil {
		return "", err
	}
	err = s.store.WithTx(ctx, func(tx store.Tx) error {
		err := tx.UserUpdatePassword(ctx, &store.UserPasswordParams{WorkspaceID: ws.ID, ID: id, PasswordHash: hash, At: s.now()})
		if err != nil {
			return mapNotFound(err, "user %q", id)
		}
		return tx.SessionDeleteByUser(ctx, ws.ID, id)
	})
	return generated, err
}

// UserChangePassword changes the signed-in user's own password after
// checking the current one; all the user's sessions end.
func (s *Service) UserChangePassword(ctx context.Context, ws *model.Workspace, id, current, next string) error {
	u, err := s.UserGet(ctx, ws, id)
	if err != nil {
		return err
	}
	var c checker
	ok, _, err := s.verifyPassword(ctx, u, current)
	if err != nil {
		return err
	}
	if !ok {
		c.add("current", CodeMismatch, "is not your current password")
	}
	checkPassword(&c, "password", next)
	if err := c.err(); err != nil {
		return err
	}
	_, err = s.UserSetPassword(ctx, ws, id, next)
	return err
}

// UserDelete deletes a cockpit user and ends their sessions. The last user
// of a workspace cannot be deleted.
func (s *Service) UserDelete(ctx context.Context, ws *model.Workspace, id string) error {
	return s.store.WithTx(ctx, func(tx store.Tx) error {
		users, err := tx.UserList(ctx, ws.ID)
		if err != nil {
			return err
		}
		if len(users) == 1 && users[0].ID == id {
			return &ConflictError{Detail: "this is the workspace's last user; create another one first"}
		}
		return mapNotFound(tx.UserDelete(ctx, ws.ID, id), "user %q", id)
	})
}
