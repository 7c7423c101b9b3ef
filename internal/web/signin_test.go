package web_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/apptest"
	"github.com/herold-dev/herold/internal/service"
)

var loginError = regexp.MustCompile(`id="login-error">([^<]*)<`)

// attempt is the answer to one sign-in: status, Retry-After and the
// message the page shows.
type attempt struct {
	status     int
	retryAfter string
	message    string
}

func (c *client) attempt(email, password string) attempt {
	c.t.Helper()
	resp, body := c.submit("/login", "/login", url.Values{"email": {email}, "password": {password}})
	a := attempt{status: resp.StatusCode, retryAfter: resp.Header.Get("Retry-After")}
	if m := loginError.FindStringSubmatch(body); m != nil {
		a.message = m[1]
	}
	return a
}

var (
	wrong = attempt{status: http.StatusUnauthorized, message: "The e-mail address or the password is wrong."}
	// welcome is a successful sign-in: a redirect, no message.
	welcome = attempt{status: http.StatusSeeOther}
)

func throttled(wait, seconds string) attempt {
	return attempt{status: http.StatusTooManyRequests, retryAfter: seconds,
		message: "Too many failed sign-ins. Try again in " + wait + "."}
}

func TestSignInThrottle(t *testing.T) {
	t.Parallel()
	e := startCockpit(t)
	attacker := newClientFrom(t, e.URL, "127.0.0.2")
	hashes := func() int { return e.svc.HashStats().Total }

	// Five free attempts, then delays of 1 s, 2 s, 4 s … per client.
	for i := range 5 {
		require.Equal(t, wrong, attacker.attempt(e.Email, "not the password"), "attempt %d", i+1)
	}
	before := hashes()
	require.Equal(t, throttled("1 second", "1"), attacker.attempt(e.Email, "not the password"))
	require.Equal(t, throttled("1 second", "1"), attacker.attempt(e.Email, e.Password),
		"the right password from the throttled client waits too")
	require.Equal(t, throttled("1 second", "1"), attacker.attempt("ghost@example.org", "x"),
		"an unknown address reads the same")
	require.Equal(t, before, hashes(), "a throttled attempt checks no password")

	// The right password from a client that has not been failing works
	// while the account is under attack.
	owner := func() *client { return newClientFrom(t, e.URL, "127.0.0.3") } // a fresh browser each time
	require.Equal(t, welcome, owner().attempt(e.Email, e.Password))

	// Exactly at the end of the delay the client may try again; the next
	// failure doubles it.
	e.Clock.Advance(time.Second)
	require.Equal(t, wrong, attacker.attempt(e.Email, "not the password"))
	require.Equal(t, throttled("2 seconds", "2"), attacker.attempt(e.Email, "not the password"))
	e.Clock.Advance(2*time.Second - time.Millisecond)
	require.Equal(t, throttled("1 second", "1"), attacker.attempt(e.Email, "not the password"), "a millisecond early")
	e.Clock.Advance(time.Millisecond)
	require.Equal(t, wrong, attacker.attempt(e.Email, "not the password"))

	// A second client at once: its first failure is free, but from then
	// on it waits for the account's delay, which all clients' failures
	// raised (eight so far: 8 s).
	second := newClientFrom(t, e.URL, "127.0.0.4")
	require.Equal(t, wrong, second.attempt(e.Email, "not the password"))
	require.Equal(t, throttled("8 seconds", "8"), second.attempt(e.Email, "not the password"))
	require.Equal(t, wrong, second.attempt("ghost@example.org", "x"),
		"its own delay has not started: other accounts are open to it")
	require.Equal(t, welcome, owner().attempt(e.Email, e.Password), "the owner still gets in")

	// Long delays read in minutes (German too); a minute past, the client
	// may try again.
	for range 6 {
		e.Clock.Advance(5 * time.Minute)
		require.Equal(t, wrong, attacker.attempt(e.Email, "not the password"))
	}
	require.Equal(t, throttled("5 minutes", "300"), attacker.attempt(e.Email, "not the password"), "capped at 5 minutes")
	attacker.lang = "de"
	require.Equal(t, "Zu viele fehlgeschlagene Anmeldungen. Versuchen Sie es in 5 Minuten erneut.",
		attacker.attempt(e.Email, "x").message)
	e.Clock.Advance(6 * time.Minute)
	attacker.lang = ""
	require.Equal(t, wrong, attacker.attempt(e.Email, "not the password"), "a minute past the delay")

	// After a quiet period everything is forgotten.
	e.Clock.Advance(15 * time.Minute)
	for range 4 {
		require.Equal(t, wrong, attacker.attempt(e.Email, "not the password"))
	}
	require.Equal(t, welcome, attacker.attempt(e.Email, e.Password))
}

