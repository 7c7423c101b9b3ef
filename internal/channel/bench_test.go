package channel

import (
	"strings"
	"testing"
	"time"

	"github.com/herold-dev/herold/internal/model"
)

// newsletterEmail is a typical mass-mailing message: a personalised German
// subject, an HTML body of about 850 bytes and a text body of about 500,
// both with umlauts, a named sender and recipient, Reply-To and the
// unsubscribe headers bulk mail carries.
func newsletterEmail() *Email {
	html := `<!DOCTYPE html><html lang="de"><head><meta charset="utf-8"><title>Frühjahrsangebote</title></head>` +
		`<body style="font-family: Arial, sans-serif; color: #222;">` +
		`<h1 style="font-size: 20px;">Hallo Jürgen Müller,</h1>` +
		`<p>die Tage werden länger, und unsere Frühjahrsaktion hat begonnen: Bis zum 31. März erhalten Sie ` +
		`auf alle Gartenmöbel 20&nbsp;% Rabatt. Schauen Sie vorbei – wir freuen uns über Ihren Besuch!</p>` +
		`<p>Unsere Öffnungszeiten: Montag bis Freitag 9–18 Uhr, Samstag 9–14 Uhr. Für Rückfragen erreichen ` +
		`Sie uns unter <a href="tel:+4922112345">0221 12345</a> oder per E-Mail.</p>` +
		`<p><a href="https://shop.example.org/fruehjahr?utm_source=newsletter&amp;utm_medium=email" ` +
		`style="color: #0a5;">Zu den Angeboten</a></p>` +
		`<p style="font-size: 12px; color: #777;">Sie erhalten diese Nachricht, weil Sie unseren Newsletter ` +
		`abonniert haben. <a href="https://herold.example.org/u/4f2a1c">Abmelden</a></p></body></html>`
	text := "Hallo Jürgen Müller,\n\n" +
		"die Tage werden länger, und unsere Frühjahrsaktion hat begonnen: Bis zum 31. März erhalten Sie " +
		"auf alle Gartenmöbel 20 % Rabatt. Schauen Sie vorbei – wir freuen uns über Ihren Besuch!\n\n" +
		"Unsere Öffnungszeiten: Montag bis Freitag 9–18 Uhr, Samstag 9–14 Uhr. Für Rückfragen erreichen " +
		"Sie uns unter 0221 12345 oder per E-Mail.\n\n" +
		".\n" +
		"Zu den Angeboten: https://shop.example.org/fruehjahr\n\n" +
		"Abmelden: https://herold.example.org/u/4f2a1c\n"
	return &Email{
		MessageID: "0190a1b2-7c3d-7e4f-8a9b-0c1d2e3f4a5b@mail.example.org",
		From:      "Gärtnerei Grünfink <newsletter@gruenfink.example.org>",
		ReplyTo:   "Kundenservice <service@gruenfink.example.org>",
		To:        []model.Address{{Email: "juergen.mueller@example.org", Name: "Jürgen Müller"}},
		Subject:   "Jürgen, unsere Frühjahrsangebote: 20 % auf Gartenmöbel",
		Text:      text,
		HTML:      html,
		Headers: map[string]string{
			"List-Unsubscribe":      "<https://herold.example.org/u/4f2a1c>, <mailto:unsubscribe@herold.example.org?subject=4f2a1c>",
			"List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
			"Auto-Submitted":        "auto-generated",
		},
		Date: time.Date(2025, 3, 14, 9, 30, 0, 0, time.FixedZone("CET", 3600)),
	}
}

func TestNewsletterEmailShape(t *testing.T) {
	t.Parallel()
	e := newsletterEmail()
	if n := len(e.HTML); n < 800 || n > 1000 {
		t.Errorf("HTML body is %d bytes, want about 850", n)
	}
	if n := len(e.Text); n < 450 || n > 600 {
		t.Errorf("text body is %d bytes, want about 500", n)
	}
	if !strings.ContainsAny(e.Subject, "äöüÄÖÜß") {
		t.Error("subject has no umlaut")
	}
}

func BenchmarkBuildMIME(b *testing.B) {
	e := newsletterEmail()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := BuildMIME(e); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBuildMIMEInto is BuildMIME into a reused buffer, as the SMTP
// sender builds one message after the other.
func BenchmarkBuildMIMEInto(b *testing.B) {
	e := newsletterEmail()
	var buf []byte
	b.ReportAllocs()
	for b.Loop() {
		var err error
		if buf, err = BuildMIMEInto(buf, e); err != nil {
			b.Fatal(err)
		}
	}
}
