package render

import "strings"

// quirksMode reports whether an HTML5 parser reads a document with this
// doctype (the text after "<!DOCTYPE") in quirks mode, following
// https://html.spec.whatwg.org/#the-initial-insertion-mode as
// golang.org/x/net/html does. HTMLToText needs it for one rule that
// e-mails without a doctype meet: in quirks mode a <table> does not end
// an open <p>.
func quirksMode(doctype string) bool {
	name, rest := doctype, ""
	if i := strings.IndexAny(doctype, htmlSpace); i >= 0 {
		name, rest = doctype[:i], strings.TrimLeft(doctype[i:], htmlSpace)
	}
	quirks := name != "html" // case-sensitive, like the parser
	if len(rest) < len("public") {
		return quirks || rest != ""
	}
	public, system, ok := doctypeIDs(rest)
	if !ok {
		return true
	}
	if public != nil {
		p := strings.ToLower(*public)
		switch p {
		case "-//w3o//dtd w3 html strict 3.0//en//", "-/w3d/dtd html 4.0 transitional/en", "html":
			quirks = true
		}
		for _, q := range quirkyPublicIDs {
			quirks = quirks || strings.HasPrefix(p, q)
		}
		// These two only without a system identifier.
		if system == nil && (strings.HasPrefix(p, "-//w3c//dtd html 4.01 frameset//") ||
			strings.HasPrefix(p, "-//w3c//dtd html 4.01 transitional//")) {
			quirks = true
		}
	}
	if system != nil && strings.EqualFold(*system, "http://www.ibm.com/data/dtd/v11/ibmxhtml1-transitional.dtd") {
		quirks = true
	}
	return quirks
}

// doctypeIDs reads `PUBLIC "public" "system"` or `SYSTEM "system"`; ok is
// false when anything else is there, which means quirks mode.
func doctypeIDs(s string) (public, system *string, ok bool) {
	key := strings.ToLower(s[:len("public")])
	s = s[len("public"):]
	for key == "public" || key == "system" {
		s = strings.TrimLeft(s, htmlSpace)
		if s == "" {
			break
		}
		quote := s[0]
		if quote != '"' && quote != '\'' {
			break
		}
		id := s[1:]
		s = ""
		if i := strings.IndexByte(id, quote); i >= 0 {
			id, s = id[:i], id[i+1:]
		}
		if key == "public" {
			public, key = &id, "system"
		} else {
			system, key = &id, ""
		}
	}
	return public, system, key == "" && s == ""
}

// quirkyPublicIDs are the public identifier prefixes (lower case) that put
// a document in quirks mode.
var quirkyPublicIDs = []string{
	"+//silmaril//dtd html pro v0r11 19970101//",
	"-//advasoft ltd//dtd html 3.0 aswedit + extensions//",
	"-//as//dtd html 3.0 aswedit + extensions//",
	"-//ietf//dtd html 2.0 level 1//",
	"-//ietf//dtd html 2.0 level 2//",
	"-//ietf//dtd html 2.0 strict level 1//",
	"-//ietf//dtd html 2.0 strict level 2//",
	"-//ietf//dtd html 2.0 strict//",
	"-//ietf//dtd html 2.0//",
	"-//ietf//dtd html 2.1e//",
	"-//ietf//dtd html 3.0//",
	"-//ietf//dtd html 3.2 final//",
	"-//ietf//dtd html 3.2//",
	"-//ietf//dtd html 3//",
	"-//ietf//dtd html level 0//",
	"-//ietf//dtd html level 1//",
	"-//ietf//dtd html level 2//",
	"-//ietf//dtd html level 3//",
	"-//ietf//dtd html strict level 0//",
	"-//ietf//dtd html strict level 1//",
	"-//ietf//dtd html strict level 2//",
	"-//ietf//dtd html strict level 3//",
	"-//ietf//dtd html strict//",
	"-//ietf//dtd html//",
	"-//metrius//dtd metrius presentational//",
	"-//microsoft//dtd internet explorer 2.0 html strict//",
	"-//microsoft//dtd internet explorer 2.0 html//",
	"-//microsoft//dtd internet explorer 2.0 tables//",
	"-//microsoft//dtd internet explorer 3.0 html strict//",
	"-//microsoft//dtd internet explorer 3.0 html//",
	"-//microsoft//dtd internet explorer 3.0 tables//",
	"-//netscape comm. corp.//dtd html//",
	"-//netscape comm. corp.//dtd strict html//",
	"-//o'reilly and associates//dtd html 2.0//",
	"-//o'reilly and associates//dtd html extended 1.0//",
	"-//o'reilly and associates//dtd html extended relaxed 1.0//",
	"-//softquad software//dtd hotmetal pro 6.0::19990601::extensions to html 4.0//",
	"-//softquad//dtd hotmetal pro 4.0::19971010::extensions to html 4.0//",
	"-//spyglass//dtd html 2.0 extended//",
	"-//sq//dtd html 2.0 hotmetal + extensions//",
	"-//sun microsystems corp.//dtd hotjava html//",
	"-//sun microsystems corp.//dtd hotjava strict html//",
	"-//w3c//dtd html 3 1995-03-24//",
	"-//w3c//dtd html 3.2 draft//",
	"-//w3c//dtd html 3.2 final//",
	"-//w3c//dtd html 3.2//",
	"-//w3c//dtd html 3.2s draft//",
	"-//w3c//dtd html 4.0 frameset//",
	"-//w3c//dtd html 4.0 transitional//",
	"-//w3c//dtd html experimental 19960712//",
	"-//w3c//dtd html experimental 970421//",
	"-//w3c//dtd w3 html//",
	"-//w3o//dtd w3 html 3.0//",
	"-//webtechs//dtd mozilla html 2.0//",
	"-//webtechs//dtd mozilla html//",
}
