package web_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/schedule"
	"github.com/herold-dev/herold/internal/service"
)

// TestCatalogsComplete keeps the cockpit's strings complete: every web.*
// string exists in English and German, and every string the pages name
// exists.
func TestCatalogsComplete(t *testing.T) {
	t.Parallel()
	load := func(lang string) map[string]string {
		b, err := os.ReadFile(filepath.Join("..", "i18n", "locales", lang+".json"))
		require.NoError(t, err)
		var m map[string]string
		require.NoError(t, json.Unmarshal(b, &m))
		return m
	}
	en, de := load("en"), load("de")
	var onlyEN, onlyDE []string
	for k := range en {
		if _, ok := de[k]; !ok && strings.HasPrefix(k, "web.") {
			onlyEN = append(onlyEN, k)
		}
	}
	for k := range de {
		if _, ok := en[k]; !ok && strings.HasPrefix(k, "web.") {
			onlyDE = append(onlyDE, k)
		}
	}
	require.Empty(t, onlyEN, "missing in de.json")
	require.Empty(t, onlyDE, "missing in en.json")

	used := regexp.MustCompile(`"(web\.[a-z0-9_.]+[a-z0-9_])"`)
	files, err := filepath.Glob("templates/*.html")
	require.NoError(t, err)
	gofiles, err := filepath.Glob("*.go")
	require.NoError(t, err)
	var missing []string
	for _, f := range append(files, gofiles...) {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		for _, m := range used.FindAllStringSubmatch(string(b), -1) {
			if _, ok := en[m[1]]; !ok {
				missing = append(missing, f+": "+m[1])
			}
		}
	}
	sort.Strings(missing)
	require.Empty(t, missing)

	// Strings built from a prefix and a value.
	want := []string{}
	add := func(prefix string, values ...string) {
		for _, v := range values {
			want = append(want, prefix+v)
		}
	}
	add("web.nav.", "dashboard", "flows", "projects", "templates", "confirmations", "messages", "events", "contacts",
		"schedules", "mailbox", "settings")
	for _, st := range []model.NotificationStatus{model.StatusActive, model.StatusInactive, model.StatusConfirm} {
		add("web.nstatus.", string(st), string(st)+"_hint")
		add("web.notice.", "status_"+string(st))
	}
	add("web.reason.", string(model.ReasonNoEmail), string(model.ReasonInvalidEmail), string(model.ReasonOptedOut), string(model.ReasonNoConsent))
	add("web.source.", string(model.SourceAPI), string(model.SourceSchedule), string(model.SourceManual))
	add("web.preset.", schedule.Presets...)
	add("web.trigger.", model.TriggerScheduled, model.TriggerCatchUp, model.TriggerManual)
	add("web.run.", model.RunQueued, model.RunRunning, model.RunFinished, model.RunFailed)
	add("web.code.", service.CodeRequired, service.CodeInvalid, service.CodeInvalidEmail, service.CodeLineBreak,
		service.CodeUnknownRef, service.CodeDuplicate, service.CodeReserved, service.CodeTemplateSyntax,
		service.CodeCondition, service.CodeUnknownField, service.CodeType, service.CodeMalformed, service.CodeTooLong,
		service.CodeMismatch, service.CodeTooDeep, service.CodeTooMany, service.CodeNumber)
	add("web.notice.", "approved", "declined")
	// Broadcasts: statuses, the actions' notices, the source and the
	// cancel's suppression reason.
	for _, st := range model.BroadcastStatuses {
		add("web.bstatus.", string(st))
	}
	add("web.notice.", "broadcast_start", "broadcast_pause", "broadcast_resume", "broadcast_cancel", "broadcast_deleted")
	add("web.source.", string(model.SourceBroadcast))
	add("web.reason.", string(model.ReasonBroadcastCancelled))
	add("web.reason.", string(model.ReasonThrottled))
	add("web.nav.", "webhooks")
	add("web.webhooks.state_", model.WebhookActive, model.WebhookPaused, model.WebhookDisabled)
	add("web.webhooks.delivery_", model.DeliveryPending, model.DeliveryDelivered, model.DeliveryFailed)
	add("web.webhooks.outcome_", "sent", "failed")
	add("web.notice.webhook_", model.WebhookActive, model.WebhookDisabled)
	notice := regexp.MustCompile(`redirect\(w, r, [^\n]*?, "([a-z_]+)"[,)]`)
	for _, f := range gofiles {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		for _, m := range notice.FindAllStringSubmatch(string(b), -1) {
			add("web.notice.", m[1])
		}
	}
	for _, st := range model.MessageStatuses {
		want = append(want, "status."+string(st))
	}
	for _, k := range want {
		_, inEN := en[k]
		_, inDE := de[k]
		require.True(t, inEN && inDE, "%s must be in en.json and de.json", k)
	}
}
