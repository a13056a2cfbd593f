// Package download fetches update content over HTTP the way a restartable
// download client does [MC-BUP §3.6]: it resumes from what a PartialWriter
// already holds with Range and If-Range, retries transient failures with
// bounded backoff, can cap its bandwidth, and verifies SHA-1 and SHA-256
// before the file is committed [MS-WUSP §2.2.2.2.6, §7 note 26].
package download

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"patchbay"
	"patchbay/internal/content"
)

// PartialWriter holds the bytes of one unfinished download across attempts
// and restarts; disk.Partial implements it. Get does not close it: after an
// error the caller closes it to keep the bytes for a later resume, or
// discards them.
type PartialWriter interface {
	io.Writer
	// Offset returns the number of bytes held.
	Offset() int64
	// Validator returns the saved ETag or Last-Modified of the source, or "".
	Validator() string
	// SetValidator saves the validator of the bytes held.
	SetValidator(v string) error
	// Reset drops the bytes held and the validator.
	Reset() error
	// Commit verifies the bytes held against want and stores the file; on
	// a mismatch it deletes them and returns patchbay.EInvalid.
	Commit(ctx context.Context, want content.Digests) error
}

// Downloader holds the options of Get. The zero value is ready to use.
type Downloader struct {
	// Client sends the requests; nil means http.DefaultClient.
	Client *http.Client
	// Retries is how many failed attempts in a row are retried; an
	// attempt that gets further into the file than any before resets the
	// count. Zero means 5, negative means none.
	Retries int
	// Backoff is the wait after the first failure, doubled after each
	// further one up to MaxBackoff; zero means 1 s. A Retry-After of a
	// 503 or 429 answer is honoured up to MaxBackoff.
	Backoff time.Duration
	// MaxBackoff caps the wait; zero means 1 min.
	MaxBackoff time.Duration
	// Limiter caps the bandwidth; nil means no limit. One Limiter may be
	// shared by several Downloaders.
	Limiter *Limiter
	// Progress, when not nil, is called after each block written with the
	// bytes held so far and the expected size (content.UnknownSize when
	// neither the metadata nor the server tells).
	Progress func(done, total int64)
	// UserAgent is sent with each request; "" means "Patchbay".
	UserAgent string
	// Sleep waits between attempts; nil means a timer. Tests inject it.
	Sleep func(ctx context.Context, d time.Duration) error
}

// Get downloads url into dst and commits it, using a Downloader with client
// and default options.
func Get(ctx context.Context, client *http.Client, url string, dst PartialWriter, want content.Digests) error {
	d := &Downloader{Client: client}
	return d.Get(ctx, url, dst, want)
}

