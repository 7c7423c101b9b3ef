package webhook_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/herold-dev/herold/internal/webhook"
	"github.com/herold-dev/herold/internal/webhook/webhooktest"
)

// The specification's own example: this secret, id, timestamp and
// payload sign to this value.
func TestSignSpecificationVector(t *testing.T) {
	t.Parallel()
	got, err := webhook.Sign([]string{"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}, "msg_p5jXN8AQM9LWM0D4loKWxJek",
		time.Unix(1614265330, 0), []byte(`{"test": 2432232314}`))
	if err != nil {
		t.Fatal(err)
	}
	if want := "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="; got != want {
		t.Fatalf("signature %q, want %q", got, want)
	}
}

func TestSignRotationCarriesBothSignatures(t *testing.T) {
	t.Parallel()
	old, cur := webhook.NewSecret(), webhook.NewSecret()
	if old == cur || !strings.HasPrefix(old, "whsec_") {
		t.Fatalf("secrets %q, %q", old, cur)
	}
	body := []byte(`{"type":"message.sent"}`)
	at := time.Date(2026, 12, 6, 17, 0, 0, 0, time.UTC)
	sig, err := webhook.Sign([]string{cur, old}, "wh_1", at, body)
	if err != nil {
		t.Fatal(err)
	}
	h := http.Header{}
	h.Set("webhook-id", "wh_1")
	h.Set("webhook-timestamp", "1796576400")
	h.Set("webhook-signature", sig)
	for _, s := range []string{old, cur} {
		if n := webhooktest.Verify(s, h, body); n != 1 {
			t.Errorf("secret %s matches %d signatures of %q, want 1", s[:10], n, sig)
		}
	}
	if n := webhooktest.Verify(webhook.NewSecret(), h, body); n != 0 {
		t.Errorf("an unrelated secret matches %d signatures", n)
	}
	if n := webhooktest.Verify(cur, h, append(body, ' ')); n != 0 {
		t.Errorf("a changed body matches %d signatures", n)
	}
}

func TestParseSecretRefuses(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"", "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "whsec_!!!", "whsec_c2hvcnQ="} {
		if _, err := webhook.ParseSecret(s); err == nil {
			t.Errorf("ParseSecret(%q) accepted", s)
		}
	}
}
