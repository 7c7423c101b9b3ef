package web_test

import (
	"encoding/base64"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/argon2"

	"github.com/herold-dev/herold/internal/service"
)

func TestPasswordHashing(t *testing.T) {
	t.Parallel()
	h := service.HashPassword("correct horse battery staple")
	require.True(t, strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$"), h)
	require.NotEqual(t, h, service.HashPassword("correct horse battery staple"), "every hash has its own salt")

	ok, rehash, err := service.CheckPassword(h, "correct horse battery staple")
	require.NoError(t, err)
	require.True(t, ok)
	require.False(t, rehash)
	ok, _, err = service.CheckPassword(h, "correct horse battery stapler")
	require.NoError(t, err)
	require.False(t, ok)
	ok, _, err = service.CheckPassword(h, strings.Repeat("x", 5000))
	require.NoError(t, err)
	require.False(t, ok, "overlong passwords are refused without hashing them")

	// A hash made with other parameters still verifies and asks to be
	// replaced.
	salt := []byte("0123456789abcdef")
	key := argon2.IDKey([]byte("old password"), salt, 1, 8*1024, 2, 32)
	old := fmt.Sprintf("$argon2id$v=19$m=8192,t=1,p=2$%s$%s", base64.RawStdEncoding.EncodeToString(salt),
		base64.RawStdEncoding.EncodeToString(key))
	ok, rehash, err = service.CheckPassword(old, "old password")
	require.NoError(t, err)
	require.True(t, ok)
	require.True(t, rehash)

	for _, bad := range []string{"", "plain", "$argon2i$v=19$m=1,t=1,p=1$c2FsdA$aGFzaA", "$argon2id$v=19$m=x,t=1,p=1$c2FsdA$aGFzaA",
		"$argon2id$v=19$m=8,t=1,p=1$!!!$aGFzaA", "$argon2id$v=18$m=8,t=1,p=1$c2FsdA$aGFzaA"} {
		_, _, err := service.CheckPassword(bad, "x")
		require.Error(t, err, "%q", bad)
	}
	require.Len(t, service.GeneratePassword(), 24)
}
