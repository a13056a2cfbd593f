// Package clientsync implements the server side of the MS-WUSP client-server
// protocol (wusp.Service): configuration, authorization and session cookies,
// registration, SyncUpdates selection over the in-memory catalog, extended
// metadata, file locations and event reporting. It translates between wire
// types and the domain; the catalog decides what a client needs.
package clientsync

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"patchbay"
	"patchbay/internal/catalog"
	"patchbay/internal/cookie"
)

// Computers is the part of the store that keeps the client table.
type Computers interface {
	// TouchComputer creates the computer on first contact or updates its
	// DNS name and claimed groups; it reports whether it was created.
	TouchComputer(ctx context.Context, id, dnsName string, claimed []string, at time.Time) (bool, error)
	// RegisterComputer stores the ComputerInfo fields of c and marks it registered.
	RegisterComputer(ctx context.Context, c patchbay.Computer) error
	// Computer returns one computer or an ENotFound error.
	Computer(ctx context.Context, id string) (patchbay.Computer, error)
	// Groups lists the target groups, to resolve client-side group names.
	Groups(ctx context.Context) ([]patchbay.TargetGroup, error)
}

// Fragments reads stored metadata fragments by RevisionID.
type Fragments interface {
	Fragment(ctx context.Context, id int64, kind patchbay.FragmentKind, locale string) (patchbay.Fragment, error)
}

// Reporter ingests a batch of client events (internal/reporting).
type Reporter interface {
	Ingest(ctx context.Context, computerID string, clientTime, received time.Time, events []patchbay.Event) error
}

// Catalogs returns the current catalog snapshot (snapshot.Keeper).
type Catalogs interface {
	Load() *catalog.Catalog
}

// Config is the client-facing configuration (GetConfig, MS-WUSP
// §2.2.2.2.1) and the limits of the protocol. Changing anything that
// clients see must change LastChange, or clients never learn of it.
type Config struct {
	// ServerID identifies this server's database generation. Cookies sealed
	// for another ServerID get ServerChanged, so clients RefreshCache.
	ServerID string
	// LastChange is GetConfig's LastChange, persisted across restarts and
	// shared by front-ends (protocol-wusp.md trap 14).
	LastChange time.Time
	// RegistrationNotRequired turns off IsRegistrationRequired. The zero
	// value requires registration, as WSUS does.
	RegistrationNotRequired bool
	// ClientSideTargeting takes target groups from the names clients send
	// in GetAuthorizationCookie (the TargetGroup policy) instead of the
	// groups an administrator assigned.
	ClientSideTargeting bool
	// PageSize is the most NewUpdates per SyncUpdates answer. Zero means
	// DefaultPageSize. WSUS uses 30; WUA accepts pages of 200.
	PageSize int
	// MaxExtendedUpdatesPerRequest is advertised in GetConfig and enforced
	// by GetExtendedUpdateInfo. Zero means 50, WSUS's value.
	MaxExtendedUpdatesPerRequest int
	// PackageServerShare is the UNC repair path WSUS advertises; empty omits it.
	PackageServerShare string
	// ContentURL, when set, is the base URL of the update content (e.g. a
	// CDN, or Microsoft Update when content is left there); otherwise file
	// URLs point at this server, using the Host the client called
	// (protocol-wusp.md §9.1).
	ContentURL string
	// AllowedEventIds, when not empty, is advertised in GetConfig.
	AllowedEventIds []int32
	// CookieLifetime is the session cookie's life. Zero means one hour, as
	// WSUS (protocol-wusp.md §6.1).
	CookieLifetime time.Duration
	// AuthCookieLifetime is the authorization cookie's life. Zero means 24 h.
	AuthCookieLifetime time.Duration
}

// DefaultPageSize is the NewUpdates page size when Config.PageSize is zero:
// 200, the page MS-WUSP Appendix B note 55 says WSUS truncates at and that
// WUA was seen accepting (protocol-wusp.md §5.7). WS2025 pages at 30, but a
// first scan re-sends the client's growing id lists every round, so fewer,
// larger pages cost both sides far less (54 ms against 81 ms of server CPU
// for a 17,000-revision first scan).
const DefaultPageSize = 200

