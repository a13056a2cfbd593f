package adminapi

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/http"

	"patchbay"
)

// statusByCode is the one table mapping error codes to HTTP statuses. Codes
// missing from it (the client protocol ones) cannot come from admin
// operations and count as internal errors.
var statusByCode = map[string]int{
	patchbay.EInvalid:      http.StatusBadRequest,
	patchbay.ENotFound:     http.StatusNotFound,
	patchbay.EConflict:     http.StatusConflict,
	patchbay.EUnauthorized: http.StatusUnauthorized,
	patchbay.EBusy:         http.StatusServiceUnavailable,
	patchbay.EInternal:     http.StatusInternalServerError,
}

// Refinements of EInvalid that HTTP has a more precise status for.
var (
	errTooLarge = &patchbay.Error{Code: patchbay.EInvalid, Message: "request body is larger than 1 MiB"}
	// errMethodNotAllowed is wrapped by errMethod.
	errMethodNotAllowed = errors.New("method not allowed")
)

// errorBody is the JSON body of every error response. ID is set for internal
// errors only: the fault id under which the cause was logged.
type errorBody struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	ID      string `json:"id,omitempty"`
}

// status returns the HTTP status and code for err.
func status(err error) (int, string) {
	switch {
	case errors.Is(err, errTooLarge):
		return http.StatusRequestEntityTooLarge, patchbay.EInvalid
	case errors.Is(err, errMethodNotAllowed):
		return http.StatusMethodNotAllowed, patchbay.EInvalid
	}
	code := patchbay.ErrorCode(err)
	st, ok := statusByCode[code]
	if !ok {
		return http.StatusInternalServerError, patchbay.EInternal
	}
	return st, code
}

// writeError sends err as {"code","message"} with its status. Internal
// errors are logged with a fresh fault id, and only that id reaches the
// client; the other codes carry patchbay.ErrorMessage, which never includes
// a wrapped cause.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	st, code := status(err)
	body := errorBody{Code: code, Message: patchbay.ErrorMessage(err)}
	switch code {
	case patchbay.EInternal:
		body.ID = faultID()
		body.Message = "internal error (fault id " + body.ID + ")"
		s.logger.Error("admin api", "fault", body.ID, "method", r.Method, "path", r.URL.Path, "err", err)
	case patchbay.EBusy:
		w.Header().Set("Retry-After", "5")
	}
	writeJSON(w, st, body)
}

// faultID returns a random id that ties a client's error to the log line.
func faultID() string {
	var b [8]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
