package patchbay

import (
	"errors"
	"fmt"
)

// Error codes. Each edge (SOAP faults, REST API, console) maps them once in its
// own table; an unknown error counts as Internal.
const (
	EInvalid              = "invalid"
	ENotFound             = "not_found"
	EConflict             = "conflict"
	EUnauthorized         = "unauthorized"
	ECookieExpired        = "cookie_expired"
	EInvalidCookie        = "invalid_cookie"
	ERegistrationRequired = "registration_required"
	EConfigChanged        = "config_changed"
	EServerChanged        = "server_changed"
	EBusy                 = "busy"
	EInternal             = "internal"
)

// Error is Patchbay's domain error: a machine-readable Code, a human Message
// safe to show to the caller, and an optional wrapped cause that is not.
type Error struct {
	Code    string
	Message string
	Err     error
}

// Error implements the error interface.
func (e *Error) Error() string {
	switch {
	case e.Err != nil && e.Message != "":
		return e.Message + ": " + e.Err.Error()
	case e.Err != nil:
		return e.Err.Error()
	}
	return e.Message
}

// Unwrap returns the wrapped cause.
func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, "" for nil,
// and EInternal for any other error.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EInternal
}

// ErrorMessage returns the caller-facing text of err: for an *Error that
// wraps no cause (a sentinel such as store.ErrNotFound wrapped with context
// by fmt.Errorf), the whole chain's text, e.g. `group "x": not found`; for
// one that wraps a cause, its Message only, since causes may hold internal
// detail; for Internal errors and errors that are not *Error, a generic text.
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if !errors.As(err, &e) || e.Code == EInternal {
		return "internal error"
	}
	if e.Err == nil {
		return err.Error()
	}
	return e.Message
}
