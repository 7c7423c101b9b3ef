package model

import (
	"encoding/json"
	"time"
)

// ConfigRevision is one apply of configuration files (herold apply) or a
// rollback to an earlier one: who, why, the state it left, and the
// objects the files manage from then on.
type ConfigRevision struct {
	// Number counts the workspace's revisions from 1.
	Number int64 `json:"number"`
	// Author is who applied: the API key's or user's name.
	Author string `json:"author"`
	// Message says why (herold apply -m).
	Message string `json:"message"`
	// State is the revision id of the workspace's configuration right
	// after the apply (see package manifest): a plan made against it
	// applies only while the configuration still has this state.
	State string `json:"state"`
	// Documents are the objects the files manage after this revision,
	// as they were applied (a JSON array of manifest documents): the
	// record of ownership that prune and drift detection read, and what
	// a rollback restores. Empty in lists.
	Documents json.RawMessage `json:"-"`
	CreatedAt time.Time       `json:"created_at"`
}