// TestSignInThrottleBehindProxy: behind a trusted reverse proxy the
// client is the nearest X-Forwarded-For address that is not a trusted
// proxy, so one attacker does not throttle everyone signing in through the
// proxy; addresses the client writes further left, and the header of a
// client that is not a trusted proxy, change nothing.
func TestSignInThrottleBehindProxy(t *testing.T) {
	t.Parallel()
	e := startCockpit(t, func(s *apptest.Setup) { s.Opts.TrustedProxies = []string{"127.0.0.7", "127.0.1.0/24"} })
	via := func(proxy, forwardedFor string) *client {
		c := newClientFrom(t, e.URL, proxy)
		c.forwardedFor = forwardedFor
		return c
	}
	// The attacker's own guesses at the left of the chain, two proxies in
	// a row on the right: the client is 198.51.100.1 every time.
	for i := range 5 {
		attacker := via("127.0.0.7", fmt.Sprintf("10.9.9.%d, 198.51.100.1, 127.0.1.5", i))
		require.Equal(t, wrong, attacker.attempt("ghost@example.org", "x"), "attempt %d", i+1)
	}
	require.Equal(t, throttled("1 second", "1"), via("127.0.0.7", "10.9.9.99, 198.51.100.1").attempt("ghost@example.org", "x"))
	require.Equal(t, welcome, via("127.0.0.7", "198.51.100.2").attempt(e.Email, e.Password),
		"another client behind the same proxy is not throttled")

	// A client that is not a trusted proxy cannot choose its address.
	for i := range 5 {
		require.Equal(t, wrong, via("127.0.0.8", fmt.Sprintf("203.0.113.%d", i)).attempt("nobody@example.org", "x"))
	}
	require.Equal(t, throttled("1 second", "1"), via("127.0.0.8", "203.0.113.77").attempt("nobody@example.org", "x"))
}

// TestSignInAnswersAlike: an unknown address and a wrong password cause
// the same answer and the same work (one password hash), whether free or
// throttled.
func TestSignInAnswersAlike(t *testing.T) {
	t.Parallel()
	e := startCockpit(t)
	hashes := func() int { return e.svc.HashStats().Total }
	known, unknown := newClientFrom(t, e.URL, "127.0.0.5"), newClientFrom(t, e.URL, "127.0.0.6")
	for i := range 7 {
		h := hashes()
		a := known.attempt(e.Email, "not the password")
		workKnown := hashes() - h
		h = hashes()
		b := unknown.attempt("ghost@example.org", "not the password")
		workUnknown := hashes() - h
		require.Equal(t, a, b, "attempt %d", i+1)
		require.Equal(t, workKnown, workUnknown, "attempt %d", i+1)
		if i < 5 {
			require.Equal(t, wrong, a)
			require.Equal(t, 1, workKnown)
		} else {
			require.Equal(t, http.StatusTooManyRequests, a.status)
			require.Zero(t, workKnown)
		}
	}
}

