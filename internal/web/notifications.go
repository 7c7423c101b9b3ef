package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/service"
)

// notificationForm is the add/edit form of a notification; the recipient
// lists are textareas with one entry per line.
type notificationForm struct {
	IsNew      bool
	Key        string
	Name       string
	EventType  string
	Condition  string
	Template   string
	Recipients string
	CC         string
	BCC        string
	Status     string
	Category   string
	// Channels are the checked channels; none means e-mail.
	Channels []string
	// Webhook is the endpoint id the webhook channel posts to.
	Webhook string
	// Throttle holds one rule per line ("5/1h", "1/15m key {{ .object.id }}").
	Throttle string
	Urgent   bool
	// Digest is the digest part (see notification_digest.go).
	Digest digestForm
	// notRules are the throttle lines that are no rule at all, by the
	// rule's index, said once by throttleLineErrors.
	notRules map[int]string
}

// Sends reports whether the form has channel ch checked.
func (f notificationForm) Sends(ch string) bool { return slices.Contains(f.Channels, ch) }

type notificationPage struct {
	Flow       *model.Flow
	Form       notificationForm
	Templates  []*model.Template
	Statuses   []model.NotificationStatus
	EventTypes []string
	Categories []string
	// Endpoints are the workspace's webhook endpoints, for the webhook
	// channel.
	Endpoints []*model.WebhookEndpoint
	// Choices are what recipients, CC and BCC can be picked from.
	Choices []recipientChoice
}

func formFromNotification(n *model.Notification) notificationForm {
	join := func(rs []model.Recipient) string {
		out := make([]string, len(rs))
		for i, r := range rs {
			out[i] = string(r)
		}
		return strings.Join(out, "\n")
	}
	return notificationForm{Key: n.Key, Name: n.Name, EventType: n.EventType, Condition: n.Condition,
		Template: n.Template, Recipients: join(n.Recipients), CC: join(n.CC), BCC: join(n.BCC),
		Status: string(n.Status), Category: n.Category, Channels: n.Channels, Webhook: n.Webhook,
		Throttle: model.FormatThrottle(n.Throttle), Urgent: n.Urgent,
		Digest: digestFormFrom(n.Digest)}
}

// parseNotification reads the form into a notification and remembers on
// which line each recipient stood, for error messages.
func parseNotification(r *http.Request) (notificationForm, *model.Notification, map[string][]int) {
	f := notificationForm{
		Key: strings.TrimSpace(r.PostFormValue("key")), Name: strings.TrimSpace(r.PostFormValue("name")),
		EventType: strings.TrimSpace(r.PostFormValue("event_type")), Condition: strings.TrimSpace(r.PostFormValue("condition")),
		Template: r.PostFormValue("template"), Recipients: r.PostFormValue("recipients"), CC: r.PostFormValue("cc"),
		BCC: r.PostFormValue("bcc"), Status: r.PostFormValue("status"), Category: strings.TrimSpace(r.PostFormValue("category")),
		Channels: r.PostForm["channels"], Webhook: r.PostFormValue("webhook"),
		Throttle: r.PostFormValue("throttle"), Urgent: r.PostFormValue("urgent") == "on",
	}
	// What was picked in a list's "add" field joins the list.
	f.Recipients = addRecipient(f.Recipients, r.PostFormValue("add_recipients"))
	f.CC = addRecipient(f.CC, r.PostFormValue("add_cc"))
	f.BCC = addRecipient(f.BCC, r.PostFormValue("add_bcc"))
	n := &model.Notification{Key: f.Key, Name: f.Name, EventType: f.EventType, Condition: f.Condition,
		Template: f.Template, Status: model.NotificationStatus(f.Status), Category: f.Category, Channels: f.Channels,
		Urgent: f.Urgent}
	if f.Sends(model.ChannelWebhook) {
		n.Webhook = f.Webhook // the choice stays in the form, but counts only with the channel
	}
	f.Digest, n.Digest = parseDigest(r)
	lines := map[string][]int{}
	for _, list := range []struct {
		name string
		src  string
		dst  *[]model.Recipient
	}{{"recipients", f.Recipients, &n.Recipients}, {"cc", f.CC, &n.CC}, {"bcc", f.BCC, &n.BCC}} {
		entries, nums := splitLines(list.src)
		for _, e := range entries {
			*list.dst = append(*list.dst, model.Recipient(recipientText(e)))
		}
		lines[list.name] = nums
	}
	rules, nums := splitLines(f.Throttle)
	for i, line := range rules {
		rule, ok := model.ParseThrottleLine(line)
		if !ok {
			if f.notRules == nil {
				f.notRules = map[int]string{}
			}
			f.notRules[i] = line
		}
		n.Throttle = append(n.Throttle, rule)
	}
	lines["throttle"] = nums
	return f, n, lines
}

