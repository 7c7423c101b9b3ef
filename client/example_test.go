package client_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"os"

	"github.com/herold-dev/herold/client"
)

// A host application (a promotion agency's booking system) syncs a
// promoter, confirms a booking, lets its dispatcher approve the mail in
// its own UI, and answers "why did Clara get no e-mail?".
func Example() {
	ctx := context.Background()
	c, err := client.New(os.Getenv("HEROLD_URL"), os.Getenv("HEROLD_KEY"), client.WithLanguage("de"))
	if err != nil {
		log.Fatal(err)
	}

	// Keep the promoter in sync (nil OptOuts keeps her unsubscribes).
	err = c.PutContact(ctx, &client.Contact{ID: "p-anna", Email: "anna.berger@example.com", Name: "Anna Berger", Locale: "de"})
	if err != nil {
		log.Fatal(err)
	}

	// The booking is confirmed: Herold plans the mail, held for approval.
	res, err := c.SendEvent(ctx, &client.Event{Type: "booking.confirmed", Project: "messe-koeln",
		Actors: map[string][]client.Actor{"promoter": {client.ContactID("p-anna")}},
		Data:   map[string]any{"job": "Standbetreuung", "date": "2026-04-15"}})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.Messages[0].To.Email, res.Messages[0].Status)

	// The dispatcher approves what awaits confirmation for this event.
	for m, err := range c.Confirmations(ctx, client.ConfirmationFilter{Event: res.ID}) {
		if err != nil {
			log.Fatal(err)
		}
		ds, err := c.Approve(ctx, []string{m.ID}, "Maria Schulz (Disposition)")
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(ds[0].Status, ds[0].Err)
	}

	// Why did Clara get no e-mail for the job request?
	job, err := c.SendEvent(ctx, &client.Event{Type: "job.requested", Project: "messe-koeln",
		Actors: map[string][]client.Actor{"promoter": {client.ContactID("p-clara")}},
		Data:   map[string]any{"job": "Aufbau", "date": "2026-04-14", "reply_by": "2026-04-01"}})
	if err != nil {
		log.Fatal(err)
	}
	for m, err := range c.Messages(ctx, client.MessageFilter{Event: job.ID, Contact: "p-clara"}) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(m.To.Contact, m.Status, m.Reason)
	}
	ex, err := c.Explain(ctx, job.ID, "")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(ex.Summary)
	for _, step := range ex.Steps {
		if step.Code == client.StepRecipientSuppressed {
			fmt.Println(step.Text)
		}
	}
	// Output:
	// anna.berger@example.com awaiting_confirmation
	// queued <nil>
	// p-clara suppressed no_email
	// Nachrichten zu diesem Ereignis: 1 unterdrückt.
	// Keine Nachricht an Clara Wendt (p-clara): Der Kontakt hat keine E-Mail-Adresse.
}

// New checks the URL at once.
func ExampleNew() {
	_, err := client.New("herold.example.org:8080", "hk_…")
	fmt.Println(err)
	// Output:
	// herold client: base URL "herold.example.org:8080": use an absolute http or https URL such as https://herold.example.org
}

// Opt-outs have three states: nil keeps the stored ones (people
// unsubscribe through Herold's links), an empty slice clears them, a list
// replaces them.
func ExampleContact_optOuts() {
	for _, optOuts := range [][]string{nil, {}, {"newsletter"}} {
		b, _ := json.Marshal(client.Contact{ID: "p-anna", OptOuts: optOuts})
		fmt.Println(string(b))
	}
	// Output:
	// {"id":"p-anna"}
	// {"id":"p-anna","opt_outs":[]}
	// {"id":"p-anna","opt_outs":["newsletter"]}
}

// Each event of a batch is accepted or rejected on its own.
func ExampleClient_SendEvents() {
	ctx := context.Background()
	c, err := client.New(os.Getenv("HEROLD_URL"), os.Getenv("HEROLD_KEY"))
	if err != nil {
		log.Fatal(err)
	}
	results, err := c.SendEvents(ctx, []*client.Event{
		{Type: "job.requested", Project: "sommerfest"},
		{Type: "job requested", Project: "sommerfest"},
	})
	if err != nil {
		log.Fatal(err) // the request as a whole failed
	}
	for _, r := range results {
		if r.Err != nil {
			fmt.Println(r.Index, "rejected:", client.FieldErrors(r.Err)[0].Field, errors.Is(r.Err, client.ErrValidation))
			continue
		}
		fmt.Println(r.Index, "accepted with", len(r.Result.Messages), "messages")
	}
	// Output:
	// 0 accepted with 0 messages
	// 1 rejected: events[1].type true
}

// API errors match sentinels and name the rejected fields.
func ExampleError() {
	ctx := context.Background()
	c, err := client.New(os.Getenv("HEROLD_URL"), os.Getenv("HEROLD_KEY"))
	if err != nil {
		log.Fatal(err)
	}
	err = c.PutContact(ctx, &client.Contact{ID: "p-new", Email: "Anna <anna@example.com>"})
	var apiErr *client.Error
	if errors.As(err, &apiErr) {
		fmt.Println(apiErr.Status, apiErr.Field("email").Code)
	}
	_, err = c.Contact(ctx, "p-nobody")
	fmt.Println(errors.Is(err, client.ErrNotFound))
	// Output:
	// 422 invalid_email
	// true
}

// A list is an iterator over all pages.
func ExampleClient_Contacts() {
	ctx := context.Background()
	c, err := client.New(os.Getenv("HEROLD_URL"), os.Getenv("HEROLD_KEY"), client.WithPageSize(2))
	if err != nil {
		log.Fatal(err)
	}
	for ct, err := range c.Contacts(ctx) {
		if err != nil {
			log.Fatal(err)
		}
		if ct.ID == "a-dispo" || ct.ID == "p-ben" {
			fmt.Println(ct.ID, ct.Name)
		}
	}
	// Output:
	// a-dispo Disposition Agentur Nord
	// p-ben Ben Okafor
}
