package clientsync

import (
	"errors"
	"strconv"
	"strings"
	"time"

	"patchbay"
	"patchbay/internal/cookie"
	"patchbay/internal/wusp"
)

// maxCookieBytes bounds EncryptedData/CookieData before decryption
// (protocol-wusp.md §6.3 step 2). Patchbay's cookies are a few hundred bytes.
const maxCookieBytes = 4096

// authPayload is the sealed content of an AuthorizationCookie (MS-WUSP
// §2.2.3.4): who the client says it is and which groups it claims. It is a
// fixed struct decoded only after the AEAD tag verified (CVE-2025-59287).
type authPayload struct {
	V       int      `json:"v"`
	Client  string   `json:"c"`
	DNS     string   `json:"n,omitempty"`
	Claimed []string `json:"t,omitempty"`
	Server  string   `json:"s"`
	Expires int64    `json:"e"` // Unix seconds
}

// sessionPayload is the sealed content of a Cookie (MS-WUSP §2.2.3.5): the
// client identity and groups, its protocol version, the configuration
// anchor it saw, the server generation, the real expiry and the sync
// watermarks (§3.1.5.4, §3.1.5.7).
type sessionPayload struct {
	V        int      `json:"v"`
	Client   string   `json:"c"`
	Groups   []string `json:"g,omitempty"`
	Protocol string   `json:"p,omitempty"`
	Anchor   int64    `json:"a"` // LastChange, Unix milliseconds
	Server   string   `json:"s"`
	Expires  int64    `json:"e"`           // Unix seconds
	Software int64    `json:"w,omitempty"` // deployment watermark, Unix nanoseconds
	Drivers  int64    `json:"d,omitempty"`
}

const payloadVersion = 1

// openAuth validates an AuthorizationCookie for GetCookie (§3.1.5.4):
// any failure is InvalidAuthorizationCookie.
func (s *Service) openAuth(c wusp.AuthorizationCookie) (authPayload, error) {
	var p authPayload
	bad := patchbay.Errorf(patchbay.EUnauthorized, "authCookies")
	if len(c.CookieData) == 0 || len(c.CookieData) > maxCookieBytes {
		return p, bad
	}
	if err := s.auth.Open(c.CookieData, &p); err != nil || p.V != payloadVersion || p.Client == "" {
		return p, bad
	}
	if p.Server != s.cfg.ServerID || s.now().Unix() > p.Expires {
		return p, bad
	}
	return p, nil
}

// openSession validates a Cookie in the order of protocol-wusp.md §6.3:
// missing or unreadable → InvalidCookie; another server generation →
// ServerChanged; past its sealed expiry → CookieExpired. The clear-text
// Expiration is ignored: it can be tampered with (§2.2.3.5).
func (s *Service) openSession(c *wusp.Cookie) (sessionPayload, error) {
	var p sessionPayload
	if c == nil || len(c.EncryptedData) == 0 || len(c.EncryptedData) > maxCookieBytes {
		return p, patchbay.Errorf(patchbay.EInvalidCookie, "cookie")
	}
	if err := s.session.Open(c.EncryptedData, &p); err != nil {
		if errors.Is(err, cookie.ErrInvalid) {
			return p, patchbay.Errorf(patchbay.EInvalidCookie, "cookie")
		}
		return p, err
	}
	if p.V != payloadVersion || p.Client == "" {
		return p, patchbay.Errorf(patchbay.EInvalidCookie, "cookie")
	}
	if p.Server != s.cfg.ServerID {
		return p, patchbay.Errorf(patchbay.EServerChanged, "cookie")
	}
	if s.now().Unix() > p.Expires {
		return p, patchbay.Errorf(patchbay.ECookieExpired, "cookie")
	}
	return p, nil
}

// sealSession returns the wire Cookie for p. Expiration is the clear-text
// copy of the sealed expiry, kept the same across NewCookies as WSUS does
// (protocol-wusp.md trap 15).
func (s *Service) sealSession(p sessionPayload) (*wusp.Cookie, error) {
	p.V = payloadVersion
	data, err := s.session.Seal(p)
	if err != nil {
		return nil, err
	}
	return &wusp.Cookie{Expiration: wusp.DateTime{Time: time.Unix(p.Expires, 0).UTC()}, EncryptedData: data}, nil
}

// anchor is LastChange as sealed in cookies and compared by GetCookie, at
// the millisecond precision it is emitted with (trap 14).
func (s *Service) anchor() int64 { return s.cfg.LastChange.UnixMilli() }

// protocolVersion parses a two-part client protocol version ("1.8", "2.90")
// into comparable numbers; ok is false for anything else (§11 of
// protocol-wusp.md: compare per component, never as strings or floats).
func protocolVersion(v string) (major, minor int, ok bool) {
	a, b, found := strings.Cut(strings.TrimSpace(v), ".")
	if !found {
		return 0, 0, false
	}
	x, err1 := strconv.Atoi(a)
	y, err2 := strconv.Atoi(b)
	if err1 != nil || err2 != nil || x < 0 || y < 0 {
		return 0, 0, false
	}
	return x, y, true
}

// atLeast reports whether the client protocol version v is at least
// major.minor. An unparsable or empty version counts as the oldest.
func atLeast(v string, major, minor int) bool {
	x, y, ok := protocolVersion(v)
	if !ok {
		return false
	}
	return x > major || (x == major && y >= minor)
}
