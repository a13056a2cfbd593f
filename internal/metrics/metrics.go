// Package metrics collects counters, gauges and histograms and writes them in
// the Prometheus text exposition format (version 0.0.4) for /metrics. It has
// no global registry: each server owns one Registry.
package metrics

import (
	"fmt"
	"io"
	"math"
	"net/http"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Registry holds named metric families. The zero value is not usable; call New.
type Registry struct {
	mu       sync.Mutex
	families map[string]family
	start    time.Time
}

type family interface {
	write(w io.Writer, name string)
}

// New returns an empty Registry that also reports process metrics (goroutines,
// heap, uptime).
func New() *Registry {
	return &Registry{families: map[string]family{}, start: time.Now()}
}

func (r *Registry) register(name string, f family) family {
	r.mu.Lock()
	defer r.mu.Unlock()
	if old, ok := r.families[name]; ok {
		return old
	}
	r.families[name] = f
	return f
}

// Counter returns the counter family name, creating it with help text and label
// names on first use. Registering the same name twice returns the first family.
func (r *Registry) Counter(name, help string, labels ...string) *CounterVec {
	return r.register(name, &CounterVec{help: help, labels: labels, values: map[string]*atomic.Uint64{}}).(*CounterVec)
}

// Gauge returns a gauge whose value is read from fn at scrape time.
func (r *Registry) Gauge(name, help string, fn func() float64) {
	r.register(name, &gaugeFunc{help: help, fn: fn})
}

// Histogram returns the histogram family name with the given upper bounds
// (seconds, ascending) and label names.
func (r *Registry) Histogram(name, help string, buckets []float64, labels ...string) *HistogramVec {
	return r.register(name, &HistogramVec{help: help, labels: labels, buckets: buckets, values: map[string]*histogram{}}).(*HistogramVec)
}

// WriteTo writes every family, sorted by name, in the text format.
func (r *Registry) WriteTo(w io.Writer) (int64, error) {
	cw := &countingWriter{w: w}
	r.mu.Lock()
	names := make([]string, 0, len(r.families))
	for n := range r.families {
		names = append(names, n)
	}
	fams := make([]family, 0, len(names))
	slices.Sort(names)
	for _, n := range names {
		fams = append(fams, r.families[n])
	}
	r.mu.Unlock()
	for i, f := range fams {
		f.write(cw, names[i])
	}
	r.writeProcess(cw)
	return cw.n, cw.err
}

func (r *Registry) writeProcess(w io.Writer) {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Fprintf(w, "# HELP go_goroutines Number of goroutines that currently exist.\n# TYPE go_goroutines gauge\ngo_goroutines %d\n", runtime.NumGoroutine())
	fmt.Fprintf(w, "# HELP go_memstats_heap_alloc_bytes Bytes of allocated heap objects.\n# TYPE go_memstats_heap_alloc_bytes gauge\ngo_memstats_heap_alloc_bytes %d\n", ms.HeapAlloc)
	fmt.Fprintf(w, "# HELP go_memstats_sys_bytes Bytes obtained from the OS.\n# TYPE go_memstats_sys_bytes gauge\ngo_memstats_sys_bytes %d\n", ms.Sys)
	fmt.Fprintf(w, "# HELP process_uptime_seconds Seconds since the server started.\n# TYPE process_uptime_seconds gauge\nprocess_uptime_seconds %s\n", formatFloat(time.Since(r.start).Seconds()))
}

// Handler serves the registry at /metrics.
func (r *Registry) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
		r.WriteTo(w)
	})
}

// CounterVec is a family of monotonically increasing counters keyed by label values.
type CounterVec struct {
	help   string
	labels []string
	mu     sync.RWMutex
	values map[string]*atomic.Uint64
}

