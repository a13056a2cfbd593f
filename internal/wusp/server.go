package wusp

import (
	"context"
	"encoding/xml"
	"fmt"
	"log/slog"
	"runtime/debug"

	"patchbay/internal/soap"
)

// Service is what the server needs from the layer that implements the
// protocol's processing rules (internal/clientsync): one method per
// operation, typed request in, typed response out. Requests reach it
// decoded and checked against the limits and presence rules of MS-WUSP
// §3.1.5 (validate methods); cookie contents, configuration changes and
// registration are the Service's to judge. Errors are mapped by the fault
// table (faults.go): return *patchbay.Error codes, or FaultError for
// codes without a domain code. A nil response with a nil error sends an
// empty response element.
type Service interface {
	// GetAuthorizationCookie is MS-WUSP §3.1.5.3 (SimpleAuth web service).
	GetAuthorizationCookie(ctx context.Context, req *GetAuthorizationCookie) (*GetAuthorizationCookieResponse, error)
	// GetConfig is MS-WUSP §3.1.5.2.
	GetConfig(ctx context.Context, req *GetConfig) (*GetConfigResponse, error)
	// GetCookie is MS-WUSP §3.1.5.4.
	GetCookie(ctx context.Context, req *GetCookie) (*GetCookieResponse, error)
	// RegisterComputer is MS-WUSP §3.1.5.5.
	RegisterComputer(ctx context.Context, req *RegisterComputer) (*RegisterComputerResponse, error)
	// StartCategoryScan is MS-WUSP §3.1.5.6; it has no cookie.
	StartCategoryScan(ctx context.Context, req *StartCategoryScan) (*StartCategoryScanResponse, error)
	// SyncUpdates is MS-WUSP §3.1.5.7. Its response is streamed
	// (SyncUpdatesResponse.WriteTo); UpdateInfo.Xml bytes are written
	// escaped, never re-encoded, and may be shared read-only.
	SyncUpdates(ctx context.Context, req *SyncUpdates) (*SyncUpdatesResponse, error)
	// SyncPrinterCatalog is MS-WUSP §3.1.5.12.
	SyncPrinterCatalog(ctx context.Context, req *SyncPrinterCatalog) (*SyncPrinterCatalogResponse, error)
	// RefreshCache is MS-WUSP §3.1.5.8.
	RefreshCache(ctx context.Context, req *RefreshCache) (*RefreshCacheResponse, error)
	// GetExtendedUpdateInfo is MS-WUSP §3.1.5.9.
	GetExtendedUpdateInfo(ctx context.Context, req *GetExtendedUpdateInfo) (*GetExtendedUpdateInfoResponse, error)
	// GetExtendedUpdateInfo2 is MS-WUSP §2.2.2.2.10.
	GetExtendedUpdateInfo2(ctx context.Context, req *GetExtendedUpdateInfo2) (*GetExtendedUpdateInfo2Response, error)
	// GetFileLocations is MS-WUSP §3.1.5.10.
	GetFileLocations(ctx context.Context, req *GetFileLocations) (*GetFileLocationsResponse, error)
	// ReportEventBatch is MS-WUSP §3.1.5.11 (Reporting web service).
	ReportEventBatch(ctx context.Context, req *ReportEventBatch) (*ReportEventBatchResponse, error)
}

// Limits bounds what one request may carry. Each list beyond its limit is
// answered InvalidParameters naming the parameter, before the Service
// runs. A zero field takes its default.
type Limits struct {
	// MaxInstalledNonLeafUpdateIDs bounds SyncUpdates'
	// InstalledNonLeafUpdateIDs (and SyncPrinterCatalog's). Default 50,000.
	// WSUS rejects more than 400 (web.config maxInstalledPrerequisites,
	// WSUSMaxInstalledNonLeafUpdateIDs; protocol-wusp.md §5.7); Windows
	// sends fewer than 100, so Patchbay accepts more and only protects
	// itself.
	MaxInstalledNonLeafUpdateIDs int
	// MaxCachedUpdateIDs bounds OtherCachedUpdateIDs, CachedDriverIDs,
	// printerUpdateIDs and RefreshCache's globalIDs. Default 50,000
	// (WSUS took 4,937 other ids, protocol-wusp.md §5.7).
	MaxCachedUpdateIDs int
	// MaxDevices bounds SyncUpdates' SystemSpec. Default 10,000 (Windows 11
	// sent 70 devices, protocol-wusp.md §5.8).
	MaxDevices int
	// MaxRequestedCategories is the exclusive bound of StartCategoryScan's
	// requestedCategories: MS-WUSP §3.1.5.6 and §7 note 52, WSUS rejects
	// 200 or more. Default 200.
	MaxRequestedCategories int
	// MaxExtendedUpdatesPerRequest bounds GetExtendedUpdateInfo's
	// revisionIDs and GetExtendedUpdateInfo2's updateIDs (MS-WUSP
	// §3.1.5.9); it must equal the MaxExtendedUpdatesPerRequest property
	// GetConfig advertises (§2.2.2.2.1). Default 50, WSUS's value.
	MaxExtendedUpdatesPerRequest int
	// MaxFileDigests bounds GetFileLocations' fileDigests (MS-WUSP
	// §3.1.5.10 sets none). Default 10,000.
	MaxFileDigests int
	// MaxEventsPerBatch bounds ReportEventBatch's eventBatch (MS-WUSP
	// §3.1.5.11 sets none; WUA sends a few to a few hundred). Default
	// 10,000.
	MaxEventsPerBatch int
}