func (h *Handler) newNotification(w http.ResponseWriter, r *http.Request, rq *request) {
	form := notificationForm{IsNew: true, Status: string(model.StatusActive), Category: model.CategoryTransactional,
		Channels: []string{model.ChannelEmail}}
	h.renderNotification(w, r, rq, http.StatusOK, form, nil)
}

func (h *Handler) editNotification(w http.ResponseWriter, r *http.Request, rq *request) {
	n, err := h.svc.NotificationGet(r.Context(), rq.p.Workspace, r.PathValue("key"), r.PathValue("nkey"))
	if err != nil {
		h.fail(w, r, rq, err)
		return
	}
	h.renderNotification(w, r, rq, http.StatusOK, formFromNotification(n), nil)
}

func (h *Handler) renderNotification(w http.ResponseWriter, r *http.Request, rq *request, status int, form notificationForm, errs fieldErrors) {
	ws := rq.p.Workspace
	f, err := h.svc.FlowGet(r.Context(), ws, r.PathValue("key"))
	if err != nil {
		h.fail(w, r, rq, err)
		return
	}
	templates, err := h.allTemplates(r, ws)
	if err != nil {
		h.fail(w, r, rq, err)
		return
	}
	page := &notificationPage{Flow: f, Form: form, Templates: templates, Statuses: notificationStatuses}
	if page.Endpoints, err = h.svc.WebhookEndpoints(r.Context(), ws); err != nil {
		h.fail(w, r, rq, err)
		return
	}
	if page.Choices, err = h.recipientChoices(r, &localizer{cat: h.cat, lang: rq.lang, loc: ws.Location(), vocab: &ws.Vocabulary}, ws); err != nil {
		h.fail(w, r, rq, err)
		return
	}
	events, categories := map[string]bool{}, map[string]bool{model.CategoryTransactional: true}
	for _, n := range f.Notifications {
		events[n.EventType], categories[n.Category] = true, true
	}
	page.EventTypes, page.Categories = sortedSet(events), sortedSet(categories)
	title := "web.notification.edit_title"
	if form.IsNew {
		title = "web.notification.new_title"
	}
	v := h.newView(r, rq, "flows", title, "flow", f.Name, "key", form.Key)
	v.Page = page
	if errs != nil {
		v.Errors = errs
	}
	h.render(w, r, status, "notification", v)
}

