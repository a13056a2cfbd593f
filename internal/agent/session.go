package agent

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"patchbay/internal/soap"
	"patchbay/internal/wusp"
)

// Bounds of the recovery loop of do.
const (
	maxRecoveries = 8                // fault recoveries per operation
	maxBusyRetry  = 3                // InternalServerError/ServerBusy retries per operation
	busyBackoff   = time.Second      // first wait after ServerBusy
	maxBusyWait   = 30 * time.Second // cap of that wait
	cookieSkew    = time.Minute      // renew this long before the clear-text Expiration
	refreshBatch  = 200              // RefreshCache ids per call (WSUS answered 200, protocol-wusp.md §7.5)
)

// do runs op with a valid session, following the recovery paths of MS-WUSP
// §2.2.2.4 (protocol-wusp.md §3.3) for each fault op returns:
// InvalidCookie and ServerChanged → GetConfig, cookies, RefreshCache;
// CookieExpired → new cookies (GetCookie with oldCookie); ConfigChanged →
// GetConfig and cookies; RegistrationRequired → RegisterComputer;
// InvalidAuthorizationCookie → new authorization cookie;
// FileLocationChanged → GetFileLocations for every cached file (§3.1.5.10);
// InternalServerError and ServerBusy → retry after a bounded backoff.
// Other errors end the operation. Callers hold a.mu.
func (a *Agent) do(ctx context.Context, what string, op func(s *ServerState) error) error {
	busy := 0
	var last error
	for range maxRecoveries {
		step := "handshake before " + what
		s, err := a.session(ctx)
		if err == nil {
			step = what
			err = op(s)
		}
		if err == nil {
			a.st.LastContact = a.now()
			return nil
		}
		last = err
		if !a.recoverFrom(ctx, s, err, &busy) {
			return fmt.Errorf("%s: %w", step, err)
		}
	}
	return fmt.Errorf("%s: no recovery after %d attempts: %w", what, maxRecoveries, last)
}

// recoverFrom prepares the session for another attempt after err and
// reports whether one is worth making.
func (a *Agent) recoverFrom(ctx context.Context, s *ServerState, err error, busy *int) bool {
	if s == nil {
		s = a.st.server(a.cfg.ServerURL)
	}
	var f *soap.Fault
	if !errors.As(err, &f) {
		return false // transport or decoding error: the caller retries later
	}
	a.st.LastContact = a.now()
	switch f.ErrorCode() {
	case wusp.ErrorInvalidCookie, wusp.ErrorServerChanged:
		s.Config, s.AuthCookie, s.Cookie = nil, nil, nil
		s.NeedsRefresh = len(s.Revisions) > 0
		if f.ErrorCode() == wusp.ErrorServerChanged {
			s.FileLocations = nil
		}
	case wusp.ErrorCookieExpired:
		s.AuthCookie = nil // renews both; the old cookie goes back as oldCookie
	case wusp.ErrorConfigChanged:
		s.Config, s.AuthCookie = nil, nil
	case wusp.ErrorRegistrationRequired:
		s.Registered = ""
		if s.Config != nil {
			s.Config.IsRegistrationRequired = true
		}
	case wusp.ErrorInvalidAuthorizationCookie:
		s.AuthCookie = nil
	case wusp.ErrorFileLocationChanged:
		s.NeedsLocations = true
	case wusp.ErrorServerBusy, wusp.ErrorInternalServerError, "":
		*busy++
		if *busy > maxBusyRetry {
			return false
		}
		w := busyBackoff << (*busy - 1)
		if err := a.sleep(ctx, min(w, maxBusyWait)); err != nil {
			return false
		}
	default:
		return false
	}
	a.log.Info("recovering from fault", "errorCode", f.ErrorCode())
	return true
}

