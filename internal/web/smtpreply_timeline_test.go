package web_test

import (
	"net/http"
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/apptest"
	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/smtptest"
)

// TestTimelineExplainsReplies: each step of a message's timeline that
// records a mail server's reply explains it in the page's language under
// the reply, as the last reply is.
func TestTimelineExplainsReplies(t *testing.T) {
	t.Parallel()
	srv := smtptest.Start(t, smtptest.WithRcptReply(func(string) *smtptest.Reply {
		return &smtptest.Reply{Code: 550, Enhanced: "5.1.1", Message: "Recipient address rejected: User unknown"}
	}))
	e := demoCockpit(t, apptest.WithSMTP(srv))
	res := e.jobRequest(t, "p-anna")
	e.waitMessage(t, res.Messages[0].ID, model.MsgFailed)
	c := newClient(t, e.URL)
	c.lang = "de"
	c.signIn(e.Email, e.Password)
	resp, body := c.get("/messages/" + res.Messages[0].ID)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	timeline := regexp.MustCompile(`(?s)<ol class="timeline" id="timeline">.*?</ol>`).FindString(body)
	require.Regexp(t, `(?s)550 5\.1\.1 Recipient address rejected: User unknown</span><br><span class="sub">Diese Adresse gibt es beim Empfänger nicht`, timeline)
}
