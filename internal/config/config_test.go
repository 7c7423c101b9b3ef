package config

import (
	"strings"
	"testing"
	"time"
)

func TestDefaultsAreValid(t *testing.T) {
	if err := (Options{}).WithDefaults().Validate(); err != nil {
		t.Fatalf("defaults: %v", err)
	}
}

func TestValidateNamesTheFlagOfEveryBadOption(t *testing.T) {
	cases := []struct {
		name string
		edit func(*Options)
		want []string
	}{
		{"addr without port", func(o *Options) { o.Addr = "localhost" }, []string{"--addr"}},
		{"rescue before the job timeout", func(o *Options) { o.JobRescueAfter = 4 * time.Minute }, []string{"--job-rescue-after 4m0s must exceed --job-timeout 5m0s"}},
		{"two at once", func(o *Options) { o.SMTP.Port = -1; o.LogLevel = "loud" }, []string{"--smtp-port -1", "--log-level \"loud\""}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o := Options{}.WithDefaults()
			c.edit(&o)
			err := o.Validate()
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}