func sortedSet(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func (h *Handler) addNotification(w http.ResponseWriter, r *http.Request, rq *request) {
	form, n, lines := parseNotification(r)
	form.IsNew = true
	flowKey := r.PathValue("key")
	err := h.svc.NotificationAdd(r.Context(), rq.p.Workspace, flowKey, n)
	if err != nil {
		h.notificationFailed(w, r, rq, form, lines, n, err)
		return
	}
	redirect(w, r, "/flows/"+pathEscape(flowKey)+"#n-"+n.Key, "notification_added")
}

func (h *Handler) updateNotification(w http.ResponseWriter, r *http.Request, rq *request) {
	form, n, lines := parseNotification(r)
	flowKey := r.PathValue("key")
	n.Key, form.Key = r.PathValue("nkey"), r.PathValue("nkey")
	if _, err := h.svc.NotificationGet(r.Context(), rq.p.Workspace, flowKey, n.Key); err != nil {
		h.fail(w, r, rq, err)
		return
	}
	if _, err := h.svc.NotificationPut(r.Context(), rq.p.Workspace, flowKey, n); err != nil {
		h.notificationFailed(w, r, rq, form, lines, n, err)
		return
	}
	redirect(w, r, "/flows/"+pathEscape(flowKey)+"#n-"+n.Key, "saved")
}

// notificationFailed shows the form again with the service's field errors
// next to the fields.
func (h *Handler) notificationFailed(w http.ResponseWriter, r *http.Request, rq *request, form notificationForm, lines map[string][]int, n *model.Notification, err error) {
	l := &localizer{cat: h.cat, lang: rq.lang, loc: rq.p.Workspace.Location()}
	errs, ok := formErrors(l, recipientErrors(l, throttleLineErrors(err, form.notRules), n), flowFull(ruleLines(listLines(lines))))
	var conflict *service.ConflictError
	if !ok && errors.As(err, &conflict) {
		errs, ok = fieldErrors{}, true
		errs.add("key", l.T("web.notification.exists"))
	}
	if !ok {
		h.fail(w, r, rq, err)
		return
	}
	h.renderNotification(w, r, rq, http.StatusUnprocessableEntity, form, errs)
}

// setNotificationStatus switches one notification between active,
// inactive and confirm from the flow's table.
func (h *Handler) setNotificationStatus(w http.ResponseWriter, r *http.Request, rq *request) {
	ws, flowKey := rq.p.Workspace, r.PathValue("key")
	n, err := h.svc.NotificationGet(r.Context(), ws, flowKey, r.PathValue("nkey"))
	if err != nil {
		h.fail(w, r, rq, err)
		return
	}
	st := model.NotificationStatus(r.PostFormValue("status"))
	if !st.Valid() {
		h.renderError(w, r, rq, http.StatusBadRequest, "web.error.invalid.title", "web.error.invalid.text")
		return
	}
	upd := *n
	upd.Status = st
	if _, err := h.svc.NotificationPut(r.Context(), ws, flowKey, &upd); err != nil {
		h.fail(w, r, rq, err)
		return
	}
	if strings.Contains(r.Header.Get("Accept"), "application/json") {
		// The status switch's script applies the change in place and
		// shows the notice in the row.
		l := &localizer{cat: h.cat, lang: rq.lang, loc: ws.Location()}
		writeJSON(w, http.StatusOK, map[string]string{"status": string(st), "notice": l.T(statusNotices[st])})
		return
	}
	redirect(w, r, "/flows/"+pathEscape(flowKey)+"?changed="+url.QueryEscape(n.Key)+"#n-"+n.Key, "status_"+string(st))
}

func (h *Handler) deleteNotification(w http.ResponseWriter, r *http.Request, rq *request) {
	flowKey := r.PathValue("key")
	if err := h.svc.NotificationDelete(r.Context(), rq.p.Workspace, flowKey, r.PathValue("nkey")); err != nil {
		h.fail(w, r, rq, err)
		return
	}
	redirect(w, r, "/flows/"+pathEscape(flowKey), "notification_removed")
}

// statusNotices are the notices of the status switch, as the redirect
// names them (web.notice.status_*).
var statusNotices = map[model.NotificationStatus]string{
	model.StatusActive:   "web.notice.status_active",
	model.StatusInactive: "web.notice.status_inactive",
	model.StatusConfirm:  "web.notice.status_confirm",
}

// throttleLineErrors replaces the problems of a throttle line that is no
// rule at all ("abc": its max and its window, which the line never gave)
// with one saying so.
func throttleLineErrors(err error, notRules map[int]string) error {
	var verr *service.ValidationError
	if len(notRules) == 0 || !errors.As(err, &verr) {
		return err
	}
	out := &service.ValidationError{}
	said := map[int]bool{}
	for _, f := range verr.Fields {
		i, ok := throttleIndex(f.Field)
		line, bad := notRules[i]
		switch {
		case !ok || !bad:
			out.Fields = append(out.Fields, f)
		case !said[i]:
			said[i] = true
			out.Fields = append(out.Fields, service.FieldError{Field: fmt.Sprintf("throttle[%d]", i), Code: service.CodeInvalid,
				Detail: fmt.Sprintf("%q is not a throttle rule; write MAX/WINDOW, e.g. 5/1h", line)})
		}
	}
	return out
}

// throttleIndex reads the rule's index from a throttle field path
// ("throttle[1].window").
func throttleIndex(path string) (int, bool) {
	rest, ok := strings.CutPrefix(path, "throttle[")
	if !ok {
		return 0, false
	}
	end := strings.Index(rest, "]")
	if end < 0 {
		return 0, false
	}
	i, err := strconv.Atoi(rest[:end])
	return i, err == nil
}

// ruleLines maps a throttle rule's field ("throttle[1].window") to the
// rule's line of the throttle textarea.
// flowFull shows an error about the flow's notifications as a whole (a
// full flow, see service.MaxFlowNotifications) above the form, which has
// no field for it.
func flowFull(next fieldMap) fieldMap {
	return func(path string) (string, string, bool) {
		if path == "notifications" {
			return "", "", true
		}
		return next(path)
	}
}

func ruleLines(next fieldMap) fieldMap {
	return func(path string) (string, string, bool) {
		if rest, ok := strings.CutPrefix(path, "throttle["); ok {
			if i := strings.Index(rest, "]"); i >= 0 {
				path = "throttle[" + rest[:i+1]
			}
		}
		return next(path)
	}
}
