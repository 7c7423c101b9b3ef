// Package render compiles and renders Herold's e-mail templates: one
// content per locale with a subject (text/template), an HTML body
// (html/template, escaped by context) and a text body (text/template), in
// Go template syntax with missingkey=error.
//
// Compile is the save-time validation. It reports every problem it finds,
// with part, line and (where known) column: syntax errors, unknown
// functions, placeholders outside the documented data model
// (model.DataRoots: {{ .evnt.type }} or {{ .event.typo }} are rejected;
// fields below free-form roots such as data or contact are not checked),
// line breaks in the subject, and HTML escaping problems, which
// html/template would otherwise report only on the first send.
//
// Render renders a compiled template for one recipient, with the
// recipient's locale, time zone and the current time passed in Options,
// never read from the environment. The subject always comes out as one
// line. When the template has no text body, one is derived from the
// rendered HTML (HTMLToText).
//
// Templates are written by administrators and must not be able to hang or
// exhaust the server, so every render runs under Limits:
//
//   - a time budget: the parsed trees are rewritten so that every {{range}}
//     body and every {{define}}d template starts with a hidden call that
//     checks the deadline and the context (and bounds template recursion);
//     output writes and string-building functions check it too;
//   - a size limit per part, enforced by the output writer and, before they
//     allocate, by every function that builds strings (printf, print, join,
//     replace, ...); printf also rejects widths and precisions above 1000.
//
// The function set is curated (docs/templates.md documents every function):
// locale-aware dates and numbers, string and list helpers, integer
// arithmetic, and text/template's builtins. Nothing reads the clock, the
// environment or random numbers.
//
// Functions are bound to per-render state when a template set is built, so
// a Compiled keeps a pool of template sets, each with its own state; one
// Compiled can be rendered from many goroutines at once.
package render