// TestPasswordHashingIsBounded: at most one hash per core runs at once;
// the excess is refused with 429 while the slots are still held, instead
// of queueing behind them.
func TestPasswordHashingIsBounded(t *testing.T) {
	t.Parallel()
	var armed atomic.Bool
	release := make(chan struct{})
	e := startCockpit(t, func(s *apptest.Setup) {
		s.OnHash = func() {
			if armed.Load() {
				<-release
			}
		}
	})
	slots := e.svc.HashStats().Slots
	require.Positive(t, slots)
	n := 3 * slots
	// One client each, so that no throttle interferes.
	clients, tokens := make([]*client, n), make([]string, n)
	for i := range n {
		clients[i] = newClientFrom(t, e.URL, fmt.Sprintf("127.0.1.%d", i+1))
		tokens[i] = clients[i].csrf("/login")
	}
	admin := newClient(t, e.URL)
	admin.signIn(e.Email, e.Password)
	settingsToken := admin.csrf("/settings")
	armed.Store(true)

	type answer struct {
		status     int
		retryAfter string
		body       string
	}
	answers := make(chan answer, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			form := url.Values{"csrf": {tokens[i]}, "email": {"ghost@example.org"}, "password": {"x"}}
			req, _ := http.NewRequest(http.MethodPost, e.URL+"/login", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			resp, err := clients[i].http.Do(req)
			if err != nil {
				answers <- answer{body: err.Error()}
				return
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			answers <- answer{status: resp.StatusCode, retryAfter: resp.Header.Get("Retry-After"), body: string(b)}
		}()
	}
	t.Cleanup(func() {
		armed.Store(false)
		select {
		case <-release:
		default:
			close(release)
		}
		wg.Wait()
	})

	// All slots taken, the rest waiting for one.
	apptest.Eventually(t, 10*time.Second, func() bool {
		st := e.svc.HashStats()
		return st.Running == slots && st.Waiting == n-slots
	}, "want %d running and %d waiting", slots, n-slots)

	// The excess is answered while the slots are still held.
	for range n - slots {
		a := <-answers
		require.Equal(t, http.StatusTooManyRequests, a.status, a.body)
		require.Equal(t, "1", a.retryAfter)
		require.Contains(t, a.body, "The server is checking many sign-ins at once. Try again in a few seconds.")
	}
	require.Equal(t, slots, e.svc.HashStats().Running, "the held hashes are still running")

	// Creating a user hashes its password too: refused the same way.
	resp, body := admin.post("/settings/users", url.Values{"csrf": {settingsToken}, "user_email": {"anna@example.org"},
		"user_password": {"correct horse battery"}})
	require.Equal(t, http.StatusTooManyRequests, resp.StatusCode)
	require.Equal(t, "1", resp.Header.Get("Retry-After"))
	require.Contains(t, body, "The server is checking many passwords at once, so nothing was changed.")
	_, err := e.svc.UserFind(context.Background(), e.ws, "anna@example.org")
	var nf *service.NotFoundError
	require.ErrorAs(t, err, &nf)

	close(release)
	for range slots {
		a := <-answers
		require.Equal(t, http.StatusUnauthorized, a.status, a.body)
	}
	require.Equal(t, slots, e.svc.HashStats().Peak, "never more hashes at once than slots")
}

// TestUsersPerWorkspace: an address may be a user of several workspaces;
// adding one tells nothing about other workspaces; signing in with an
// address and password that match in several offers the choice.
func TestUsersPerWorkspace(t *testing.T) {
	t.Parallel()
	e := demoCockpit(t) // the demo workspace with demo@localhost, and the default one
	ctx := context.Background()
	home := e.App.Bootstrapped.Workspace
	admin := newClient(t, e.URL)
	admin.signIn(e.App.BootstrapUser.User.Email, e.App.BootstrapUser.Password)

	add := func(email string) (*http.Response, string) {
		return admin.submit("/settings", "/settings/users", url.Values{"user_email": {email}, "user_name": {"Anna"},
			"user_password": {e.Password}})
	}
	// An address of another workspace's user reads like a fresh one.
	taken, _ := add("demo@localhost")
	fresh, _ := add("fresh@example.org")
	require.Equal(t, http.StatusSeeOther, taken.StatusCode)
	require.Equal(t, fresh.StatusCode, taken.StatusCode)
	require.Equal(t, fresh.Header.Get("Location"), taken.Header.Get("Location"))
	// Within one workspace an address is still unique.
	resp, body := add("DEMO@localhost")
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	require.Contains(t, body, "already exists")

	mine, err := e.svc.UserFind(ctx, home, "demo@localhost")
	require.NoError(t, err)
	theirs, err := e.svc.UserFind(ctx, e.ws, "demo@localhost")
	require.NoError(t, err)
	require.NotEqual(t, mine.ID, theirs.ID)

	// The same password in both: the choice, without asking for the
	// password again.
	c := newClient(t, e.URL)
	resp, body = c.submit("/login", "/login", url.Values{"email": {"demo@localhost"}, "password": {e.Password}, "next": {"/flows"}})
	require.Equal(t, http.StatusOK, resp.StatusCode, body)
	require.Contains(t, body, "Choose a workspace")
	require.Contains(t, body, `value="`+mine.ID+`"`)
	require.Contains(t, body, `value="`+theirs.ID+`"`)
	require.NotContains(t, body, e.Password)
	choice := regexp.MustCompile(`name="choice" value="([^"]+)"`).FindStringSubmatch(body)
	require.NotNil(t, choice)
	choose := func(c *client, user string) (*http.Response, string) {
		return c.submit("/login", "/login/workspace", url.Values{"choice": {choice[1]}, "user": {user}, "next": {"/flows"}})
	}

	// The token names only the matching users, and only for this browser.
	resp, body = choose(c, e.App.BootstrapUser.User.ID)
	require.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	require.Contains(t, body, "The choice of workspace has expired. Please sign in again.")
	stranger := newClient(t, e.URL)
	resp, _ = choose(stranger, mine.ID)
	require.Equal(t, http.StatusUnauthorized, resp.StatusCode, "another browser cannot use the choice")

	resp, _ = choose(c, mine.ID)
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	require.Equal(t, "/flows", resp.Header.Get("Location"))
	_, body = c.get("/settings")
	require.Contains(t, body, "fresh@example.org", "signed in to the chosen workspace")

	// The choice expires.
	later := newClient(t, e.URL)
	_, body = later.submit("/login", "/login", url.Values{"email": {"demo@localhost"}, "password": {e.Password}})
	choice = regexp.MustCompile(`name="choice" value="([^"]+)"`).FindStringSubmatch(body)
	require.NotNil(t, choice)
	e.Clock.Advance(service.ChoiceTTL)
	resp, _ = choose(later, theirs.ID)
	require.Equal(t, http.StatusUnauthorized, resp.StatusCode)

	// Different passwords: straight into the workspace whose password it is.
	_, err = e.svc.UserSetPassword(ctx, home, mine.ID, "another password!")
	require.NoError(t, err)
	direct := newClient(t, e.URL)
	direct.signIn("demo@localhost", "another password!")
	_, body = direct.get("/settings")
	require.Contains(t, body, "fresh@example.org")
}

// TestDeletedBootstrapAdminStaysDeleted: the bootstrap admin is created
// only in an installation without users, not again after it was deleted.
func TestDeletedBootstrapAdminStaysDeleted(t *testing.T) {
	t.Parallel()
	setup := apptest.NewSetup(t)
	setup.Opts.BootstrapPassword = "the bootstrap password"
	e := apptest.StartWith(t, setup)
	admin := e.App.BootstrapUser
	require.NotNil(t, admin)
	ws := e.App.Bootstrapped.Workspace
	ctx := context.Background()
	_, err := e.App.Service().UserCreate(ctx, ws, service.UserCreateParams{Email: "ops@example.org", Password: "ops password!"})
	require.NoError(t, err)

	ops := newClient(t, e.URL)
	ops.signIn("ops@example.org", "ops password!")
	resp, _ := ops.submit("/settings", "/settings/users/"+admin.User.ID+"/delete", nil)
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	require.NoError(t, e.App.Stop(ctx))

	again := apptest.StartWith(t, setup) // same database file
	require.Nil(t, again.App.BootstrapUser)
	_, err = again.App.Service().UserFind(ctx, ws, admin.User.Email)
	var nf *service.NotFoundError
	require.ErrorAs(t, err, &nf)
	c := newClient(t, again.URL)
	require.Equal(t, wrong, c.attempt(admin.User.Email, "the bootstrap password"))
}
