package condition

import "regexp"

// syntaxErrors are the parser's messages for the syntax errors people
// make most (as a CompileError's Issue.Message holds them, after
// "Syntax error: "), in the order they are tried; the names of their
// groups are the parts.
var syntaxErrors = []messagePattern{
	// A text opened and not closed: the lexer stops at its quote.
	{"unclosed_string", regexp.MustCompile(`token recognition error at: '(?P<quote>['"])`)},
	// "=" alone is no operator; the lexer stops at it.
	{"single_equals", regexp.MustCompile(`token recognition error at: '=`)},
	{"bad_char", regexp.MustCompile(`token recognition error at: '(?P<token>.+)'$`)},
	{"missing_at_end", regexp.MustCompile(`missing '(?P<token>.+?)' at '<EOF>'`)},
	{"missing", regexp.MustCompile(`missing '(?P<token>.+?)' at '(?P<at>.+)'$`)},
	{"unexpected_end", regexp.MustCompile(`(?:mismatched|extraneous) input '<EOF>'`)},
	{"word_operator", regexp.MustCompile(`(?:mismatched|extraneous) input '(?P<token>and|or|not|AND|OR|NOT|And|Or|Not)' expecting`)},
	{"unexpected", regexp.MustCompile(`(?:(?:mismatched|extraneous) input|no viable alternative at input) '(?P<token>.+?)'(?: expecting|$)`)},
}

// ReadSyntaxError reads a compile issue's message back when it is one of
// the parser's syntax errors people make most, so that the cockpit can
// say it in the reader's language (as ReadFailure does for evaluation
// errors). Kind is one of unclosed_string (part quote), single_equals,
// bad_char (token), missing_at_end (token), missing (token, at),
// unexpected_end, word_operator (token), unexpected (token); ok is false
// for any other message.
func ReadSyntaxError(msg string) (f Failure, ok bool) {
	return read(syntaxErrors, msg)
}