// session completes whatever the handshake lacks, in the order of MS-WUSP
// §3.2.5 and MS-WSUSOD §3.6: GetConfig (cached), GetAuthorizationCookie and
// GetCookie (cached until they expire), RegisterComputer (when required and
// the computer's data changed), RefreshCache (after InvalidCookie,
// ServerChanged or a server change).
func (a *Agent) session(ctx context.Context) (*ServerState, error) {
	s := a.st.server(a.cfg.ServerURL)
	if s.Config == nil {
		resp, err := a.client.GetConfig(ctx, &wusp.GetConfig{ProtocolVersion: protocolVersion})
		if err != nil {
			return s, err
		}
		if resp.GetConfigResult == nil {
			return s, errors.New("GetConfig: empty answer")
		}
		s.Config = resp.GetConfigResult
		s.AuthCookie = nil // a cookie carries the LastChange it was issued for
	}
	if err := a.client.SetSimpleAuthURL(simpleAuthURL(s.Config)); err != nil {
		return s, err
	}
	// The authorization cookie carries the target groups claimed (client-side
	// targeting): a change of the TargetGroup policy needs new cookies.
	if s.AuthCookie == nil || s.Cookie == nil || len(s.Cookie.EncryptedData) == 0 ||
		!s.Cookie.Expiration.After(a.now().Add(cookieSkew)) || s.Groups != a.targetGroups() {
		if err := a.renewCookies(ctx, s); err != nil {
			return s, err
		}
	}
	if s.Config.IsRegistrationRequired {
		info := a.computerInfo()
		if fp := fingerprint(info); fp != s.Registered {
			if _, err := a.client.RegisterComputer(ctx, &wusp.RegisterComputer{Cookie: s.Cookie, ComputerInfo: info}); err != nil {
				return s, err
			}
			s.Registered = fp
		}
	}
	if s.NeedsRefresh {
		if err := a.refreshCache(ctx, s); err != nil {
			return s, err
		}
	}
	if s.NeedsLocations {
		if err := a.refreshLocations(ctx, s); err != nil {
			return s, err
		}
	}
	return s, nil
}

// simpleAuthURL returns the ServiceUrl of the SimpleTargeting plug-in
// (MS-WUSP §2.2.2.2.1), or WSUS's standard path.
func simpleAuthURL(c *wusp.Config) string {
	for _, p := range c.AuthInfo {
		if strings.EqualFold(p.PlugInID, "SimpleTargeting") && p.ServiceUrl != "" {
			return p.ServiceUrl
		}
	}
	return strings.TrimPrefix(wusp.PathSimpleAuth, "/")
}

// renewCookies calls GetAuthorizationCookie then GetCookie (MS-WUSP
// §3.2.5), sending the previous cookie as oldCookie so that the server can
// carry its state, and lastChange exactly as GetConfig sent it.
func (a *Agent) renewCookies(ctx context.Context, s *ServerState) error {
	facts := a.inv.Facts()
	ar, err := a.client.GetAuthorizationCookie(ctx, &wusp.GetAuthorizationCookie{
		ClientID: a.st.ClientID, TargetGroupName: a.targetGroups(), DnsName: facts.DNSName})
	if err != nil {
		return err
	}
	if ar.GetAuthorizationCookieResult == nil {
		return errors.New("GetAuthorizationCookie: empty answer")
	}
	s.AuthCookie = ar.GetAuthorizationCookieResult
	old := s.Cookie
	if old == nil {
		// WUA sends an oldCookie holding only Expiration on its first call
		// (protocol-wusp.md §4.3).
		old = &wusp.Cookie{Expiration: wusp.DateTime{Time: a.now().Truncate(time.Second)}}
	}
	cr, err := a.client.GetCookie(ctx, &wusp.GetCookie{
		AuthCookies: wusp.List[wusp.AuthorizationCookie]{*s.AuthCookie}, OldCookie: old,
		LastChange: s.Config.LastChange, CurrentTime: wusp.DateTime{Time: a.now().Truncate(time.Second)},
		ProtocolVersion: protocolVersion})
	if err != nil {
		return err
	}
	if cr.GetCookieResult == nil || len(cr.GetCookieResult.EncryptedData) == 0 {
		return errors.New("GetCookie: empty cookie")
	}
	s.Cookie = cr.GetCookieResult
	s.Groups = a.targetGroups()
	return nil
}

// targetGroups is GetAuthorizationCookie's targetGroupName: the configured
// groups joined with ';' (protocol-wusp.md §4.2).
func (a *Agent) targetGroups() string { return strings.Join(a.cfg.TargetGroups, ";") }

