package inbound

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/mail"
	"strings"

	"github.com/emersion/go-message"
	_ "github.com/emersion/go-message/charset" // decode the legacy charsets mail still uses
)

// Bounds of parsing: a received message is bounded by the listener's size
// limit, and these bound the work inside it.
const (
	maxDepth     = 8       // nesting of multipart entities
	maxParts     = 200     // entities in one message
	maxTextBytes = 1 << 20 // text kept from the body parts
	maxReport    = 64 << 10
)

// Mail is a parsed received message: what classification and the
// mail.received event need.
type Mail struct {
	Header    message.Header
	From      string // the address of From, lower case
	To        []string
	Subject   string
	MessageID string // without angle brackets
	InReplyTo string
	// References are the Message-IDs of References, oldest first.
	References []string
	// ReportType is the report-type of a multipart/report.
	ReportType string
	// Text is the first text/plain part that is not an attachment
	// (else the text of the first text/html part), up to maxTextBytes.
	Text        string
	Attachments []Attachment
	// DeliveryStatus and FeedbackReport are the bodies of a report's
	// message/delivery-status and message/feedback-report parts.
	DeliveryStatus []byte
	FeedbackReport []byte
	// Original is the header of the returned message (message/rfc822 or
	// text/rfc822-headers), if there is one.
	Original *message.Header
}

// Attachment is one attached file.
type Attachment struct {
	Name string `json:"name"`
	Size int64  `json:"size"`
}

// ErrMalformed is wrapped by Parse's errors for messages it cannot read.
var ErrMalformed = errors.New("malformed message")

// Parse reads a raw RFC 5322 message. Parts in an unknown charset or
// transfer encoding are read as they are.
func Parse(raw []byte) (*Mail, error) {
	e, err := message.Read(bytes.NewReader(raw))
	if err != nil && !message.IsUnknownCharset(err) && !message.IsUnknownEncoding(err) {
		return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	m := &Mail{Header: e.Header}
	m.From = firstAddress(e.Header.Get("From"))
	m.To = addresses(e.Header.Get("To"))
	m.Subject, _ = decodedText(e.Header, "Subject")
	m.MessageID = msgID(e.Header.Get("Message-Id"))
	m.InReplyTo = msgID(e.Header.Get("In-Reply-To"))
	for _, f := range strings.Fields(e.Header.Get("References")) {
		if id := msgID(f); id != "" {
			m.References = append(m.References, id)
		}
	}
	if t, params, err := e.Header.ContentType(); err == nil && t == "multipart/report" {
		m.ReportType = strings.ToLower(params["report-type"])
	}
	p := &walker{m: m}
	if err := p.entity(e, 0); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	if m.Text == "" {
		m.Text = p.html
	}
	return m, nil
}

type walker struct {
	m     *Mail
	parts int
	html  string
}

func (w *walker) entity(e *message.Entity, depth int) error {
	w.parts++
	if w.parts > maxParts {
		return fmt.Errorf("more than %d parts", maxParts)
	}
	if mr := e.MultipartReader(); mr != nil {
		if depth >= maxDepth {
			return fmt.Errorf("multipart nested deeper than %d", maxDepth)
		}
		for {
			part, err := mr.NextPart()
			if err == io.EOF {
				return nil
			}
			if err != nil && !message.IsUnknownCharset(err) && !message.IsUnknownEncoding(err) {
				return err
			}
			if err := w.entity(part, depth+1); err != nil {
				return err
			}
		}
	}
	t, _, _ := e.Header.ContentType()
	disp, dparams, _ := e.Header.ContentDisposition()
	name := dparams["filename"]
	if name == "" {
		_, cparams, _ := e.Header.ContentType()
		name = cparams["name"]
	}
	switch {
	case t == "message/delivery-status" || t == "message/global-delivery-status":
		w.m.DeliveryStatus = readMax(e.Body, maxReport)
	case t == "message/feedback-report":
		w.m.FeedbackReport = readMax(e.Body, maxReport)
	case t == "message/rfc822" || t == "text/rfc822-headers" || t == "message/rfc822-headers" || t == "message/global":
		if w.m.Original == nil {
			if h, err := readHeader(e.Body); err == nil {
				w.m.Original = &h
			}
		}
	case (t == "text/plain" || t == "text/html") && disp != "attachment" && name == "":
		body := string(readMax(e.Body, maxTextBytes))
		if t == "text/plain" && w.m.Text == "" {
			w.m.Text = body
		} else if t == "text/html" && w.html == "" {
			w.html = htmlText(body)
		}
	default:
		if name != "" || disp == "attachment" {
			n, _ := io.Copy(io.Discard, e.Body)
			w.m.Attachments = append(w.m.Attachments, Attachment{Name: name, Size: n})
		}
	}
	return nil
}

// readHeader reads the header of an embedded message.
func readHeader(r io.Reader) (message.Header, error) {
	e, err := message.Read(io.LimitReader(r, maxReport))
	if e == nil {
		return message.Header{}, err
	}
	return e.Header, nil
}

func readMax(r io.Reader, n int64) []byte {
	b, _ := io.ReadAll(io.LimitReader(r, n))
	return b
}

// decodedText is a header field with RFC 2047 words decoded.
func decodedText(h message.Header, name string) (string, error) {
	f := h.FieldsByKey(name)
	if !f.Next() {
		return "", nil
	}
	return f.Text()
}

// firstAddress is the first address of a header field, lower case.
func firstAddress(v string) string {
	if as := addresses(v); len(as) > 0 {
		return as[0]
	}
	return ""
}

// addresses parses an address list, lower case; a list that does not
// parse yields the addresses it can find.
func addresses(v string) []string {
	if v == "" {
		return nil
	}
	list, err := mail.ParseAddressList(v)
	var out []string
	if err == nil {
		for _, a := range list {
			out = append(out, strings.ToLower(a.Address))
		}
		return out
	}
	for _, f := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' || r == '<' || r == '>' }) {
		if strings.Contains(f, "@") {
			out = append(out, strings.ToLower(strings.Trim(f, `"'`)))
		}
	}
	return out
}

