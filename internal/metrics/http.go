package metrics

import (
	"net/http"
	"strconv"
	"time"
)

// DefaultBuckets are request-duration bounds in seconds, from 1 ms to 10 s.
var DefaultBuckets = []float64{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10}

// Instrument wraps h so that every request is counted by route and status code
// and timed. route names the handler (a fixed string, never the raw URL path,
// so hostile paths cannot blow up the label set).
func (r *Registry) Instrument(route string, h http.Handler) http.Handler {
	requests := r.Counter("patchbay_http_requests_total", "HTTP requests by route and status code.", "route", "code")
	duration := r.Histogram("patchbay_http_request_duration_seconds", "HTTP request duration by route.", DefaultBuckets, "route")
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, code: http.StatusOK}
		h.ServeHTTP(sw, req)
		requests.Inc(route, strconv.Itoa(sw.code))
		duration.Observe(time.Since(start).Seconds(), route)
	})
}

type statusWriter struct {
	http.ResponseWriter
	code        int
	wroteHeader bool
}

func (s *statusWriter) WriteHeader(code int) {
	if !s.wroteHeader {
		s.code, s.wroteHeader = code, true
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(p []byte) (int, error) {
	s.wroteHeader = true
	return s.ResponseWriter.Write(p)
}

// Unwrap lets http.ResponseController reach the underlying writer (flush, deadlines).
func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }
