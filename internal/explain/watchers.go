package explain

import "github.com/herold-dev/herold/internal/model"

// viaWatchers is plan.ViaWatchers (explain does not import the planner).
const viaWatchers = "watchers"

// watchers words the recipients found as watchers: their via ("watchers")
// becomes "watcher of ticket 4711" with the event's object, and a message
// to a watcher says so. It returns the message id to use for s.
func (f *formatter) watchers(s model.Step, id string, data map[string]any) string {
	if f.object == nil {
		return id
	}
	phrase := f.cat.T(f.lang, "explain.via.watcher", map[string]any{"collection": f.object.Collection, "id": f.object.ID})
	for _, k := range []string{"via", "first_via"} {
		if s.Params[k] == viaWatchers {
			data[k] = phrase
		}
	}
	if s.Params["via"] == viaWatchers && (s.Code == model.StepMessageQueued || s.Code == model.StepMessageAwaiting) {
		data["watcher"] = phrase
		if f.cat.Has(f.lang, id+".watcher") {
			return id + ".watcher"
		}
	}
	return id
}
