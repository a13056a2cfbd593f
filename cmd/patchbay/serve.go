package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"patchbay/internal/clientsync"
	"patchbay/internal/content"
	"patchbay/internal/content/disk"
	"patchbay/internal/metrics"
	"patchbay/internal/snapshot"
	"patchbay/internal/store/sqlite"
	"patchbay/internal/wusp"
)

// Main is a running Patchbay server: the wiring of configuration, storage and
// the HTTP listener. End-to-end tests create one with NewMain, call Run with
// Addr "127.0.0.1:0" and Close it.
type Main struct {
	Config Config
	Logger *slog.Logger
	// Now is the clock of the client protocol (cookie expiry); nil means
	// time.Now. Tests move it to expire cookies.
	Now func() time.Time

	DB         *sqlite.DB
	Content    *disk.Store
	SelfUpdate http.Handler
	Metrics    *metrics.Registry
	Catalog    *snapshot.Keeper
	ClientSync *clientsync.Service
	wusp       *wusp.Server

	bgctx context.Context
	stop  context.CancelFunc // ends background goroutines
	bg    sync.WaitGroup

	ln     net.Listener
	server *http.Server
	done   chan error
}

// NewMain returns a Main with the default configuration and a discarding logger.
func NewMain() *Main {
	return &Main{Config: defaultConfig(), Logger: slog.New(slog.DiscardHandler)}
}

// Run opens the data directory and database, binds the listener and starts
// serving in the background. It returns once the server accepts connections,
// or with an error that says what is wrong (unwritable data directory, port
// in use) without leaving anything open.
func (m *Main) Run(ctx context.Context) (err error) {
	defer func() {
		if err != nil {
			m.Close()
		}
	}()
	if err := prepareDataDir(m.Config.DataDir); err != nil {
		return err
	}
	m.DB, err = sqlite.Open(ctx, filepath.Join(m.Config.DataDir, "patchbay.db"))
	if err != nil {
		return fmt.Errorf("open database: %w", err)
	}
	m.Content, err = disk.Open(filepath.Join(m.Config.DataDir, "content"))
	if err != nil {
		return fmt.Errorf("open content store: %w", err)
	}
	m.SelfUpdate, err = content.SelfUpdate(filepath.Join(m.Config.DataDir, "selfupdate"), content.HandlerOptions{Logger: m.Logger})
	if err != nil {
		return err
	}
	m.Metrics = metrics.New()
	bgctx, stop := context.WithCancel(context.WithoutCancel(ctx))
	m.bgctx, m.stop = bgctx, stop
	if m.wusp, err = m.startClientProtocol(ctx); err != nil {
		return err
	}

	m.ln, err = net.Listen("tcp", m.Config.Addr)
	if err != nil {
		return listenError(m.Config.Addr, err)
	}
	m.server = &http.Server{
		Handler:           m.routes(),
		ReadHeaderTimeout: 30 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(m.Logger.Handler(), slog.LevelWarn),
	}
	m.done = make(chan error, 1)
	go func() { m.done <- m.server.Serve(m.ln) }()
	m.Logger.Info("patchbay serving", "addr", m.ln.Addr().String(), "data", m.Config.DataDir, "version", version)
	return nil
}

// Addr returns the address the server listens on (useful with port 0).
func (m *Main) Addr() string {
	if m.ln == nil {
		return ""
	}
	return m.ln.Addr().String()
}

// URL returns the server's base URL, e.g. "http://127.0.0.1:8530".
func (m *Main) URL() string { return "http://" + m.Addr() }

// Close stops accepting requests, waits up to 15 s for requests in flight,
// and closes the database. It is safe to call more than once.
func (m *Main) Close() error {
	var errs []error
	if m.server != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		if err := m.server.Shutdown(ctx); err != nil {
			errs = append(errs, fmt.Errorf("shutdown http: %w", err))
		}
		cancel()
		if err := <-m.done; err != nil && !errors.Is(err, http.ErrServerClosed) {
			errs = append(errs, err)
		}
		m.server = nil
	} else if m.ln != nil {
		m.ln.Close()
	}
	m.ln = nil
	if m.stop != nil {
		m.stop()
		m.bg.Wait() // background work flushes before the database closes
		m.stop = nil
	}
	if m.DB != nil {
		if err := m.DB.Close(); err != nil {
			errs = append(errs, fmt.Errorf("close database: %w", err))
		}
		m.DB = nil
	}
	return errors.Join(errs...)
}

// goBackground runs fn until Close.
func (m *Main) goBackground(fn func(ctx context.Context)) {
	m.bg.Go(func() { fn(m.bgctx) })
}

// runServe is "patchbay serve": run until SIGINT/SIGTERM, then shut down gracefully.
func runServe(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer) error {
	cfg, fs, err := parseConfig("serve", args, getenv, stderr)
	if err != nil {
		return flagError(err)
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Errorf("unexpected argument %q", fs.Arg(0))}
	}
	m := NewMain()
	m.Config = cfg
	m.Logger = cfg.newLogger(stderr)
	if err := m.Run(ctx); err != nil {
		return err
	}
	select {
	case <-ctx.Done():
		m.Logger.Info("shutting down")
	case err := <-m.done:
		m.done <- err // let Close see it
	}
	return m.Close()
}

// prepareDataDir creates dir if needed and checks that it is writable, so
// that a bad --data fails at start with a clear message.
func prepareDataDir(dir string) error {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return fmt.Errorf("data directory %s: %w", dir, unwrapPath(err))
	}
	f, err := os.CreateTemp(dir, ".write-test-*")
	if err != nil {
		return fmt.Errorf("data directory %s is not writable: %w", dir, unwrapPath(err))
	}
	name := f.Name()
	f.Close()
	return os.Remove(name)
}

func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

func listenError(addr string, err error) error {
	if errors.Is(err, syscall.EADDRINUSE) {
		return fmt.Errorf("listen on %s: address already in use (is another server running? choose one with --addr)", addr)
	}
	if errors.Is(err, syscall.EACCES) {
		return fmt.Errorf("listen on %s: permission denied (ports below 1024 need privileges)", addr)
	}
	var oe *net.OpError
	if errors.As(err, &oe) && oe.Err != nil {
		return fmt.Errorf("listen on %s: %v", addr, oe.Err)
	}
	return fmt.Errorf("listen on %s: %v", addr, err)
}
