package smtptest

import (
	"encoding/json"
	"os/exec"
	"sync"
	"testing"
)

// DKIMResult is what dkimpy, an implementation of DKIM written apart from
// Herold's, makes of one DKIM-Signature of a message.
type DKIMResult struct {
	// Valid is true when the signature verified against the key in the
	// zone given to VerifyDKIM.
	Valid bool
	// Domain, Selector and Algorithm are the d=, s= and a= tags.
	Domain, Selector, Algorithm string
	// Headers are the h= tag's field names, lower case, in order.
	Headers []string
	// Log is what dkimpy logged while verifying: the reason for a failure.
	Log []string
}

const dkimScript = `
import base64, dkim, json, logging, re, shlex, sys
zone = {}
for line in json.loads(sys.argv[1]):
    f = shlex.split(line)
    # name TTL IN TXT "string" "string" ...: the strings are joined as a
    # resolver joins the character-strings of one TXT record.
    assert f[2:4] == ["IN", "TXT"], line
    zone[f[0].rstrip(".").lower()] = "".join(f[4:]).encode()
def dnsfunc(name, timeout=5):
    return zone.get(name.decode().rstrip(".").lower())
class Capture(logging.Handler):
    def __init__(self):
        super().__init__()
        self.lines = []
    def emit(self, record):
        self.lines.append(record.getMessage())
def verify(msg):
  out = []
  n = len([1 for k, _ in dkim.DKIM(msg).headers if k.lower() == b"dkim-signature"])
  for i in range(n):
      log = logging.getLogger("dkim%d" % i)
      cap = Capture()
      log.addHandler(cap)
      log.setLevel(logging.DEBUG)
      d = dkim.DKIM(msg, logger=log)
      try:
          ok = d.verify(idx=i, dnsfunc=dnsfunc)
      except Exception as e:
          ok = False
          cap.lines.append("%s: %s" % (type(e).__name__, e))
      log.removeHandler(cap)
      sig = d.signature_fields or {}
      get = lambda k: sig.get(k, b"").decode()
      out.append({"Valid": bool(ok), "Domain": get(b"d"), "Selector": get(b"s"), "Algorithm": get(b"a"),
          "Headers": [h.strip().lower() for h in re.split(r"\s*:\s*", get(b"h"))] if sig else [],
          "Log": [l for l in cap.lines if not l.startswith(("sign ", "body hashed", "bh:", "sig:", "signed for"))]})
  return out
msgs = json.loads(sys.stdin.read())
print(json.dumps([verify(base64.b64decode(m)) for m in msgs]))
`

// VerifyDKIM verifies every DKIM-Signature of raw with dkimpy (Debian's
// python3-dkim), its DNS answered from zone: TXT records in zone-file
// syntax as `herold dkim keygen` prints them
// (`sel._domainkey.example.org. 3600 IN TXT "v=DKIM1; …" "…"`). The results
// are in the order of the signatures, topmost first. Without a python3
// that can import dkim the test is skipped, or fails when the CI
// environment variable is "true": CI must run it.
func VerifyDKIM(t testing.TB, raw []byte, zone []string) []DKIMResult {
	t.Helper()
	return VerifyDKIMAll(t, [][]byte{raw}, zone)[0]
}

// VerifyDKIMAll is VerifyDKIM for several messages at once: one python3
// process for all, which saves a fraction of a second per message.
func VerifyDKIMAll(t testing.TB, raws [][]byte, zone []string) [][]DKIMResult {
	t.Helper()
	arg, err := json.Marshal(zone)
	if err != nil {
		t.Fatal(err)
	}
	in, err := json.Marshal(raws) // base64 for each message
	if err != nil {
		t.Fatal(err)
	}
	out := runPython(t, dkimPython(), "python3 with the dkim module (Debian: python3-dkim)", in, dkimScript, string(arg))
	var res [][]DKIMResult
	if err := json.Unmarshal(out, &res); err != nil || len(res) != len(raws) {
		t.Fatalf("dkimpy output %q for %d messages: %v", out, len(raws), err)
	}
	return res
}

// dkimPython is the first python3 that imports dkim: the one on PATH, or
// Debian's (where python3-dkim installs it) when PATH leads to another
// installation such as pyenv's.
var dkimPython = sync.OnceValue(func() string {
	candidates := []string{"/usr/bin/python3"}
	if p, err := exec.LookPath("python3"); err == nil {
		candidates = append([]string{p}, candidates...)
	}
	for _, p := range candidates {
		if exec.Command(p, "-c", "import dkim").Run() == nil {
			return p
		}
	}
	return ""
})