// Get downloads url into dst, resuming from dst.Offset(), and commits it
// once it holds want.Size bytes (or the server's whole entity when the size
// is unknown). Errors: patchbay.EInvalid when the content does not match
// want (the partial is deleted) or the server's size contradicts want.Size;
// patchbay.ENotFound for 404 and 410; other HTTP statuses and transport
// errors after the retries are spent; ctx's error when it ends.
func (d *Downloader) Get(ctx context.Context, url string, dst PartialWriter, want content.Digests) error {
	if err := content.CheckDigests(want); err != nil {
		return err
	}
	fails := 0
	best := dst.Offset() // an attempt that gets past it made progress
	for {
		total, err := d.attempt(ctx, url, dst, want)
		if err == nil {
			if total >= 0 && want.Size < 0 {
				want.Size = total
			}
			if err := dst.Commit(ctx, want); err != nil {
				return fmt.Errorf("download %s: %w", url, err)
			}
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		var t *transient
		if !errors.As(err, &t) {
			return fmt.Errorf("download %s: %w", url, err)
		}
		if off := dst.Offset(); off > best {
			best, fails = off, 0
		}
		fails++
		if fails > d.retries() {
			return fmt.Errorf("download %s: giving up after %d attempts without progress: %w", url, fails, t.err)
		}
		if err := d.sleep(ctx, d.backoff(fails, t.retryAfter)); err != nil {
			return err
		}
	}
}

// transient is a failure worth another attempt.
type transient struct {
	err        error
	retryAfter time.Duration // from the server, or 0
}

func (t *transient) Error() string { return t.err.Error() }
func (t *transient) Unwrap() error { return t.err }

// attempt makes one request and writes its body to dst. It returns the
// size of the whole entity when the server told it (else
// content.UnknownSize), and nil when dst holds the complete file.
func (d *Downloader) attempt(ctx context.Context, url string, dst PartialWriter, want content.Digests) (int64, error) {
	off := dst.Offset()
	if want.Size >= 0 && off > want.Size {
		if err := dst.Reset(); err != nil {
			return 0, err
		}
		off = 0
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, patchbay.Errorf(patchbay.EInvalid, "content url %q: %v", url, err)
	}
	req.Header.Set("User-Agent", d.userAgent())
	// Offsets count bytes of the file itself: refuse any content coding
	// (net/http would otherwise ask for gzip and decode it silently).
	req.Header.Set("Accept-Encoding", "identity")
	if off > 0 {
		// MC-BUP §3.6.5: ask for the rest; If-Range makes the server send
		// the whole file instead if it changed meanwhile.
		req.Header.Set("Range", "bytes="+strconv.FormatInt(off, 10)+"-")
		if v := dst.Validator(); v != "" {
			req.Header.Set("If-Range", v)
		}
	}
	resp, err := d.client().Do(req)
	if err != nil {
		return 0, &transient{err: err}
	}
	defer resp.Body.Close()

	total := int64(content.UnknownSize)
	switch resp.StatusCode {
	case http.StatusOK:
		if off > 0 {
			// Range ignored, or If-Range did not match: start again.
			if err := dst.Reset(); err != nil {
				return 0, err
			}
			off = 0
		}
		total = resp.ContentLength
	case http.StatusPartialContent:
		start, size, ok := parseContentRange(resp.Header.Get("Content-Range"))
		if !ok || start != off {
			if err := dst.Reset(); err != nil {
				return 0, err
			}
			return 0, &transient{err: fmt.Errorf("server answered range %q to a request from byte %d", resp.Header.Get("Content-Range"), off)}
		}
		total = size
	case http.StatusRequestedRangeNotSatisfiable:
		// Our offset is at or past the end: complete if it is the end.
		size := unsatisfiedSize(resp.Header.Get("Content-Range"))
		if off > 0 && size == off && (want.Size < 0 || want.Size == off) {
			return size, nil
		}
		if err := dst.Reset(); err != nil {
			return 0, err
		}
		return 0, &transient{err: fmt.Errorf("server cannot satisfy range from byte %d of %d", off, size)}
	case http.StatusNotFound, http.StatusGone:
		return 0, patchbay.Errorf(patchbay.ENotFound, "server answered %s", resp.Status)
	case http.StatusRequestTimeout, http.StatusTooManyRequests, http.StatusInternalServerError,
		http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return 0, &transient{err: fmt.Errorf("server answered %s", resp.Status), retryAfter: retryAfter(resp.Header.Get("Retry-After"))}
	default:
		return 0, fmt.Errorf("server answered %s", resp.Status)
	}
	if total >= 0 && want.Size >= 0 && total != want.Size {
		return 0, patchbay.Errorf(patchbay.EInvalid, "server has %d bytes, metadata says %d", total, want.Size)
	}
	if v := validator(resp.Header); v != "" && v != dst.Validator() {
		if err := dst.SetValidator(v); err != nil {
			return 0, err
		}
	}
	if total < 0 {
		total = want.Size
	}
	return total, d.copy(ctx, dst, resp.Body, total)
}

// copy writes body to dst, charging the limiter and reporting progress,
// and checks that exactly total bytes (when known) end up held.
func (d *Downloader) copy(ctx context.Context, dst PartialWriter, body io.Reader, total int64) error {
	buf := make([]byte, d.Limiter.chunk(64<<10))
	for {
		if total >= 0 && dst.Offset() > total {
			break
		}
		n, rerr := body.Read(buf)
		if n > 0 {
			if _, err := dst.Write(buf[:n]); err != nil {
				return err
			}
			if d.Progress != nil {
				d.Progress(dst.Offset(), total)
			}
			if err := d.Limiter.wait(ctx, n); err != nil {
				return err
			}
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			return &transient{err: rerr}
		}
	}
	switch held := dst.Offset(); {
	case total >= 0 && held > total:
		if err := dst.Reset(); err != nil {
			return err
		}
		return patchbay.Errorf(patchbay.EInvalid, "server sent more than %d bytes", total)
	case total >= 0 && held < total:
		return &transient{err: fmt.Errorf("body ended at byte %d of %d: %w", held, total, io.ErrUnexpectedEOF)}
	}
	return nil
}

// validator returns the validator to send in If-Range: a strong ETag, else
// Last-Modified (weak tags are not allowed there, RFC 7233 §3.2).
func validator(h http.Header) string {
	if et := h.Get("ETag"); et != "" && !strings.HasPrefix(et, "W/") {
		return et
	}
	return h.Get("Last-Modified")
}

// parseContentRange parses "bytes first-last/size" and returns first and
// size (content.UnknownSize for "*").
func parseContentRange(s string) (start, size int64, ok bool) {
	rest, found := strings.CutPrefix(strings.TrimSpace(s), "bytes ")
	if !found {
		return 0, 0, false
	}
	rng, sz, found := strings.Cut(rest, "/")
	first, last, found2 := strings.Cut(rng, "-")
	if !found || !found2 {
		return 0, 0, false
	}
	start, err1 := strconv.ParseInt(strings.TrimSpace(first), 10, 64)
	end, err2 := strconv.ParseInt(strings.TrimSpace(last), 10, 64)
	if err1 != nil || err2 != nil || start < 0 || end < start {
		return 0, 0, false
	}
	size = content.UnknownSize
	if sz = strings.TrimSpace(sz); sz != "*" {
		n, err := strconv.ParseInt(sz, 10, 64)
		if err != nil || n <= end {
			return 0, 0, false
		}
		size = n
	}
	return start, size, true
}

// unsatisfiedSize parses the "bytes */size" of a 416 answer, or returns -1.
func unsatisfiedSize(s string) int64 {
	sz, ok := strings.CutPrefix(strings.TrimSpace(s), "bytes */")
	if !ok {
		return -1
	}
	n, err := strconv.ParseInt(strings.TrimSpace(sz), 10, 64)
	if err != nil || n < 0 {
		return -1
	}
	return n
}

// retryAfter parses a Retry-After in seconds; dates are ignored.
func retryAfter(s string) time.Duration {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < 0 {
		return 0
	}
	return time.Duration(n) * time.Second
}

func (d *Downloader) client() *http.Client {
	if d.Client == nil {
		return http.DefaultClient
	}
	return d.Client
}

func (d *Downloader) userAgent() string {
	if d.UserAgent == "" {
		return "Patchbay"
	}
	return d.UserAgent
}

func (d *Downloader) retries() int {
	switch {
	case d.Retries == 0:
		return 5
	case d.Retries < 0:
		return 0
	}
	return d.Retries
}

// backoff returns the wait after the n-th failure in a row.
func (d *Downloader) backoff(n int, hint time.Duration) time.Duration {
	base, ceil := d.Backoff, d.MaxBackoff
	if base <= 0 {
		base = time.Second
	}
	if ceil <= 0 {
		ceil = time.Minute
	}
	w := base
	for i := 1; i < n && w < ceil; i++ {
		w *= 2
	}
	return min(max(w, hint), ceil)
}

func (d *Downloader) sleep(ctx context.Context, w time.Duration) error {
	if d.Sleep != nil {
		return d.Sleep(ctx, w)
	}
	return sleep(ctx, w)
}
