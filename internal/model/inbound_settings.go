package model

import (
	"regexp"
	"strconv"
	"strings"
)

// InboundSettings are a workspace's choices for mail it receives (see
// docs/inbound.md): whether its mail carries a tracked Reply-To, a subject
// token that names an object, and rules for mail that answers nothing.
type InboundSettings struct {
	// ReplyTracking replaces the Reply-To of the workspace's mail, while
	// the inbound listener is on, with a signed reply address
	// (KEY+r.TOKEN@inbound-domain) that names the message, so a reply is
	// matched even when the mail client drops In-Reply-To. Default off:
	// it overrides the Reply-To a template or flow sets.
	ReplyTracking bool `json:"reply_tracking,omitempty" yaml:"reply_tracking,omitempty"`
	// SubjectToken matches mail that answers no message by a token in its
	// subject, e.g. "[T-1234]" to the object tickets/1234.
	SubjectToken *SubjectToken `json:"subject_token,omitempty" yaml:"subject_token,omitempty"`
	// Rules put mail that nothing else matched in a project, the first
	// rule that applies wins.
	Rules []InboundRule `json:"rules,omitempty" yaml:"rules,omitempty"`
}

// SubjectToken is a pattern (RE2) with one group, the object id, in the
// subject of received mail, the collection of the objects it names and
// the project whose flow acts on the mail.
type SubjectToken struct {
	Pattern    string `json:"pattern" yaml:"pattern"`
	Collection string `json:"collection" yaml:"collection"`
	Project    string `json:"project" yaml:"project"`
}

// InboundRule puts received mail from a sender domain, or to a recipient
// tag (KEY+TAG@inbound-domain), in a project. A rule with both needs both.
type InboundRule struct {
	SenderDomain string `json:"sender_domain,omitempty" yaml:"sender_domain,omitempty"`
	Tag          string `json:"tag,omitempty" yaml:"tag,omitempty"`
	Project      string `json:"project" yaml:"project"`
}

// Bounds of the inbound settings: a pattern is compiled for every
// received mail, so it and the number of rules stay small.
const (
	MaxSubjectTokenPattern = 200
	MaxInboundRules        = 50
)

// FieldProblem is a problem with one field of a setting, named by its
// JSON path.
type FieldProblem struct {
	Field, Detail string
}

// Check returns the problems of s, each with the field's path under
// "inbound".
func (s *InboundSettings) Check() []FieldProblem {
	var out []FieldProblem
	add := func(f, d string) { out = append(out, FieldProblem{"inbound." + f, d}) }
	if t := s.SubjectToken; t != nil {
		if _, err := t.Compile(); err != nil {
			add("subject_token.pattern", err.Error())
		}
		if !ValidName(t.Collection) {
			add("subject_token.collection", "must be a collection name (letters, digits, '_', '-', '.')")
		}
		if !ValidName(t.Project) {
			add("subject_token.project", "must be a project key")
		}
	}
	if len(s.Rules) > MaxInboundRules {
		add("rules", "at most 50 rules")
		return out
	}
	for i, r := range s.Rules {
		f := "rules[" + strconv.Itoa(i) + "]."
		if r.SenderDomain == "" && r.Tag == "" {
			add(f+"sender_domain", "a rule needs a sender_domain or a tag")
		}
		if r.SenderDomain != "" && (len(r.SenderDomain) > 253 || strings.ContainsAny(r.SenderDomain, "@ \t")) {
			add(f+"sender_domain", "must be a domain such as example.org")
		}
		if r.Tag != "" && (len(r.Tag) > 64 || strings.ContainsAny(r.Tag, "@+ \t")) {
			add(f+"tag", "must be the part after + in KEY+TAG@domain")
		}
		if !ValidName(r.Project) {
			add(f+"project", "must be a project key")
		}
	}
	return out
}

// Compile compiles the pattern: RE2 (linear time), at most 200
// characters, with exactly one group, the object id.
func (t *SubjectToken) Compile() (*regexp.Regexp, error) {
	if t.Pattern == "" || len(t.Pattern) > MaxSubjectTokenPattern {
		return nil, errString("must be a pattern of 1 to 200 characters")
	}
	re, err := regexp.Compile(t.Pattern)
	if err != nil {
		return nil, errString("is not a valid pattern: " + strings.TrimPrefix(err.Error(), "error parsing regexp: "))
	}
	if re.NumSubexp() != 1 {
		return nil, errString("must have exactly one group (…), the object id, e.g. \\[T-(\\d+)\\]")
	}
	return re, nil
}

type errString string

func (e errString) Error() string { return string(e) }