// Service implements wusp.Service. Create it with New.
type Service struct {
	cfg       Config
	computers Computers
	fragments Fragments
	reporter  Reporter
	catalogs  Catalogs
	auth      *cookie.Sealer
	session   *cookie.Sealer
	now       func() time.Time
	log       *slog.Logger

	// registered caches the ids of registered computers, so SyncUpdates
	// checks registration without SQL (docs/architecture.md: no SQL on the
	// steady-state scan path). A miss falls back to the store once.
	registered sync.Map // string -> struct{}

	contacts *contactTracker

	escaped atomic.Pointer[escapeCache]

	filesMu   sync.Mutex
	filesCat  *catalog.Catalog
	filesByID map[[20]byte]fileRef
}

// Deps are the collaborators of a Service.
type Deps struct {
	Computers Computers
	Fragments Fragments
	Reporter  Reporter
	Catalogs  Catalogs
	Contacts  ContactStore
	// Key seals both cookie kinds (each bound to its own purpose).
	Key    []byte
	Now    func() time.Time
	Logger *slog.Logger
}

// New returns a Service. It fails only for a bad cookie key.
func New(cfg Config, d Deps) (*Service, error) {
	auth, err := cookie.New(d.Key, "wusp-auth:"+cfg.ServerID)
	if err != nil {
		return nil, err
	}
	// The session cookie's purpose is not bound to the server id: a cookie
	// from an earlier database generation must open, so that its ServerID
	// can be compared and ServerChanged answered (§2.2.2.4).
	session, err := cookie.New(d.Key, "wusp-session")
	if err != nil {
		return nil, err
	}
	if cfg.PageSize <= 0 {
		cfg.PageSize = DefaultPageSize
	}
	if cfg.MaxExtendedUpdatesPerRequest <= 0 {
		cfg.MaxExtendedUpdatesPerRequest = 50
	}
	if cfg.CookieLifetime <= 0 {
		cfg.CookieLifetime = time.Hour
	}
	if cfg.AuthCookieLifetime <= 0 {
		cfg.AuthCookieLifetime = 24 * time.Hour
	}
	cfg.LastChange = cfg.LastChange.UTC().Truncate(time.Millisecond)
	s := &Service{
		cfg: cfg, computers: d.Computers, fragments: d.Fragments, reporter: d.Reporter,
		catalogs: d.Catalogs, auth: auth, session: session, now: d.Now, log: d.Logger,
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	s.contacts = newContactTracker(d.Contacts, s.log)
	return s, nil
}

// Run flushes contact times in the background until ctx ends, then flushes
// once more. Call it in a goroutine for the life of the server.
func (s *Service) Run(ctx context.Context) { s.contacts.run(ctx) }

// catalog returns the current snapshot, or a Busy error before the first build.
func (s *Service) catalog() (*catalog.Catalog, error) {
	c := s.catalogs.Load()
	if c == nil {
		return nil, patchbay.Errorf(patchbay.EBusy, "catalog not loaded yet")
	}
	return c, nil
}

type baseURLKey struct{}

// WithBaseURL returns ctx carrying the base URL ("http://host:port") the
// client used to reach the server; file URLs are built from it when no
// ContentURL is configured, as WSUS builds them from the request's Host.
func WithBaseURL(ctx context.Context, base string) context.Context {
	return context.WithValue(ctx, baseURLKey{}, base)
}

func (s *Service) contentBase(ctx context.Context) string {
	if s.cfg.ContentURL != "" {
		return s.cfg.ContentURL
	}
	if b, ok := ctx.Value(baseURLKey{}).(string); ok && b != "" {
		return b
	}
	return "http://localhost:8530"
}

// joinURL appends an absolute path to a base URL without doubling slashes.
func joinURL(base, path string) string {
	return strings.TrimRight(base, "/") + path
}
