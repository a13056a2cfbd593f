package adminapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"

	"patchbay"
	"patchbay/internal/admin"
)

// Prefix is the path under which the API is served.
const Prefix = "/api/v1/"

// maxBody is the largest request body accepted.
const maxBody = 1 << 20

// Server serves the API over an admin.Service.
type Server struct {
	svc    *admin.Service
	token  string
	logger *slog.Logger
	mux    *http.ServeMux
}

// NewServer returns the API handler for paths under Prefix. Every request
// must carry token as a bearer token; an empty token refuses every request.
// Internal errors are logged to logger (nil discards them) with the fault id
// that is sent to the client.
func NewServer(svc *admin.Service, token string, logger *slog.Logger) *Server {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	s := &Server{svc: svc, token: token, logger: logger, mux: http.NewServeMux()}
	s.routes()
	return s
}

// ServeHTTP authenticates the request and dispatches it.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	if err := s.authenticate(r); err != nil {
		w.Header().Set("WWW-Authenticate", `Bearer realm="patchbay"`)
		s.writeError(w, r, err)
		return
	}
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		s.mux.ServeHTTP(w, r)
		return
	}
	// Changes are logged, as an audit trail of who changed what from where.
	sw := &statusWriter{ResponseWriter: w}
	s.mux.ServeHTTP(sw, r)
	if sw.code >= 200 && sw.code < 300 {
		s.logger.Info("admin change", "method", r.Method, "path", r.URL.Path, "query", r.URL.RawQuery,
			"status", sw.code, "remote", r.RemoteAddr)
	}
}

// statusWriter records the status code a handler writes.
type statusWriter struct {
	http.ResponseWriter
	code int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// notFound answers paths and methods no route takes: 405 with Allow when
// the path exists under another method, else 404.
func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	var allow []string
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete} {
		r2 := r.Clone(r.Context())
		r2.Method = m
		if _, p := s.mux.Handler(r2); p != "" && p != Prefix {
			allow = append(allow, m)
		}
	}
	if len(allow) > 0 {
		w.Header().Set("Allow", strings.Join(allow, ", "))
		s.writeError(w, r, errMethod(r.Method, r.URL.Path))
		return
	}
	s.writeError(w, r, patchbay.Errorf(patchbay.ENotFound, "no API endpoint %s %s", r.Method, r.URL.Path))
}

// writeJSON writes v as the JSON response body with status code.
func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v) // the client went away; nothing to do
}

// decode reads the JSON request body into v: at most maxBody bytes, one
// object, no unknown fields. Problems are EInvalid errors saying what is
// wrong with the body.
func decode(w http.ResponseWriter, r *http.Request, v any) error {
	body := http.MaxBytesReader(w, r.Body, maxBody)
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil {
		if _, err2 := dec.Token(); err2 != io.EOF {
			var mbe *http.MaxBytesError
			if errors.As(err2, &mbe) {
				return errTooLarge
			}
			return patchbay.Errorf(patchbay.EInvalid, "request body has data after the JSON object")
		}
		return nil
	}
	var (
		mbe *http.MaxBytesError
		se  *json.SyntaxError
		te  *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &mbe):
		return errTooLarge
	case errors.Is(err, io.EOF):
		return patchbay.Errorf(patchbay.EInvalid, "request body is empty; want a JSON object")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return patchbay.Errorf(patchbay.EInvalid, "request body is truncated JSON")
	case errors.As(err, &se):
		return patchbay.Errorf(patchbay.EInvalid, "request body is not valid JSON at byte %d: %s", se.Offset, se.Error())
	case errors.As(err, &te):
		if te.Field == "" {
			return patchbay.Errorf(patchbay.EInvalid, "request body must be a JSON object, not %s", te.Value)
		}
		return patchbay.Errorf(patchbay.EInvalid, "field %q must be %s, not %s", te.Field, jsonKind(te.Type.Kind().String()), te.Value)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return patchbay.Errorf(patchbay.EInvalid, "request body has unknown field %s", strings.TrimPrefix(err.Error(), "json: unknown field "))
	}
	return patchbay.Errorf(patchbay.EInvalid, "request body: %v", err)
}

func jsonKind(k string) string {
	switch k {
	case "string":
		return "a string"
	case "slice", "array":
		return "an array"
	case "struct", "map":
		return "an object"
	case "bool":
		return "a boolean"
	}
	return "a " + k
}

func errMethod(method, path string) error {
	return &patchbay.Error{Code: patchbay.EInvalid, Message: fmt.Sprintf("method %s is not allowed on %s", method, path), Err: errMethodNotAllowed}
}