// msgID is a Message-ID without its angle brackets.
func msgID(v string) string {
	v = strings.TrimSpace(v)
	if i := strings.IndexByte(v, '<'); i >= 0 {
		v = v[i+1:]
		if j := strings.IndexByte(v, '>'); j >= 0 {
			v = v[:j]
		}
	}
	return strings.TrimSpace(v)
}

// htmlText is a rough text of an HTML body: tags dropped, for the event
// of a mail that has no text part.
func htmlText(s string) string {
	var b strings.Builder
	in := false
	for _, r := range s {
		switch {
		case r == '<':
			in = true
		case r == '>':
			in = false
		case !in:
			b.WriteRune(r)
		}
	}
	return strings.TrimSpace(b.String())
}

// fieldBlocks reads a delivery-status or feedback-report body: groups of
// "Name: value" fields (with folded continuation lines) separated by
// blank lines, names lower case.
func fieldBlocks(b []byte) []map[string]string {
	var out []map[string]string
	cur := map[string]string{}
	last := ""
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 0, 4096), maxReport)
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), "\r")
		switch {
		case strings.TrimSpace(line) == "":
			if len(cur) > 0 {
				out = append(out, cur)
				cur, last = map[string]string{}, ""
			}
		case (line[0] == ' ' || line[0] == '\t') && last != "":
			cur[last] += " " + strings.TrimSpace(line)
		default:
			name, value, ok := strings.Cut(line, ":")
			if !ok {
				continue
			}
			last = strings.ToLower(strings.TrimSpace(name))
			if _, dup := cur[last]; !dup {
				cur[last] = strings.TrimSpace(value)
			}
		}
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}
