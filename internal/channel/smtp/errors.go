package smtp

import (
	"errors"
	"fmt"
	"net/textproto"

	"github.com/herold-dev/herold/internal/channel"
)

// stage names where in the conversation an error happened. Only errors in
// the message's own transaction can be permanent; everything before MAIL
// FROM is about the transport.
type stage int

const (
	stageConnect stage = iota // dial, greeting, EHLO, STARTTLS, AUTH
	stageMessage              // MAIL, RCPT, DATA, content, end of DATA
)

// classify turns an error of one SMTP step into a *channel.Error:
//
//   - no SMTP reply (refused, timeout, reset, EOF): retryable, Code 0;
//   - a 4xx reply, including 421: retryable with Code and Reply;
//   - a 5xx reply in the message's transaction: permanent with Code and
//     Reply, except 530 "authentication required", which is the transport's
//     configuration and not the message's fault;
//   - a 5xx reply while connecting (greeting, EHLO, STARTTLS, AUTH):
//     retryable, for the same reason; the job's maximum age bounds it.
func classify(st stage, step string, err error) *channel.Error {
	ce := &channel.Error{Err: fmt.Errorf("%s: %w", step, err)}
	if tp, ok := reply(err); ok {
		ce.Code = tp.Code
		ce.Reply = formatReply(tp.Code, tp.Msg)
		ce.Permanent = st == stageMessage && tp.Code/100 == 5 && tp.Code != 530
	}
	return ce
}

// reply returns the SMTP reply inside err, if the server sent one.
func reply(err error) (*textproto.Error, bool) {
	var tp *textproto.Error
	ok := errors.As(err, &tp)
	return tp, ok
}

// replyCode returns the reply code inside err, 0 if there was no reply.
func replyCode(err error) int {
	if tp, ok := reply(err); ok {
		return tp.Code
	}
	return 0
}
