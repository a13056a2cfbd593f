package swarm

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"text/tabwriter"
	"time"
)

// Summary is what a swarm run measured. Latencies are in milliseconds,
// from sending a request until its response body ended.
type Summary struct {
	Server      string  `json:"server"`
	Clients     int     `json:"clients"`
	Concurrency int     `json:"concurrency"`
	Elapsed     float64 `json:"elapsedSeconds"`
	// Cycles are the cycles completed without error; FailedCycles those
	// that ended with one, counted by CycleErrors (fault ErrorCode, "http
	// NNN", or a patchbay error code). Cycles cut off by the end of the run
	// count in neither.
	Cycles       int64            `json:"cycles"`
	FailedCycles int64            `json:"failedCycles"`
	CycleErrors  map[string]int64 `json:"cycleErrors"`
	// Ops is the number of HTTP round trips, the sum of Operations' counts;
	// OpsPerSecond is Ops over Elapsed.
	Ops          int64   `json:"ops"`
	OpsPerSecond float64 `json:"opsPerSecond"`
	// Operations are per SOAP operation (and OpDownload), sorted by name.
	Operations []OpStats `json:"operations"`
	// Errors counts the failed round trips by fault ErrorCode (recovered
	// faults included), ErrTransport, ErrFaultNoCode or "http NNN".
	Errors map[string]int64 `json:"errors"`
	// Canceled are round trips cut off by the end of the run, not in Ops.
	Canceled      int64          `json:"canceled"`
	BytesSent     int64          `json:"bytesSent"`
	BytesReceived int64          `json:"bytesReceived"`
	Profiles      map[string]int `json:"profiles"`
}

// OpStats are the measurements of one operation.
type OpStats struct {
	Name          string  `json:"name"`
	Count         int64   `json:"count"`
	Errors        int64   `json:"errors"`
	P50           float64 `json:"p50Ms"`
	P90           float64 `json:"p90Ms"`
	P99           float64 `json:"p99Ms"`
	Max           float64 `json:"maxMs"`
	BytesSent     int64   `json:"bytesSent"`
	BytesReceived int64   `json:"bytesReceived"`
}

// summary computes the per-operation statistics measured so far.
func (m *meter) summary(elapsed time.Duration) *Summary {
	m.mu.Lock()
	defer m.mu.Unlock()
	s := &Summary{Elapsed: elapsed.Seconds(), Errors: map[string]int64{}, Canceled: m.canceled.Load(), Operations: []OpStats{}}
	for _, name := range slices.Sorted(maps.Keys(m.ops)) {
		r := m.ops[name]
		lat := slices.Clone(r.latencies)
		slices.Sort(lat)
		o := OpStats{Name: name, Count: int64(len(lat)), P50: percentile(lat, 50), P90: percentile(lat, 90),
			P99: percentile(lat, 99), Max: percentile(lat, 100), BytesSent: r.sent, BytesReceived: r.received}
		for code, n := range r.errors {
			o.Errors += n
			s.Errors[code] += n
		}
		s.Operations = append(s.Operations, o)
		s.Ops += o.Count
		s.BytesSent += r.sent
		s.BytesReceived += r.received
	}
	if elapsed > 0 {
		s.OpsPerSecond = float64(s.Ops) / elapsed.Seconds()
	}
	return s
}

// percentile returns the p-th percentile (nearest rank) of sorted, in
// milliseconds; 0 for none.
func percentile(sorted []time.Duration, p int) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := (p*len(sorted)+99)/100 - 1
	i = min(max(i, 0), len(sorted)-1)
	return float64(sorted[i]) / float64(time.Millisecond)
}

// WriteText writes s for a person: the run, throughput, a table of the
// operations, the errors by code and the bytes transferred.
func (s *Summary) WriteText(w io.Writer) error {
	ew := &errWriter{w: w}
	ew.printf("swarm: %d clients (concurrency %d) against %s for %.1fs\n", s.Clients, s.Concurrency, s.Server, s.Elapsed)
	ew.printf("cycles: %d completed, %d failed; %.1f cycles/s\n", s.Cycles, s.FailedCycles, perSecond(s.Cycles, s.Elapsed))
	ew.printf("operations: %d, %.1f ops/s (%d cut off at the end)\n\n", s.Ops, s.OpsPerSecond, s.Canceled)
	// Right-aligned numbers; the names are padded to stay left-aligned.
	width := len("operation")
	for _, o := range s.Operations {
		width = max(width, len(o.Name))
	}
	tw := tabwriter.NewWriter(ew, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "%-*s\tcount\terrors\tp50 ms\tp90 ms\tp99 ms\tmax ms\tsent\treceived\t\n", width, "operation")
	for _, o := range s.Operations {
		fmt.Fprintf(tw, "%-*s\t%d\t%d\t%.1f\t%.1f\t%.1f\t%.1f\t%s\t%s\t\n", width, o.Name, o.Count, o.Errors, o.P50, o.P90, o.P99, o.Max,
			byteSize(o.BytesSent), byteSize(o.BytesReceived))
	}
	tw.Flush()
	ew.printf("\nerrors by code:")
	if len(s.Errors) == 0 {
		ew.printf(" none")
	}
	ew.printf("\n")
	for _, code := range slices.Sorted(maps.Keys(s.Errors)) {
		ew.printf("  %-28s %d\n", code, s.Errors[code])
	}
	if len(s.CycleErrors) > 0 {
		ew.printf("failed cycles by cause:\n")
		for _, code := range slices.Sorted(maps.Keys(s.CycleErrors)) {
			ew.printf("  %-28s %d\n", code, s.CycleErrors[code])
		}
	}
	ew.printf("bytes: sent %s, received %s\n", byteSize(s.BytesSent), byteSize(s.BytesReceived))
	ew.printf("profiles:")
	for _, p := range slices.Sorted(maps.Keys(s.Profiles)) {
		ew.printf(" %s=%d", p, s.Profiles[p])
	}
	ew.printf("\n")
	return ew.err
}

func perSecond(n int64, secs float64) float64 {
	if secs <= 0 {
		return 0
	}
	return float64(n) / secs
}

// byteSize formats n with a binary unit.
func byteSize(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	f, u := float64(n)/unit, "KiB"
	for _, next := range []string{"MiB", "GiB", "TiB"} {
		if f < unit {
			break
		}
		f, u = f/unit, next
	}
	return fmt.Sprintf("%.1f %s", f, u)
}

// errWriter keeps the first write error.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	e.err = err
	return n, err
}

func (e *errWriter) printf(format string, args ...any) { fmt.Fprintf(e, format, args...) }
