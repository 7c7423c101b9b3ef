package smtptest

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// PythonMail is a message as Python's email package reads it with its
// default policy (email.policy.default): a parser written apart from Go's,
// and the one many mail tools and scripts use.
type PythonMail struct {
	// Headers are the fields in order, each [name, decoded value] as
	// str(message[name]) gives it: encoded-words decoded, lines unfolded.
	Headers [][2]string
	// To are the display names of the To field.
	To []string
	// Text and HTML are the text/plain and text/html bodies, nil when the
	// message has none.
	Text, HTML *string
	// Defects are the problems Python found in the message and its fields.
	Defects []string
}

// Header returns the decoded value of the first field called name (case
// does not matter), or "".
func (m *PythonMail) Header(name string) string {
	for _, h := range m.Headers {
		if strings.EqualFold(h[0], name) {
			return h[1]
		}
	}
	return ""
}

const pythonScript = `
import email, email.policy, json, sys
m = email.message_from_binary_file(sys.stdin.buffer, policy=email.policy.default)
def body(t):
    p = m.get_body((t,))
    return None if p is None else p.get_content()
defects = [str(d) for d in m.defects]
for k, v in m.items():
    defects += [k + ": " + str(d) for d in getattr(v, "defects", ())]
print(json.dumps({"Headers": [[k, str(v)] for k, v in m.items()],
    "To": [a.display_name for a in m["to"].addresses] if m["to"] else [],
    "Text": body("plain"), "HTML": body("html"), "Defects": defects}))
`

// ReadWithPython parses raw with python3's email package. Without python3
// the test is skipped, or fails when the CI environment variable is
// "true": CI must run it.
func ReadWithPython(t testing.TB, raw []byte) *PythonMail {
	t.Helper()
	python, _ := exec.LookPath("python3")
	out := runPython(t, python, "python3", raw, pythonScript)
	var m PythonMail
	if err := json.Unmarshal(out, &m); err != nil {
		t.Fatalf("python3 output %q: %v", out, err)
	}
	return &m
}

// runPython runs script with python (skipping the test when it is "",
// or failing it when the CI environment variable is "true": CI must run
// it; missing names what to install) and returns its standard output.
func runPython(t testing.TB, python, missing string, stdin []byte, script string, args ...string) []byte {
	t.Helper()
	if python == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s not found; CI=true requires the tests that use it", missing)
		}
		t.Skip(missing + " not found")
	}
	cmd := exec.Command(python, append([]string{"-c", script}, args...)...)
	cmd.Stdin = bytes.NewReader(stdin)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s: %v\n%s", python, err, stderr.Bytes())
	}
	return out
}