// computerInfo is RegisterComputer's computerInfo (MS-WUSP §2.2.2.2.3)
// from the inventory's facts.
func (a *Agent) computerInfo() *wusp.ComputerInfo {
	f := a.inv.Facts()
	return &wusp.ComputerInfo{
		DnsName: f.DNSName, OSMajorVersion: f.OSMajor, OSMinorVersion: f.OSMinor, OSBuildNumber: f.OSBuild,
		OSServicePackMajorNumber: f.SPMajor, OSServicePackMinorNumber: f.SPMinor, OSLocale: f.OSLocale,
		ComputerManufacturer: f.Manufacturer, ComputerModel: f.Model, BiosVersion: f.BiosVersion, BiosName: f.BiosName,
		BiosReleaseDate: wusp.DateTime{Time: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)}, ProcessorArchitecture: f.ProcessorArchitecture,
		SuiteMask: f.SuiteMask, OldProductType: f.ProductType, NewProductType: cmp.Or(f.SKU, f.ProductType),
		ClientVersionMajorNumber: clientVersion[0], ClientVersionMinorNumber: clientVersion[1],
		ClientVersionBuildNumber: clientVersion[2], ClientVersionQfeNumber: clientVersion[3],
		OSDescription: f.OSDescription, OEM: f.Manufacturer, MobileOperator: "Not Present",
	}
}

// clientVersion is the agent version reported as the client version.
var clientVersion = [4]int32{1, 0, 0, 0}

func fingerprint(v any) string {
	b, _ := json.Marshal(v)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// refreshCache re-maps the revision cache to this server's revision ids
// with RefreshCache in batches (MS-WUSP §3.1.5.8) and purges what the
// server does not return; SyncUpdates fetches those again (WSUS leaves out
// bundle members, protocol-wusp.md trap 36).
func (a *Agent) refreshCache(ctx context.Context, s *ServerState) error {
	var ids []wusp.UpdateIdentity
	byIdentity := map[string]*Revision{}
	for _, r := range s.Revisions {
		ids = append(ids, wusp.UpdateIdentity{UpdateID: r.UpdateID, RevisionNumber: r.RevisionNumber})
		byIdentity[identityKey(r.UpdateID, r.RevisionNumber)] = r
	}
	fresh := map[int32]*Revision{}
	for start := 0; start < len(ids); start += refreshBatch {
		batch := ids[start:min(start+refreshBatch, len(ids))]
		resp, err := a.client.RefreshCache(ctx, &wusp.RefreshCache{Cookie: s.Cookie, GlobalIDs: batch})
		if err != nil {
			return err
		}
		for _, res := range resp.RefreshCacheResult {
			if res.GlobalID == nil {
				continue
			}
			r, ok := byIdentity[identityKey(res.GlobalID.UpdateID, res.GlobalID.RevisionNumber)]
			if !ok {
				continue
			}
			r.ID, r.IsLeaf = res.RevisionID, res.IsLeaf
			if res.Deployment != nil {
				r.Deployment = res.Deployment
			}
			fresh[r.ID] = r
		}
	}
	a.log.Info("revision cache refreshed", "kept", len(fresh), "purged", len(s.Revisions)-len(fresh))
	s.Revisions = fresh
	s.NeedsRefresh = false
	return nil
}

func identityKey(id string, rev int32) string { return strings.ToLower(id) + "/" + fmt.Sprint(rev) }

// refreshLocations asks again for the location of every file of the
// cached Extended fragments, after FileLocationChanged (MS-WUSP §3.1.5.10).
func (a *Agent) refreshLocations(ctx context.Context, s *ServerState) error {
	seen := map[string]bool{}
	var digests []wusp.Binary
	for _, r := range s.Revisions {
		if r.Extended == "" {
			continue
		}
		ext, err := parseExtended([]byte(r.Extended))
		if err != nil {
			continue
		}
		for _, f := range ext.Files {
			if k := keyOf(f); len(f.SHA1) == 20 && !seen[k] {
				seen[k] = true
				digests = append(digests, f.SHA1)
			}
		}
	}
	s.FileLocations = map[string]string{}
	if err := a.getFileLocations(ctx, s, digests); err != nil {
		return err
	}
	s.NeedsLocations = false
	return nil
}