// Add adds n to the counter with the given label values (one per label name).
func (c *CounterVec) Add(n uint64, labelValues ...string) {
	key := strings.Join(labelValues, "\xff")
	c.mu.RLock()
	v := c.values[key]
	c.mu.RUnlock()
	if v == nil {
		c.mu.Lock()
		if v = c.values[key]; v == nil {
			v = new(atomic.Uint64)
			c.values[key] = v
		}
		c.mu.Unlock()
	}
	v.Add(n)
}

// Inc adds one.
func (c *CounterVec) Inc(labelValues ...string) { c.Add(1, labelValues...) }

func (c *CounterVec) write(w io.Writer, name string) {
	fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s counter\n", name, escapeHelp(c.help), name)
	c.mu.RLock()
	keys := sortedKeys(c.values)
	for _, k := range keys {
		fmt.Fprintf(w, "%s%s %d\n", name, labelString(c.labels, k, "", ""), c.values[k].Load())
	}
	c.mu.RUnlock()
}

type gaugeFunc struct {
	help string
	fn   func() float64
}

func (g *gaugeFunc) write(w io.Writer, name string) {
	fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s gauge\n%s %s\n", name, escapeHelp(g.help), name, name, formatFloat(g.fn()))
}

// HistogramVec is a family of histograms keyed by label values.
type HistogramVec struct {
	help    string
	labels  []string
	buckets []float64
	mu      sync.Mutex
	values  map[string]*histogram
}

type histogram struct {
	counts []uint64 // per bucket, non-cumulative; last is +Inf
	sum    float64
	count  uint64
}

// Observe records one value (seconds for durations).
func (h *HistogramVec) Observe(v float64, labelValues ...string) {
	key := strings.Join(labelValues, "\xff")
	h.mu.Lock()
	defer h.mu.Unlock()
	hv := h.values[key]
	if hv == nil {
		hv = &histogram{counts: make([]uint64, len(h.buckets)+1)}
		h.values[key] = hv
	}
	i, _ := slices.BinarySearch(h.buckets, v)
	hv.counts[i]++
	hv.sum += v
	hv.count++
}

func (h *HistogramVec) write(w io.Writer, name string) {
	fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s histogram\n", name, escapeHelp(h.help), name)
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, k := range sortedKeys(h.values) {
		hv := h.values[k]
		var cum uint64
		for i, ub := range h.buckets {
			cum += hv.counts[i]
			fmt.Fprintf(w, "%s_bucket%s %d\n", name, labelString(h.labels, k, "le", formatFloat(ub)), cum)
		}
		cum += hv.counts[len(h.buckets)]
		fmt.Fprintf(w, "%s_bucket%s %d\n", name, labelString(h.labels, k, "le", "+Inf"), cum)
		fmt.Fprintf(w, "%s_sum%s %s\n", name, labelString(h.labels, k, "", ""), formatFloat(hv.sum))
		fmt.Fprintf(w, "%s_count%s %d\n", name, labelString(h.labels, k, "", ""), hv.count)
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func labelString(names []string, key, extraName, extraValue string) string {
	var values []string
	if len(names) > 0 {
		values = strings.Split(key, "\xff")
	}
	var b strings.Builder
	for i, n := range names {
		if i >= len(values) {
			break
		}
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(n + `="` + escapeLabel(values[i]) + `"`)
	}
	if extraName != "" {
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(extraName + `="` + extraValue + `"`)
	}
	if b.Len() == 0 {
		return ""
	}
	return "{" + b.String() + "}"
}

var labelEscaper = strings.NewReplacer(`\`, `\\`, "\n", `\n`, `"`, `\"`)
var helpEscaper = strings.NewReplacer(`\`, `\\`, "\n", `\n`)

func escapeLabel(s string) string { return labelEscaper.Replace(s) }
func escapeHelp(s string) string  { return helpEscaper.Replace(s) }

func formatFloat(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "+Inf"
	case math.IsInf(f, -1):
		return "-Inf"
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

type countingWriter struct {
	w   io.Writer
	n   int64
	err error
}

func (c *countingWriter) Write(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	n, err := c.w.Write(p)
	c.n += int64(n)
	c.err = err
	return n, err
}
