package metrics

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestTextFormat(t *testing.T) {
	r := New()
	c := r.Counter("x_total", "Things.", "kind")
	c.Inc("a")
	c.Add(2, "a")
	c.Inc(`we"ird`)
	r.Gauge("g", "A gauge.", func() float64 { return 1.5 })
	h := r.Histogram("d_seconds", "Durations.", []float64{0.1, 1}, "op")
	h.Observe(0.05, "sync")
	h.Observe(0.5, "sync")
	h.Observe(5, "sync")
	var b strings.Builder
	if _, err := r.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"# TYPE x_total counter\n",
		`x_total{kind="a"} 3` + "\n",
		`x_total{kind="we\"ird"} 1` + "\n",
		"g 1.5\n",
		`d_seconds_bucket{op="sync",le="0.1"} 1` + "\n",
		`d_seconds_bucket{op="sync",le="1"} 2` + "\n",
		`d_seconds_bucket{op="sync",le="+Inf"} 3` + "\n",
		`d_seconds_count{op="sync"} 3` + "\n",
		"go_goroutines ",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestInstrumentCountsStatus(t *testing.T) {
	r := New()
	h := r.Instrument("test", http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "nope", http.StatusTeapot)
	}))
	for range 3 {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
	}
	rec := httptest.NewRecorder()
	r.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if !strings.Contains(rec.Body.String(), `patchbay_http_requests_total{route="test",code="418"} 3`) {
		t.Errorf("metrics = %s", rec.Body.String())
	}
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/plain; version=0.0.4") {
		t.Errorf("Content-Type = %q", ct)
	}
}
