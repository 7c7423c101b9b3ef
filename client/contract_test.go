package client

import (
	"cmp"
	"encoding/json"
	"maps"
	"net/url"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// The client's side of the contract: every operation the client calls is
// checked against the server's OpenAPI document, field by field, in both
// directions, so a field added to the API cannot be missing from the
// client unnoticed (and the client sends nothing the API does not know).

// contract lists the operations the client covers with the Go values it
// sends and decodes, and the query it can build.
var contract = []struct {
	op       string
	req      any // the request body's type (nil: none)
	resp     any // the answer's type (nil: not decoded)
	query    url.Values
	required bool // the operation takes ?limit and ?cursor
}{
	{op: "getWorkspace", resp: Workspace{}},
	{op: "listContacts", resp: page[Contact]{}, required: true},
	{op: "bulkUpsertContacts", req: bulkRequest{}, resp: BulkResult{}},
	{op: "getContact", resp: Contact{}},
	{op: "putContact", req: Contact{}},
	{op: "deleteContact"},
	{op: "getContactPreferences", resp: Preferences{}},
	{op: "putContactPreferences", req: preferencesRequest{}, resp: Preferences{}},
	{op: "listObjects", resp: page[Object]{}, required: true},
	{op: "getObject", resp: Object{}},
	{op: "putObject", req: Object{}},
	{op: "deleteObject"},
	{op: "sendEvent", req: Event{}, resp: EventResult{}},
	{op: "sendEventBatch", req: batchRequest{}, resp: batchAnswer{}},
	{op: "listEvents", resp: page[StoredEvent]{}, required: true, query: EventFilter{Contact: "c", Project: "p", Type: "t",
		Since: time.Now(), Until: time.Now()}.query()},
	{op: "getEvent", resp: EventDetail{}},
	{op: "explainEvent", resp: Explanation{}, query: langQuery("de")},
	{op: "dryRunEvent", req: Event{}, resp: Explanation{}, query: langQuery("de")},
	{op: "listMessages", resp: page[Message]{}, required: true, query: MessageFilter{Contact: "c", Event: "e", Email: "x@example.org",
		Project: "p", Statuses: []MessageStatus{StatusSent}, Since: time.Now(), Until: time.Now()}.query()},
	{op: "getMessage", resp: Message{}},
	{op: "approveMessage", req: decisionRequest{}},
	{op: "declineMessage", req: decisionRequest{}},
	{op: "listConfirmations", resp: page[Message]{}, required: true, query: ConfirmationFilter{Project: "p", Event: "e",
		OlderThan: time.Hour}.query()},
	{op: "approveConfirmations", req: decisionRequest{}, resp: decisionResults{}},
	{op: "declineConfirmations", req: decisionRequest{}, resp: decisionResults{}},
	{op: "sendManualMessage", req: ManualMessage{}, resp: EventResult{}},
	{op: "simulateFlow", req: Simulation{}, resp: Timeline{}, query: langQuery("de")},

	{op: "listWatchers", resp: watcherList{}},
	{op: "putWatcher", resp: watcherList{}},
	{op: "deleteWatcher"},
	{op: "listWatching", resp: page[ObjectRef]{}, required: true},
}

type openAPI struct {
	doc     map[string]any
	ops     map[string]map[string]any // by operationId
	opPaths map[string]map[string]any // the path item of each operation
}

func loadOpenAPI(t *testing.T) *openAPI {
	t.Helper()
	b, err := os.ReadFile("../internal/httpapi/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	a := &openAPI{ops: map[string]map[string]any{}, opPaths: map[string]map[string]any{}}
	if err := json.Unmarshal(b, &a.doc); err != nil {
		t.Fatal(err)
	}
	for _, item := range a.doc["paths"].(map[string]any) {
		for method, op := range item.(map[string]any) {
			if m, ok := op.(map[string]any); ok && method != "parameters" {
				a.ops[m["operationId"].(string)] = m
				a.opPaths[m["operationId"].(string)] = item.(map[string]any)
			}
		}
	}
	return a
}

// resolve follows $ref and merges allOf into one schema.
func (a *openAPI) resolve(s map[string]any) map[string]any {
	if ref, ok := s["$ref"].(string); ok {
		var cur any = a.doc
		for _, part := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
			cur = cur.(map[string]any)[part]
		}
		return a.resolve(cur.(map[string]any))
	}
	all, ok := s["allOf"].([]any)
	if !ok {
		return s
	}
	merged := map[string]any{}
	props := map[string]any{}
	var required []any
	for _, part := range all {
		r := a.resolve(part.(map[string]any))
		for k, v := range r {
			merged[k] = v
		}
		if p, ok := r["properties"].(map[string]any); ok {
			maps.Copy(props, p)
		}
		if req, ok := r["required"].([]any); ok {
			required = append(required, req...)
		}
	}
	if len(props) > 0 {
		merged["properties"] = props
		merged["required"] = required
	}
	return merged
}

func (a *openAPI) bodySchema(t *testing.T, op string, where string) map[string]any {
	t.Helper()
	o := a.ops[op]
	var content any
	if where == "request" {
		rb, _ := o["requestBody"].(map[string]any)
		content = rb["content"]
	} else {
		rs := o["responses"].(map[string]any)
		for _, code := range []string{"200", "201"} {
			if r, ok := rs[code].(map[string]any); ok {
				content = a.resolve(r)["content"]
				break
			}
		}
	}
	c, _ := content.(map[string]any)
	j, _ := c["application/json"].(map[string]any)
	s, _ := j["schema"].(map[string]any)
	if s == nil {
		t.Fatalf("%s: no JSON %s body in openapi.json", op, where)
	}
	return a.resolve(s)
}

func (a *openAPI) queryParams(op string) []string {
	var names []string
	params, _ := a.ops[op]["parameters"].([]any)
	pathParams, _ := a.opPaths[op]["parameters"].([]any)
	for _, p := range append(params, pathParams...) {
		r := a.resolve(p.(map[string]any))
		if r["in"] == "query" {
			names = append(names, r["name"].(string))
		}
	}
	slices.Sort(names)
	return names
}

func TestContractCoversHostOperations(t *testing.T) {
	t.Parallel()
	a := loadOpenAPI(t)
	covered := map[string]bool{}
	for _, c := range contract {
		if a.ops[c.op] == nil {
			t.Errorf("the client covers %s, which openapi.json does not have", c.op)
		}
		covered[c.op] = true
	}
	// Everything an ingest key may call is what a host application does.
	for id, op := range a.ops {
		scopes, _ := op["x-herold-scopes"].([]any)
		if slices.Contains(scopes, any("ingest")) && !covered[id] {
			t.Errorf("an ingest key may call %s, but the client has no method for it", id)
		}
	}
}

func TestContractRequests(t *testing.T) {
	t.Parallel()
	a := loadOpenAPI(t)
	for _, c := range contract {
		if c.req == nil {
			continue
		}
		schema := a.bodySchema(t, c.op, "request")
		// Every field filled: the client sends each field of the API, and
		// none the API does not know.
		full := reflect.New(reflect.TypeOf(c.req)).Elem()
		fill(full)
		b, err := json.Marshal(full.Interface())
		if err != nil {
			t.Fatal(err)
		}
		var v any
		_ = json.Unmarshal(b, &v)
		a.checkSent(t, c.op, "", v, schema)
		// Nothing filled: the required fields are still sent.
		b, _ = json.Marshal(reflect.New(reflect.TypeOf(c.req)).Elem().Interface())
		var zero map[string]any
		_ = json.Unmarshal(b, &zero)
		for _, r := range asStrings(schema["required"]) {
			if _, ok := zero[r]; !ok {
				t.Errorf("%s: the client leaves out the required field %q when it is empty", c.op, r)
			}
		}
	}
}

// checkSent compares a JSON value the client sends with its schema.
func (a *openAPI) checkSent(t *testing.T, op, path string, v any, s map[string]any) {
	t.Helper()
	s = a.resolve(s)
	if one, ok := s["oneOf"].([]any); ok {
		for _, alt := range one {
			r := a.resolve(alt.(map[string]any))
			if _, isObj := v.(map[string]any); isObj == (r["properties"] != nil) {
				a.checkSent(t, op, path, v, r)
				return
			}
		}
		t.Errorf("%s: %s matches no alternative", op, path)
		return
	}
	switch x := v.(type) {
	case map[string]any:
		if props, ok := s["properties"].(map[string]any); ok {
			for _, name := range slices.Sorted(maps.Keys(props)) {
				if _, sent := x[name]; !sent {
					t.Errorf("%s: the client cannot send %s%s", op, path, name)
				}
			}
			for _, name := range slices.Sorted(maps.Keys(x)) {
				if props[name] == nil {
					t.Errorf("%s: the client sends %s%s, which the API does not know", op, path, name)
					continue
				}
				a.checkSent(t, op, path+name+".", x[name], props[name].(map[string]any))
			}
		} else if ap, ok := s["additionalProperties"].(map[string]any); ok {
			for k, e := range x {
				a.checkSent(t, op, path+k+".", e, ap)
			}
		}
	case []any:
		if items, ok := s["items"].(map[string]any); ok {
			for _, e := range x {
				a.checkSent(t, op, path, e, items)
			}
		}
	}
}

func TestContractResponses(t *testing.T) {
	t.Parallel()
	a := loadOpenAPI(t)
	for _, c := range contract {
		if c.resp == nil {
			continue
		}
		a.checkType(t, c.op, "", reflect.TypeOf(c.resp), a.bodySchema(t, c.op, "response"))
	}
}

// checkType compares the fields a Go type decodes with the schema.
func (a *openAPI) checkType(t *testing.T, op, path string, typ reflect.Type, s map[string]any) {
	t.Helper()
	s = a.resolve(s)
	for typ.Kind() == reflect.Pointer {
		typ = typ.Elem()
	}
	switch typ.Kind() {
	case reflect.Slice:
		if items, ok := s["items"].(map[string]any); ok {
			a.checkType(t, op, path, typ.Elem(), items)
		}
	case reflect.Map:
		if ap, ok := s["additionalProperties"].(map[string]any); ok {
			a.checkType(t, op, path, typ.Elem(), ap)
		}
	case reflect.Struct:
		if typ == reflect.TypeFor[time.Time]() {
			return
		}
		props, _ := s["properties"].(map[string]any)
		fields := jsonFields(typ)
		for _, name := range slices.Sorted(maps.Keys(props)) {
			f, ok := fields[name]
			if !ok {
				t.Errorf("%s: the API answers %s%s, which %s does not read", op, path, name, typ.Name())
				continue
			}
			a.checkType(t, op, path+name+".", f, props[name].(map[string]any))
		}
		for _, name := range slices.Sorted(maps.Keys(fields)) {
			if props[name] == nil {
				t.Errorf("%s: %s reads %s%s, which the API does not answer", op, typ.Name(), path, name)
			}
		}
	}
}

// jsonFields returns the JSON names a struct decodes and their types, as
// encoding/json sees them (embedded structs flattened, "-" skipped).
func jsonFields(typ reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for _, f := range reflect.VisibleFields(typ) {
		if !f.IsExported() {
			continue
		}
		tag, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if tag == "-" || f.Anonymous && tag == "" {
			continue
		}
		out[cmp.Or(tag, f.Name)] = f.Type
	}
	return out
}

func asStrings(v any) []string {
	var out []string
	l, _ := v.([]any)
	for _, x := range l {
		out = append(out, x.(string))
	}
	return out
}

// fill sets every field of v to a non-zero value.
func fill(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fill(v.Elem())
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			v.Set(reflect.ValueOf(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)))
			return
		}
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fill(v.Field(i))
			}
		}
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 1, 1))
		fill(v.Index(0))
	case reflect.Map:
		v.Set(reflect.MakeMap(v.Type()))
		e := reflect.New(v.Type().Elem()).Elem()
		fill(e)
		v.SetMapIndex(reflect.ValueOf("k").Convert(v.Type().Key()), e)
	case reflect.String:
		v.SetString("x")
	case reflect.Int, reflect.Int64:
		v.SetInt(1)
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Interface:
		v.Set(reflect.ValueOf("x"))
	}
}

func TestContractQueries(t *testing.T) {
	t.Parallel()
	a := loadOpenAPI(t)
	for _, c := range contract {
		want := a.queryParams(c.op)
		got := slices.Collect(maps.Keys(c.query))
		if c.required {
			got = append(got, "limit", "cursor")
		}
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("%s: the client sets the query parameters %v, the API takes %v", c.op, got, want)
		}
	}
}

// TestContractEnums: every value of the API's enums has a constant.
func TestContractEnums(t *testing.T) {
	t.Parallel()
	a := loadOpenAPI(t)
	schemas := a.doc["components"].(map[string]any)["schemas"].(map[string]any)
	consts := map[string][]string{
		"MessageStatus": {string(StatusAwaitingConfirmation), string(StatusDeclined), string(StatusExpired), string(StatusQueued),
			string(StatusSending), string(StatusRetrying), string(StatusSent), string(StatusFailed), string(StatusSuppressed)},
		"TimelineStatus": {string(StatusPlanned), string(StatusAwaitingConfirmation), string(StatusApproved), string(StatusDeclined),
			string(StatusExpired), string(StatusQueued), string(StatusSending), string(StatusRetrying), string(StatusSent),
			string(StatusFailed), string(StatusSuppressed), string(StatusUnsubscribed), string(StatusBounced), string(StatusComplained)},
		"FieldErrorCode": {string(CodeRequired), string(CodeInvalid), string(CodeInvalidEmail), string(CodeLineBreak),
			string(CodeUnknownReference), string(CodeDuplicate), string(CodeReserved), string(CodeTemplateError),
			string(CodeConditionError), string(CodeUnknownField), string(CodeWrongType), string(CodeMalformedJSON),
			string(CodeTooLong), string(CodeMismatch), string(CodeTooDeep), string(CodeTooManyValues),
			string(CodeNumberOutOfRange), string(CodeSenderNotAllowed)},
		"EventSource": {string(SourceAPI), string(SourceSchedule), string(SourceManual), string(SourceBroadcast), string(SourceMail)},
		"StepCode": {string(StepEventReceived), string(StepEventManual), string(StepEventScheduled), string(StepScheduleExcluded), string(StepScheduleError), string(StepProjectUnknown), string(StepProjectNoFlow), string(StepFlowUnknown), string(StepObjectUnknown), string(StepFlowUsed), string(StepFlowNoNotification), string(StepNotificationOtherEvent), string(StepNotificationInactive), string(StepNotificationConditionFalse), string(StepNotificationConditionError), string(StepNotificationMatched), string(StepRecipientsRoleEmpty), string(StepRecipientsContactUnknown), string(StepRecipientsNoObject), string(StepRecipientsNone), string(StepRecipientDuplicate), string(StepRecipientSuppressed), string(StepMessageAwaitingConfirmation), string(StepMessageQueued), string(StepMessageRenderFailed), string(StepMessageApproved), string(StepMessageDeclined), string(StepMessageExpired), string(StepMessageSending), string(StepMessageInterrupted), string(StepMessageRetrying), string(StepMessageSent), string(StepMessageFailed), string(StepEventBroadcast), string(StepMessageCancelled), string(StepMessageBounced), string(StepMessageComplained), string(StepWebhookQueued),
			string(StepRecipientsNoWatchers), string(StepDigestCollected), string(StepDigestOpen), string(StepDigestSent)},
	}
	for name, have := range consts {
		want := asStrings(schemas[name].(map[string]any)["enum"])
		slices.Sort(want)
		slices.Sort(have)
		if !slices.Equal(have, want) {
			t.Errorf("%s: the client's constants %v, the API's values %v", name, have, want)
		}
	}
}
