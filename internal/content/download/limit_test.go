package download_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"patchbay/internal/content/download"
)

// fakeClock is a clock that only moves when the limiter sleeps.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) sleep(_ context.Context, d time.Duration) error {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
	return nil
}

// TestGetBandwidthLimit checks the bytes let through against a fake clock
// that advances only by the limiter's waits: no timing in the test.
func TestGetBandwidthLimit(t *testing.T) {
	const rate, burst = 1000, 100
	f := newFile(12)
	o, url := newOrigin(t, f)
	st, p := cache(t, f)
	clock := &fakeClock{t: time.Unix(0, 0)}
	start := clock.now()
	var prev int64
	d := &download.Downloader{
		Client:  o.srv.Client(),
		Limiter: &download.Limiter{Rate: rate, Burst: burst, Now: clock.now, Sleep: clock.sleep},
		Progress: func(done, _ int64) {
			if done-prev > burst {
				t.Errorf("one read let %d bytes through, burst is %d", done-prev, burst)
			}
			prev = done
			// Bytes received so far never exceed what the bucket allowed
			// (plus the read just charged).
			elapsed := clock.now().Sub(start).Seconds()
			if allowed := burst + rate*elapsed + burst; float64(done) > allowed+1 { // +1: waits are whole nanoseconds
				t.Errorf("%d bytes after %.2f s, limit allows %.0f", done, elapsed, allowed)
			}
		},
	}
	if err := d.Get(t.Context(), url, p, f.want); err != nil {
		t.Fatalf("Get() = %v", err)
	}
	stored(t, st, f)
	if got, min := clock.now().Sub(start), time.Duration(float64(size-burst)/rate*float64(time.Second))-time.Microsecond; got < min {
		t.Errorf("limiter waited %v in all for %d bytes, want at least %v", got, size, min)
	}
}
