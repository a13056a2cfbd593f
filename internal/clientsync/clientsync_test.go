package clientsync

import (
	"bytes"
	"slices"
	"testing"
	"time"

	"patchbay"
	"patchbay/internal/catalog"
	"patchbay/internal/wusp"
)

func TestMatchLocales(t *testing.T) {
	tests := []struct {
		name            string
		requested, have []string
		def             string
		want            []string
	}{
		{"WUA asks en-US then en", []string{"en-US", "en"}, []string{"en", "de"}, "en", []string{"en"}},
		{"exact tag wins", []string{"pt-BR"}, []string{"pt-BR", "pt", "en"}, "en", []string{"pt-BR"}},
		{"primary language", []string{"de-AT"}, []string{"en", "de"}, "en", []string{"de"}},
		{"fallback to English", []string{"ja-JP"}, []string{"en", "de"}, "de", []string{"en"}},
		{"fallback to default without English", []string{"ja-JP"}, []string{"fr", "de"}, "de", []string{"de"}},
		{"several", []string{"fr-FR", "de-DE"}, []string{"en", "de", "fr"}, "en", []string{"fr", "de"}},
		{"case-insensitive", []string{"EN-us"}, []string{"en"}, "en", []string{"en"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := matchLocales(tc.requested, tc.have, tc.def); !slices.Equal(got, tc.want) {
				t.Errorf("matchLocales(%v, %v) = %v, want %v", tc.requested, tc.have, got, tc.want)
			}
		})
	}
}

func TestProtocolVersion(t *testing.T) {
	for _, tc := range []struct {
		v            string
		major, minor int
		ok           bool
	}{{"1.8", 1, 8, true}, {"2.90", 2, 90, true}, {" 1.6 ", 1, 6, true}, {"1", 0, 0, false}, {"1.8.1", 0, 0, false}, {"a.b", 0, 0, false}, {"", 0, 0, false}} {
		x, y, ok := protocolVersion(tc.v)
		if x != tc.major || y != tc.minor || ok != tc.ok {
			t.Errorf("protocolVersion(%q) = %d, %d, %v", tc.v, x, y, ok)
		}
	}
	// 2.90 is higher than 2.4 (protocol-wusp.md trap 44), never compared as a float.
	if !atLeast("2.90", 2, 4) || atLeast("1.7", 1, 8) || !atLeast("1.8", 1, 8) {
		t.Error("atLeast compares versions wrongly")
	}
}

func TestValidClientID(t *testing.T) {
	for id, want := range map[string]bool{
		"e1da06a3-5601-43c9-bac3-52d5db701494": true, "abc": true, "": false,
		"has space": false, "UPPER": false, string(bytes.Repeat([]byte("a"), 256)): false,
	} {
		if got := validClientID(id); got != want {
			t.Errorf("validClientID(%q) = %v", id, got)
		}
	}
}

type noCatalog struct{}

func (noCatalog) Load() *catalog.Catalog { return nil }

// TestServerBusyBeforeCatalog: until the catalog is loaded, scans are
// answered ServerBusy (the client retries later, §2.2.2.4) rather than with
// an empty answer that would purge its cache.
func TestServerBusyBeforeCatalog(t *testing.T) {
	s := newTestService(t, noCatalog{})
	sess := sessionPayload{Client: "c1", Server: "srv", Anchor: s.anchor(), Expires: time.Now().Add(time.Hour).Unix()}
	c, err := s.sealSession(sess)
	if err != nil {
		t.Fatal(err)
	}
	s.registered.Store("c1", struct{}{})
	_, err = s.SyncUpdates(t.Context(), &wusp.SyncUpdates{Cookie: c, Parameters: &wusp.SyncUpdateParameters{}})
	if patchbay.ErrorCode(err) != patchbay.EBusy {
		t.Errorf("SyncUpdates before the catalog = %v, want Busy", err)
	}
}

// TestSessionCookieChecks covers the validation order of protocol-wusp.md
// §6.3 on the session cookie.
func TestSessionCookieChecks(t *testing.T) {
	s := newTestService(t, noCatalog{})
	now := time.Now()
	seal := func(p sessionPayload) *wusp.Cookie {
		c, err := s.sealSession(p)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	valid := sessionPayload{Client: "c1", Server: "srv", Expires: now.Add(time.Hour).Unix()}
	other := valid
	other.Server = "older-generation"
	expired := valid
	expired.Expires = now.Add(-time.Second).Unix()
	tampered := seal(valid)
	tampered.EncryptedData[len(tampered.EncryptedData)-1] ^= 1
	tests := []struct {
		name string
		c    *wusp.Cookie
		want string
	}{
		{"valid", seal(valid), ""},
		{"missing", nil, patchbay.EInvalidCookie},
		{"Expiration only (WUA's first oldCookie)", &wusp.Cookie{Expiration: wusp.DateTime{Time: now}}, patchbay.EInvalidCookie},
		{"tampered", tampered, patchbay.EInvalidCookie},
		{"oversized", &wusp.Cookie{EncryptedData: make([]byte, maxCookieBytes+1)}, patchbay.EInvalidCookie},
		{"other server generation", seal(other), patchbay.EServerChanged},
		{"expired", seal(expired), patchbay.ECookieExpired},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.openSession(tc.c)
			if got := patchbay.ErrorCode(err); got != tc.want {
				t.Errorf("openSession = %v (%q), want %q", err, got, tc.want)
			}
		})
	}
}

func newTestService(t *testing.T, cats Catalogs) *Service {
	t.Helper()
	s, err := New(Config{ServerID: "srv", LastChange: time.Now()}, Deps{Catalogs: cats, Key: bytes.Repeat([]byte{3}, 32)})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestJoinURL(t *testing.T) {
	for _, tc := range [][3]string{
		{"http://h:8530", "/Content/AB/X.cab", "http://h:8530/Content/AB/X.cab"},
		{"http://h:8530/", "/Content/AB/X.cab", "http://h:8530/Content/AB/X.cab"},
		{"http://cdn/wsus/", "/Content/AB/X.cab", "http://cdn/wsus/Content/AB/X.cab"},
	} {
		if got := joinURL(tc[0], tc[1]); got != tc[2] {
			t.Errorf("joinURL(%q, %q) = %q, want %q", tc[0], tc[1], got, tc[2])
		}
	}
}
