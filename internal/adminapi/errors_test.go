package adminapi

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"patchbay"
)

// TestErrorTable checks every code's status and body, including the codes
// a real store rarely produces (busy) and codes that are not the API's.
func TestErrorTable(t *testing.T) {
	var logs strings.Builder
	s := &Server{logger: slog.New(slog.NewTextHandler(&logs, nil))}
	for _, tc := range []struct {
		name   string
		err    error
		status int
		code   string
		msg    string
	}{
		{"invalid", patchbay.Errorf(patchbay.EInvalid, "bad name"), 400, "invalid", "bad name"},
		{"not found wrapped", fmt.Errorf("group x: %w", patchbay.Errorf(patchbay.ENotFound, "not found")), 404, "not_found", "group x: not found"},
		{"conflict", patchbay.Errorf(patchbay.EConflict, "taken"), 409, "conflict", "taken"},
		{"unauthorized", patchbay.Errorf(patchbay.EUnauthorized, "no"), 401, "unauthorized", "no"},
		{"busy", &patchbay.Error{Code: patchbay.EBusy, Message: "database busy", Err: errors.New("SQLITE_BUSY detail")}, 503, "busy", "database busy"},
		{"internal", patchbay.Errorf(patchbay.EInternal, "secret detail"), 500, "internal", "internal error (fault id "},
		{"plain error", errors.New("disk on fire"), 500, "internal", "internal error (fault id "},
		{"client protocol code", patchbay.Errorf(patchbay.ECookieExpired, "expired"), 500, "internal", "internal error"},
		{"too large", errTooLarge, 413, "invalid", "1 MiB"},
		{"method", errMethod("PATCH", "/api/v1/groups"), 405, "invalid", "method PATCH is not allowed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			s.writeError(w, httptest.NewRequest("GET", "/api/v1/x", nil), tc.err)
			body := w.Body.String()
			if w.Code != tc.status || !strings.Contains(body, `"code": "`+tc.code+`"`) || !strings.Contains(body, tc.msg) {
				t.Errorf("writeError(%v) = %d %s, want %d %s %q", tc.err, w.Code, body, tc.status, tc.code, tc.msg)
			}
			if strings.Contains(body, "secret") || strings.Contains(body, "fire") || strings.Contains(body, "SQLITE") {
				t.Errorf("writeError(%v) leaks the cause: %s", tc.err, body)
			}
			if tc.code == "busy" && w.Header().Get("Retry-After") == "" {
				t.Errorf("busy without Retry-After")
			}
		})
	}
	if !strings.Contains(logs.String(), "disk on fire") || !strings.Contains(logs.String(), "secret detail") {
		t.Errorf("internal causes not logged:\n%s", logs.String())
	}
	for code := range statusByCode {
		if st, _ := status(patchbay.Errorf(code, "x")); st == 0 || st == http.StatusOK {
			t.Errorf("status(%s) = %d", code, st)
		}
	}
}
