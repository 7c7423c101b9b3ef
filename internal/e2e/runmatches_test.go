package e2e_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/apptest"
	"github.com/herold-dev/herold/internal/smtptest"
)

// runMatchPage is a page of GET …/runs/{id}/matches.
type runMatchPage struct {
	Items []struct {
		Event    string `json:"event"`
		Contact  string `json:"contact"`
		Name     string `json:"name"`
		Email    string `json:"email"`
		Excluded string `json:"excluded"`
		Messages []struct {
			ID     string `json:"id"`
			Status string `json:"status"`
			Reason string `json:"reason"`
			To     string `json:"to"`
		} `json:"messages"`
	} `json:"items"`
	NextCursor string `json:"next_cursor"`
}

// TestScheduleRunMatchesByName: the API lists the records a birthday run
// matched by name with what became of each — sent over a real SMTP
// server, suppressed with the reason, excluded by the rule, unreadable —
// pages with a cursor, filters by outcome, and refuses an unknown
// outcome naming the parameter.
func TestScheduleRunMatchesByName(t *testing.T) {
	t.Parallel()
	srv := smtptest.Start(t)
	e, _ := associationEnv(t, srv, time.Date(2026, 5, 17, 3, 0, 0, 0, time.UTC))
	e.Must(200, "POST", "/v1/contacts/bulk", map[string]any{"contacts": []any{
		member("anna", "1980-05-17", "active", true),    // sent
		member("carl", "1990-05-17", "active", false),   // suppressed: no consent
		member("bert", "1975-05-17", "cancelled", true), // excluded by the rule
		member("hans", "unbekannt", "active", true),     // errored
		member("dora", "1985-05-18", "active", true),    // not due: not listed
	}})
	e.Must(201, "PUT", "/v1/schedules/birthdays", map[string]any{
		"name": "Geburtstage", "project": "verein", "role": "member",
		"preset": map[string]any{"kind": "birthday", "exclude_field": "membership_status", "exclude_values": []string{"cancelled"}},
	})
	run := runNow(t, e, "birthdays")
	srv.WaitForMails(t, 1, wait)
	path := "/v1/schedules/birthdays/runs/" + run.ID + "/matches"
	var all runMatchPage
	apptest.Eventually(t, wait, func() bool {
		all = runMatchPage{}
		e.Must(200, "GET", path, nil).JSON(t, &all)
		for _, m := range all.Items {
			if m.Contact == "anna" {
				return len(m.Messages) == 1 && m.Messages[0].Status == "sent"
			}
		}
		return false
	}, "anna's greeting is sent")
	require.Len(t, all.Items, 4)
	require.Empty(t, all.NextCursor)
	by := map[string]int{}
	for i, m := range all.Items {
		by[m.Contact] = i
		require.NotEmpty(t, m.Event)
	}
	require.NotContains(t, by, "dora")
	anna := all.Items[by["anna"]]
	require.Equal(t, "Mitglied anna", anna.Name)
	require.Equal(t, "anna@example.org", anna.Email)
	require.Equal(t, "Mitglied anna <anna@example.org>", anna.Messages[0].To)
	carl := all.Items[by["carl"]]
	require.Len(t, carl.Messages, 1)
	require.Equal(t, "suppressed", carl.Messages[0].Status)
	require.Equal(t, "no_consent", carl.Messages[0].Reason)
	require.Equal(t, "exclude", all.Items[by["bert"]].Excluded)
	require.Empty(t, all.Items[by["bert"]].Messages)
	require.Equal(t, "error", all.Items[by["hans"]].Excluded)

	// Page by page with the cursor: the same matches in the same order.
	var first, second runMatchPage
	e.Must(200, "GET", path+"?limit=3", nil).JSON(t, &first)
	require.Len(t, first.Items, 3)
	require.NotEmpty(t, first.NextCursor)
	e.Must(200, "GET", path+"?limit=3&cursor="+first.NextCursor, nil).JSON(t, &second)
	require.Len(t, second.Items, 1)
	require.Empty(t, second.NextCursor)
	require.Equal(t, all.Items[3].Event, second.Items[0].Event)

	var excluded runMatchPage
	e.Must(200, "GET", path+"?outcome=excluded", nil).JSON(t, &excluded)
	require.Len(t, excluded.Items, 2, "the rule's and the unreadable record")
	var suppressed runMatchPage
	e.Must(200, "GET", path+"?outcome=suppressed", nil).JSON(t, &suppressed)
	require.Len(t, suppressed.Items, 1)
	require.Equal(t, "carl", suppressed.Items[0].Contact)

	var p map[string]any
	e.Must(422, "GET", path+"?outcome=versendet", nil).JSON(t, &p)
	require.Equal(t, []string{"outcome"}, fieldsOf(p))
	e.Must(404, "GET", "/v1/schedules/birthdays/runs/nope/matches", nil)
}
