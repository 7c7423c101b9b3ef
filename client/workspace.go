package client

import (
	"context"
	"net/http"
	"time"
)

// Sender is a workspace's or template's From and Reply-To.
type Sender struct {
	From    string `json:"from,omitempty"`
	ReplyTo string `json:"reply_to,omitempty"`
}

// Workspace is the settings of the key's workspace.
type Workspace struct {
	Key                     string    `json:"key"`
	Name                    string    `json:"name"`
	DefaultLocale           string    `json:"default_locale"`
	Timezone                string    `json:"timezone"`
	Sender                  Sender    `json:"sender"`
	AllowedSenders          []string  `json:"allowed_senders"`
	RetentionDays           int       `json:"retention_days"`
	ConfirmationExpiryHours int       `json:"confirmation_expiry_hours"`
	CreatedAt               time.Time `json:"created_at"`
	UpdatedAt               time.Time `json:"updated_at"`
}

// Workspace returns the key's workspace: a cheap check that the URL and
// the key work.
func (c *Client) Workspace(ctx context.Context) (*Workspace, error) {
	var out Workspace
	if err := c.do(ctx, &request{method: http.MethodGet, path: "/v1/workspace", out: &out}); err != nil {
		return nil, err
	}
	return &out, nil
}
