package manifest

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/model"
)

// TestLeaveOutDefaults: values the normalization fills in again go,
// everything else stays; of channel and channels, the older channel goes
// and channels stays unless it is the default.
func TestLeaveOutDefaults(t *testing.T) {
	t.Parallel()
	flow := &model.Flow{Key: "standard", Name: "standard", Notifications: []model.Notification{
		{Key: "a", EventType: "job.requested", Template: "job", Recipients: []model.Recipient{"role:promoter"}},
		{Key: "b", Name: "B", EventType: "job.requested", Template: "job", Recipients: []model.Recipient{"role:promoter"},
			Status: model.StatusConfirm, Category: "newsletter", Channels: []string{"inapp", "email"}},
	}}
	flow.Normalize()
	d, err := NewDocument(KindFlow, flow.Key, flow)
	require.NoError(t, err)
	// As the server normalizes a file: its notifications' defaults and
	// the key as name.
	normalize := func(d *Document) *Document {
		obj, err := d.Object()
		require.NoError(t, err)
		f := obj.(*model.Flow)
		f.Normalize()
		if f.Name == "" {
			f.Name = f.Key
		}
		n, err := NewDocument(KindFlow, f.Key, f)
		require.NoError(t, err)
		return n
	}
	want := d.Canonical()
	d.LeaveOutDefaults(func(d *Document) bool { return bytes.Equal(normalize(d).Canonical(), want) })

	require.Equal(t, map[string]any{"notifications": []any{
		map[string]any{"key": "a", "event_type": "job.requested", "template": "job", "recipients": []any{"role:promoter"}},
		map[string]any{"key": "b", "name": "B", "event_type": "job.requested", "template": "job", "recipients": []any{"role:promoter"},
			"status": "confirm", "category": "newsletter", "channels": []any{"email", "inapp"}},
	}}, d.Spec)
	require.Equal(t, want, normalize(d).Canonical(), "the file without the defaults gives the same flow")

	// A document the check does not accept as it is stays whole.
	before := string(d.Canonical())
	d.LeaveOutDefaults(func(*Document) bool { return false })
	require.Equal(t, before, string(d.Canonical()))
}