// WSUSMaxInstalledNonLeafUpdateIDs is the limit WSUS applies to
// InstalledNonLeafUpdateIDs: 400 accepted, 401 rejected (wsus-m0/000141).
// Set Limits.MaxInstalledNonLeafUpdateIDs to it for WSUS parity.
const WSUSMaxInstalledNonLeafUpdateIDs = 400

// DefaultMaxExtendedUpdatesPerRequest is the default of
// Limits.MaxExtendedUpdatesPerRequest and the value WSUS advertises.
const DefaultMaxExtendedUpdatesPerRequest = 50

func (l Limits) withDefaults() Limits {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&l.MaxInstalledNonLeafUpdateIDs, 50000)
	def(&l.MaxCachedUpdateIDs, 50000)
	def(&l.MaxDevices, 10000)
	def(&l.MaxRequestedCategories, 200)
	def(&l.MaxExtendedUpdatesPerRequest, DefaultMaxExtendedUpdatesPerRequest)
	def(&l.MaxFileDigests, 10000)
	def(&l.MaxEventsPerBatch, 10000)
	return l
}

// Options configure NewServer. The zero value is usable.
type Options struct {
	// Logger receives internal errors (with their fault ID) and SOAPAction
	// mismatches; nil discards.
	Logger *slog.Logger
	// Limits bound request lists; zero fields take their defaults.
	Limits Limits
	// MaxBodyBytes limits request bodies; zero means
	// soap.DefaultMaxBodyBytes (16 MiB).
	MaxBodyBytes int64
	// DisableXpress answers every request uncompressed. By default a
	// response is xpress-encoded (MS-WUSP §2.1.1) when the request's
	// Accept-Encoding lists xpress, as WSUS does on all three services
	// (protocol-wusp.md §10); faults never are.
	DisableXpress bool
}

// Server holds the three MS-WUSP web services as http.Handlers, to be
// mounted at PathSimpleAuth, PathClient and PathReporting (matched
// case-insensitively). Each is a *soap.Mux that dispatches on the body
// element's QName through an explicit table (routes.go); a mismatched
// SOAPAction is logged, not faulted (protocol-wusp.md trap 3). The
// Reporting endpoint also carries the MS-WSUSSS rollup operations
// (architecture.md); the wiring adds their routes to Reporting.Routes
// before serving.
type Server struct {
	SimpleAuth *soap.Mux
	Client     *soap.Mux
	Reporting  *soap.Mux
}

// NewServer returns the three web services over svc.
func NewServer(svc Service, opts Options) *Server {
	lim := opts.Limits.withDefaults()
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	mux := func(name string, routes map[xml.Name]soap.Route) *soap.Mux {
		return &soap.Mux{
			Routes:        routes,
			Service:       name,
			MaxBodyBytes:  opts.MaxBodyBytes,
			Xpress:        !opts.DisableXpress,
			LenientAction: true,
			Logger:        log,
			ErrorFault: func(ctx context.Context, req *soap.Request, err error) *soap.Fault {
				method := soap.QuoteAction(req.Action)
				if req.Action == "" {
					method = soap.QuoteAction(routes[req.Name].Action)
				}
				f, internal := toFault(err, method)
				if internal {
					log.ErrorContext(ctx, "wusp: operation failed", "operation", req.Name.Local,
						"fault_id", f.Detail.ID, "err", err)
				} else {
					log.DebugContext(ctx, "wusp: fault", "operation", req.Name.Local,
						"error_code", f.ErrorCode(), "fault_id", f.Detail.ID, "err", err)
				}
				return f
			},
		}
	}
	simpleAuth, client, reporting := routes(svc, &lim)
	return &Server{
		SimpleAuth: mux("SimpleAuth Web Service", simpleAuth),
		Client:     mux("Client Web Service", client),
		Reporting:  mux("Reporting Web Service", reporting),
	}
}

// messageDecoder is implemented by request types with their own fast
// decoding of the envelope (SyncUpdates: syncupdates_decode.go); the
// others go through Message.Decode.
type messageDecoder interface {
	decodeMessage(*soap.Message) error
}

// validator is the request-side check every request type implements.
type validator interface{ validate(*Limits) error }

// handle adapts one typed Service method to a soap.Handler: decode
// (liberal; a body that does not decode is InvalidParameters naming the
// operation), validate, call, and answer an empty response element when
// the Service returns nil.
func handle[Req any, PReq interface {
	*Req
	validator
}, Resp any](lim *Limits, call func(context.Context, *Req) (*Resp, error)) soap.Handler {
	return func(ctx context.Context, r *soap.Request) (_ any, err error) {
		defer func() {
			// A panicking Service is an internal error, answered with a
			// fault like any other; the stack goes to the log with its ID.
			if p := recover(); p != nil {
				err = fmt.Errorf("wusp: %s panicked: %v\n%s", r.Name.Local, p, debug.Stack())
			}
		}()
		req := PReq(new(Req))
		decode := r.Decode
		if md, ok := any(req).(messageDecoder); ok {
			decode = func(any) error { return md.decodeMessage(&r.Message) }
		}
		if err := decode(req); err != nil {
			return nil, invalidParameter(r.Name.Local)
		}
		if err := req.validate(lim); err != nil {
			return nil, err
		}
		resp, err := call(ctx, req)
		if err != nil {
			return nil, err
		}
		if resp == nil {
			resp = new(Resp)
		}
		return resp, nil
	}
}
