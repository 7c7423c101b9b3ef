package inbound

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzParseClassify: any bytes parse to a message or ErrMalformed, never
// a panic, and a parsed message always classifies, with evidence bounded.
func FuzzParseClassify(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "corpus", "*.eml"))
	for _, name := range files {
		raw, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(raw)
	}
	f.Add([]byte("Content-Type: multipart/mixed; boundary=x\n\n--x\nContent-Type: multipart/mixed; boundary=x\n\n--x--"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		m, err := Parse(raw)
		if err != nil {
			return
		}
		r := Classify(m)
		if r.Kind == "" {
			t.Fatal("no kind")
		}
		for _, b := range r.Bounces {
			if len(b.Diagnostic) > 300 {
				t.Fatalf("diagnostic of %d bytes", len(b.Diagnostic))
			}
		}
		_ = StripQuoted(m.Text)
	})
}

// FuzzDeliveryStatus: the fields of a delivery-status or feedback-report
// body read without a panic, as blocks of named fields.
func FuzzDeliveryStatus(f *testing.F) {
	f.Add([]byte("Reporting-MTA: dns; x\n\nFinal-Recipient: rfc822; a@b\nAction: failed\nStatus: 5.1.1\nDiagnostic-Code: smtp; 550\n  user unknown\n"))
	f.Add([]byte(" folded first\n:\n\n\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, block := range fieldBlocks(b) {
			if len(block) == 0 {
				t.Fatal("empty block")
			}
		}
		m := &Mail{DeliveryStatus: b, FeedbackReport: b, ReportType: "feedback-report"}
		_ = dsn(m)
		_ = arf(m)
	})
}
