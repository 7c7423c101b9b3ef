package dbutil

import (
	"testing"
	"time"

	"github.com/herold-dev/herold/internal/model"
)

// w2Trace is the trace of a W2 event (a schedule run's, one message).
var w2Trace = []model.Step{
	{Code: model.StepScheduled, Params: map[string]string{"occurrence": "mailing-c-0050000",
		"run": "01a2500b-e395-766b-9aca-2d86d727a433", "schedule": "mailing"}},
	{Code: "event.received", Params: map[string]string{"project": "mailing", "type": "mailing.newsletter"}},
	{Code: "flow.used", Params: map[string]string{"flow": "mailing", "version": "1"}},
	{Code: "notification.matched", Notification: "newsletter", Params: map[string]string{"category": "newsletter",
		"status": "active", "template": "newsletter"}},
	{Code: "message.queued", Notification: "newsletter", Recipient: "c-0050000", Message: "01a2500b-fbfc-71f4-8ca8-fc09bf42c8ef",
		Params: map[string]string{"bcc": "", "cc": "", "via": "email", "to": "person50000@example.org", "locale": "de"}},
}

// BenchmarkSteps compares the hand encoder with encoding/json on W2's
// trace, in one run: go test -bench Steps ./internal/store/dbutil/
func BenchmarkSteps(b *testing.B) {
	b.Run("hand", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			Steps(w2Trace)
		}
	})
	b.Run("encoding-json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			ToJSON(w2Trace)
		}
	})
}

// BenchmarkTimeline is the same for a sent message's timeline.
func BenchmarkTimeline(b *testing.B) {
	at := time.Date(2026, 12, 7, 10, 0, 0, 123_000_000, time.UTC)
	entries := []model.MessageEvent{{At: at, Status: model.MsgQueued}, {At: at, Status: model.MsgSending, Attempt: 1},
		{At: at, Status: model.MsgSent, Attempt: 1, Detail: "250 2.0.0 Ok: queued as 4Xb2"}}
	b.Run("hand", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			Timeline(entries)
		}
	})
	b.Run("encoding-json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			timelineSlow(entries)
		}
	})
}
