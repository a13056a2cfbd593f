package download

import (
	"context"
	"sync"
	"time"
)

// defaultBurst bounds the bytes a Limiter lets through at once.
const defaultBurst = 32 << 10

// Limiter is a token bucket that caps the bytes per second of every download
// sharing it. Configure it before first use; it is then safe for concurrent
// use.
type Limiter struct {
	// Rate is the long-run limit in bytes per second; zero or less means
	// no limit.
	Rate int64
	// Burst is the most bytes let through without waiting, and the largest
	// read a download makes; zero means min(Rate, 32 KiB).
	Burst int64
	// Now returns the time; nil means time.Now.
	Now func() time.Time
	// Sleep waits d or until ctx is done; nil means a timer.
	Sleep func(ctx context.Context, d time.Duration) error

	mu      sync.Mutex
	started bool
	tokens  float64
	last    time.Time
}

// burst returns the bucket size in bytes.
func (l *Limiter) burst() int64 {
	if l.Burst > 0 {
		return l.Burst
	}
	return max(1, min(l.Rate, defaultBurst))
}

// chunk returns how many bytes a read may ask for, at most n.
func (l *Limiter) chunk(n int) int {
	if l == nil || l.Rate <= 0 {
		return n
	}
	return int(min(int64(n), l.burst()))
}

// wait charges n bytes that have been received and sleeps until the bucket
// is no longer in debt. A nil Limiter does nothing.
func (l *Limiter) wait(ctx context.Context, n int) error {
	if l == nil || l.Rate <= 0 || n <= 0 {
		return nil
	}
	now := time.Now
	if l.Now != nil {
		now = l.Now
	}
	l.mu.Lock()
	t := now()
	if !l.started {
		l.started, l.tokens, l.last = true, float64(l.burst()), t
	}
	if dt := t.Sub(l.last); dt > 0 {
		l.tokens = min(float64(l.burst()), l.tokens+dt.Seconds()*float64(l.Rate))
	}
	l.last = t
	l.tokens -= float64(n)
	var d time.Duration
	if l.tokens < 0 {
		d = time.Duration(-l.tokens / float64(l.Rate) * float64(time.Second))
	}
	l.mu.Unlock()
	if d <= 0 {
		return nil
	}
	if l.Sleep != nil {
		return l.Sleep(ctx, d)
	}
	return sleep(ctx, d)
}

// sleep waits d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
