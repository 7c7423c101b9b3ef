package channel

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
)

func TestIsPermanent(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"plain error is retryable", errors.New("boom"), false},
		{"context canceled is retryable", context.Canceled, false},
		{"retryable channel error", &Error{Code: 451, Err: errors.New("try later")}, false},
		{"permanent channel error", &Error{Permanent: true, Code: 550, Err: errors.New("no such user")}, true},
		{"wrapped permanent", fmt.Errorf("deliver: %w", &Error{Permanent: true, Err: io.EOF}), true},
		{"wrapped retryable", fmt.Errorf("deliver: %w", &Error{Err: io.EOF}), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := IsPermanent(tt.err); got != tt.want {
				t.Errorf("IsPermanent(%v) = %v, want %v", tt.err, got, tt.want)
			}
		})
	}
}

func TestErrorMessage(t *testing.T) {
	t.Parallel()
	cause := errors.New("RCPT TO:<x@y.de>")
	tests := []struct {
		name     string
		err      *Error
		contains []string
		absent   []string
	}{
		{
			name:     "permanent with reply",
			err:      &Error{Permanent: true, Code: 550, Reply: "550 5.1.1 <x@y.de>: Recipient address rejected", Err: cause},
			contains: []string{"permanent", "RCPT TO:<x@y.de>", "550 5.1.1 <x@y.de>: Recipient address rejected"},
			absent:   []string{"temporary"},
		},
		{
			name:     "temporary without reply",
			err:      &Error{Err: io.ErrUnexpectedEOF},
			contains: []string{"temporary", "unexpected EOF"},
			absent:   []string{"permanent", "replied"},
		},
		{
			name:     "reply already in cause is not repeated",
			err:      &Error{Code: 451, Reply: "451 4.3.0 busy", Err: errors.New("end of DATA: 451 4.3.0 busy")},
			contains: []string{"451 4.3.0 busy"},
			absent:   []string{"replied"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			msg := tt.err.Error()
			for _, s := range tt.contains {
				if !strings.Contains(msg, s) {
					t.Errorf("Error() = %q, want it to contain %q", msg, s)
				}
			}
			for _, s := range tt.absent {
				if strings.Contains(msg, s) {
					t.Errorf("Error() = %q, want it not to contain %q", msg, s)
				}
			}
		})
	}
}

func TestErrorUnwrap(t *testing.T) {
	t.Parallel()
	err := fmt.Errorf("send: %w", &Error{Err: context.DeadlineExceeded})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("errors.Is(%v, DeadlineExceeded) = false, want true", err)
	}
}
