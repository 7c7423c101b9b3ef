package service

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store"
)

func TestOutcomeOfMessages(t *testing.T) {
	t.Parallel()
	c := func(st model.MessageStatus, reason string, captured bool, n int) store.EventMessageCount {
		return store.EventMessageCount{EventID: "e", Status: st, Reason: reason, Captured: captured, N: n}
	}
	for _, tc := range []struct {
		name string
		in   []store.EventMessageCount
		want EventOutcome
	}{
		{"sent", []store.EventMessageCount{c(model.MsgSent, "", false, 2)}, EventOutcome{Kind: OutcomeSent, Messages: 2}},
		{"captured only", []store.EventMessageCount{c(model.MsgSent, "", true, 1)}, EventOutcome{Kind: OutcomeCaptured, Messages: 1}},
		{"sent beats captured", []store.EventMessageCount{c(model.MsgSent, "", true, 1), c(model.MsgSent, "", false, 1)},
			EventOutcome{Kind: OutcomeSent, Messages: 2}},
		{"held beats sent", []store.EventMessageCount{c(model.MsgSent, "", false, 3), c(model.MsgAwaitingConfirmation, "", false, 1)},
			EventOutcome{Kind: OutcomeHeld, Messages: 4}},
		{"failed beats all", []store.EventMessageCount{c(model.MsgAwaitingConfirmation, "", false, 1), c(model.MsgFailed, "", false, 1)},
			EventOutcome{Kind: OutcomeFailed, Messages: 2}},
		{"retrying is delivering", []store.EventMessageCount{c(model.MsgRetrying, "", false, 1), c(model.MsgSent, "", false, 1)},
			EventOutcome{Kind: OutcomeDelivering, Messages: 2}},
		{"suppressed names the most frequent reason", []store.EventMessageCount{c(model.MsgSuppressed, "opted_out", false, 1),
			c(model.MsgSuppressed, "no_consent", false, 2)}, EventOutcome{Kind: OutcomeSuppressed, Reason: "no_consent", Messages: 3}},
		{"a tie takes the first reason by name", []store.EventMessageCount{c(model.MsgSuppressed, "opted_out", false, 1),
			c(model.MsgSuppressed, "no_email", false, 1)}, EventOutcome{Kind: OutcomeSuppressed, Reason: "no_email", Messages: 2}},
		{"one sent, one suppressed: sent", []store.EventMessageCount{c(model.MsgSuppressed, "no_email", false, 1), c(model.MsgSent, "", false, 1)},
			EventOutcome{Kind: OutcomeSent, Messages: 2}},
		{"declined and expired", []store.EventMessageCount{c(model.MsgDeclined, "", false, 1), c(model.MsgExpired, "", false, 1)},
			EventOutcome{Kind: OutcomeDeclined, Messages: 2}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, outcomeOfMessages(tc.in))
		})
	}
}

func TestNothingReason(t *testing.T) {
	t.Parallel()
	steps := func(codes ...model.StepCode) []model.Step {
		var out []model.Step
		for _, c := range codes {
			out = append(out, model.Step{Code: c})
		}
		return out
	}
	require.Equal(t, model.StepProjectNoFlow, nothingReason(steps(model.StepEventReceived, model.StepProjectNoFlow)))
	require.Equal(t, model.StepNotificationInactive, nothingReason(steps(model.StepEventReceived, model.StepFlowUsed,
		model.StepNotificationOther, model.StepNotificationInactive)), "inactive explains more than another event's notification")
	require.Equal(t, model.StepConditionFalse, nothingReason(steps(model.StepFlowUsed, model.StepNotificationInactive, model.StepConditionFalse)))
	require.Equal(t, model.StepNotificationOther, nothingReason(steps(model.StepFlowUsed, model.StepNotificationOther)))
	require.Equal(t, model.StepCode(""), nothingReason(steps(model.StepEventReceived)))
}
