package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/herold-dev/herold/internal/inbox"
	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/service"
)

type contactsPage struct {
	Contacts []*model.Contact
	NextURL  string
	Query    string
}

func (h *Handler) contacts(w http.ResponseWriter, r *http.Request, rq *request) {
	q := r.URL.Query()
	if id := strings.TrimSpace(q.Get("id")); id != "" {
		http.Redirect(w, r, "/contacts/"+pathEscape(id), http.StatusSeeOther)
		return
	}
	pg, err := h.svc.ContactList(r.Context(), rq.p.Workspace, service.PageParams{After: q.Get("after")})
	if err != nil {
		h.fail(w, r, rq, err)
		return
	}
	page := &contactsPage{Contacts: pg.Items}
	if pg.Next != "" {
		page.NextURL = "/contacts?after=" + url.QueryEscape(pg.Next)
	}
	v := h.newView(r, rq, "contacts", "web.contacts.title")
	v.Page = page
	h.render(w, r, http.StatusOK, "contacts", v)
}

// contactFeedItems is how many of a contact's newest feed items the
// contact page shows.
const contactFeedItems = 20

// contactEvents is how many of a contact's latest events the contact page
// explains.
const contactEvents = 10

// contactWatching is how many of the objects a contact watches its page
// names; the API lists them all.
const contactWatching = 20

type contactPage struct {
	C *model.Contact
	// QuietHours is the quiet-hours field: the contact's attribute, or
	// what was typed when it was refused.
	QuietHours string
	Messages   []*model.Message
	// Explained are the contact's latest events with their explanations.
	Explained []*service.EventExplanation
	// Feed is the contact's in-app feed as they see it (newest items of
	// the inbox, with the counts); nil without a feed.
	Feed *inbox.Page
	// Prefs are the contact's preferences with the newest ledger entries.
	Prefs *service.Preferences
	// Watching are the first objects the contact watches (Next set when
	// there are more).
	Watching *service.Page[model.ObjectRef]
}

// contact shows a contact with the messages it got and, for its latest
// events, why something was or was not sent.
func (h *Handler) contact(w http.ResponseWriter, r *http.Request, rq *request) {
	h.renderContact(w, r, rq, http.StatusOK, nil, nil)
}

// renderContact shows the contact page, with errors of its quiet-hours
// form and what was typed there (typed) when given.
func (h *Handler) renderContact(w http.ResponseWriter, r *http.Request, rq *request, status int, typed *string, errs fieldErrors) {
	ws, id := rq.p.Workspace, r.PathValue("id")
	c, err := h.svc.ContactGet(r.Context(), ws, id)
	if err != nil {
		h.fail(w, r, rq, err)
		return
	}
	page := &contactPage{C: c}
	if q, ok := c.Attributes[model.ContactQuietHoursAttribute].(string); ok {
		page.QuietHours = q
	}
	if typed != nil {
		page.QuietHours = *typed
	}
	if err := h.contactPreferences(r, rq, page); err != nil {
		h.fail(w, r, rq, err)
		return
	}
	msgs, err := h.svc.MessageList(r.Context(), ws, service.MessageFilter{Contact: id, PageParams: service.PageParams{Limit: 20}})
	if err != nil {
		h.fail(w, r, rq, err)
		return
	}
	page.Messages = msgs.Items
	if page.Watching, err = h.svc.WatchedList(r.Context(), ws, id, service.PageParams{Limit: contactWatching}); err != nil {
		h.fail(w, r, rq, err)
		return
	}
	events, err := h.svc.EventList(r.Context(), ws, service.EventFilter{Contact: id, PageParams: service.PageParams{Limit: contactEvents}})
	if err != nil {
		h.fail(w, r, rq, err)
		return
	}
	for _, e := range events.Items {
		x, err := h.svc.ExplainEvent(r.Context(), ws, e.ID, rq.lang)
		if err != nil {
			h.fail(w, r, rq, err)
			return
		}
		page.Explained = append(page.Explained, x)
	}
	if h.feed != nil {
		if page.Feed, err = h.feed.List(r.Context(), ws, id, inbox.ListParams{Limit: contactFeedItems}); err != nil {
			h.fail(w, r, rq, err)
			return
		}
	}
	v := h.newView(r, rq, "contacts", "web.contact.title", "name", contactName(c))
	v.Page = page
	if errs != nil {
		v.Errors = errs
	}
	h.render(w, r, status, "contact", v)
}

func contactName(c *model.Contact) string {
	if c.Name != "" {
		return c.Name
	}
	return c.ID
}
