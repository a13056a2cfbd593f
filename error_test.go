package patchbay

import (
	"errors"
	"fmt"
	"testing"
)

func TestErrorCodeAndMessage(t *testing.T) {
	notFound := &Error{Code: ENotFound, Message: "not found"}
	tests := []struct {
		name    string
		err     error
		code    string
		message string
	}{
		{"nil", nil, "", ""},
		{"plain", errors.New("disk on fire"), EInternal, "internal error"},
		{"direct", Errorf(EInvalid, "bad %s", "thing"), EInvalid, "bad thing"},
		{"wrapped sentinel", fmt.Errorf("group %q: %w", "x", notFound), ENotFound, `group "x": not found`},
		{"cause hidden", &Error{Code: EConflict, Message: "busy name", Err: errors.New("UNIQUE constraint failed")}, EConflict, "busy name"},
		{"internal hidden", &Error{Code: EInternal, Message: "secret"}, EInternal, "internal error"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := ErrorCode(tc.err); got != tc.code {
				t.Errorf("ErrorCode = %q, want %q", got, tc.code)
			}
			if got := ErrorMessage(tc.err); got != tc.message {
				t.Errorf("ErrorMessage = %q, want %q", got, tc.message)
			}
		})
	}
}
