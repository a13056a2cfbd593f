package swarm

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"patchbay/internal/soap"
)

// OpDownload names the requests without a SOAP action: content downloads
// (MS-WSUSOD §2.3.2.5).
const OpDownload = "(download)"

// Error categories that are not a fault's ErrorCode.
const (
	// ErrTransport counts requests that got no HTTP response (refused,
	// reset, timed out) or whose body broke off.
	ErrTransport = "transport"
	// ErrFaultNoCode counts SOAP faults without an ErrorCode detail.
	ErrFaultNoCode = "fault"
)

// meter is an http.RoundTripper that times each round trip, from sending
// the request until its response body ends, and files it under the
// operation named by the SOAPAction (MS-WUSP §2.2.2: the last path segment
// of the action URI). It is shared by all clients of a swarm.
type meter struct {
	next http.RoundTripper

	mu  sync.Mutex
	ops map[string]*opRecord
	// canceled counts round trips cut off by the end of the run; they are
	// not operations.
	canceled atomic.Int64
}

// opRecord is what meter keeps per operation.
type opRecord struct {
	latencies      []time.Duration
	errors         map[string]int64
	sent, received int64
}

func newMeter(next http.RoundTripper) *meter {
	return &meter{next: next, ops: map[string]*opRecord{}}
}

// RoundTrip implements http.RoundTripper.
func (m *meter) RoundTrip(req *http.Request) (*http.Response, error) {
	op := operation(req)
	sent := max(req.ContentLength, 0)
	start := time.Now()
	resp, err := m.next.RoundTrip(req)
	if err != nil {
		if req.Context().Err() != nil {
			m.canceled.Add(1)
		} else {
			m.record(op, time.Since(start), ErrTransport, sent, 0)
		}
		return nil, err
	}
	code := ""
	if resp.StatusCode >= 400 {
		// A fault is small and its body is needed to classify it: read it
		// here and hand the client a copy.
		b, rerr := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		resp.Body.Close()
		resp.Body = io.NopCloser(bytes.NewReader(b))
		if rerr != nil && req.Context().Err() != nil {
			m.canceled.Add(1)
			return resp, nil
		}
		code = classify(resp, b, rerr)
		m.record(op, time.Since(start), code, sent, int64(len(b)))
		return resp, nil
	}
	resp.Body = &meteredBody{rc: resp.Body, done: func(n int64, rerr error) {
		code := ""
		if rerr != nil {
			if req.Context().Err() != nil {
				m.canceled.Add(1)
				return
			}
			code = ErrTransport
		}
		m.record(op, time.Since(start), code, sent, n)
	}}
	return resp, nil
}

// record files one round trip; code is "" for success.
func (m *meter) record(op string, d time.Duration, code string, sent, received int64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	r := m.ops[op]
	if r == nil {
		r = &opRecord{errors: map[string]int64{}}
		m.ops[op] = r
	}
	r.latencies = append(r.latencies, d)
	if code != "" {
		r.errors[code]++
	}
	r.sent += sent
	r.received += received
}

// operation returns the SOAP operation of req: the SOAPAction header of
// SOAP 1.1, or the action parameter of a SOAP 1.2 Content-Type; OpDownload
// for requests without either.
func operation(req *http.Request) string {
	action := strings.Trim(req.Header.Get("SOAPAction"), `"`)
	if action == "" {
		if _, params, err := mime.ParseMediaType(req.Header.Get("Content-Type")); err == nil {
			action = params["action"]
		}
	}
	if action == "" {
		return OpDownload
	}
	action = strings.TrimRight(action, "/")
	if i := strings.LastIndexByte(action, '/'); i >= 0 {
		action = action[i+1:]
	}
	return action
}

// errorCodeRE finds the ErrorCode of a fault detail that soap.DecodeFault
// cannot read (for example an xpress-compressed body).
var errorCodeRE = regexp.MustCompile(`<(?:\w+:)?ErrorCode>\s*([A-Za-z]+)\s*</`)

// classify names the error of a response with status >= 400: the fault's
// ErrorCode (MS-WUSP §2.2.2.4), ErrFaultNoCode, or "http NNN".
func classify(resp *http.Response, body []byte, readErr error) string {
	if f, err := soap.DecodeFault(body); err == nil {
		if c := f.ErrorCode(); c != "" {
			return c
		}
		return ErrFaultNoCode
	}
	if m := errorCodeRE.FindSubmatch(body); m != nil {
		return string(m[1])
	}
	if readErr != nil {
		return ErrTransport
	}
	return "http " + resp.Status[:min(3, len(resp.Status))]
}

// meteredBody counts the bytes read from a response body and calls done
// once, at EOF, on a read error or on Close, whichever comes first.
type meteredBody struct {
	rc   io.ReadCloser
	n    int64
	once sync.Once
	done func(n int64, err error)
}

func (b *meteredBody) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	b.n += int64(n)
	switch {
	case errors.Is(err, io.EOF):
		b.finish(nil)
	case err != nil:
		b.finish(err)
	}
	return n, err
}

func (b *meteredBody) Close() error {
	err := b.rc.Close()
	b.finish(nil)
	return err
}

func (b *meteredBody) finish(err error) { b.once.Do(func() { b.done(b.n, err) }) }
