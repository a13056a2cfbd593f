package wusp

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"testing"

	"patchbay"
	"patchbay/internal/soap"
)

// newLoopback serves srv's three handlers on a loopback listener at the
// MS-WUSP paths and returns a Client for it. seen records the
// Content-Encoding of each response.
func newLoopback(t *testing.T, svc Service, opts Options) (*Client, *[]string) {
	t.Helper()
	srv := NewServer(svc, opts)
	var seen []string
	mux := http.NewServeMux()
	mux.Handle(PathSimpleAuth, srv.SimpleAuth)
	mux.Handle(PathClient, srv.Client)
	mux.Handle(PathReporting, srv.Reporting)
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mux.ServeHTTP(w, r)
		seen = append(seen, w.Header().Get("Content-Encoding"))
	}))
	t.Cleanup(hs.Close)
	return NewClient(hs.URL, hs.Client()), &seen
}

// TestClientAgainstServer drives every Client method against NewServer
// over loopback HTTP with xpress: each call must return what the Service
// answered, field for field.
func TestClientAgainstServer(t *testing.T) {
	c, seen := newLoopback(t, cannedService(), Options{})
	ctx := t.Context()
	canned := cannedService()
	for _, v := range samples() {
		req, ok := v.(validator)
		if !ok {
			continue // a response
		}
		name := reflect.TypeOf(v).Elem().Name()
		t.Run(name, func(t *testing.T) {
			if err := req.validate(new(Limits).withDefaultsPtr()); err != nil {
				t.Skipf("sample not valid for the server: %v", err)
			}
			got := reflect.ValueOf(c).MethodByName(name).Call([]reflect.Value{reflect.ValueOf(ctx), reflect.ValueOf(v)})
			if err, _ := got[1].Interface().(error); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			want := reflect.ValueOf(canned).MethodByName(name).Call([]reflect.Value{reflect.ValueOf(ctx), reflect.ValueOf(v)})
			w0 := want[0]
			if w0.IsNil() { // the server answers an empty element
				w0 = reflect.New(w0.Type().Elem())
			}
			g, w := encode(t, got[0].Interface()), encode(t, w0.Interface())
			if string(g) != string(w) {
				t.Errorf("%s through the wire:\n got %s\nwant %s", name, g, w)
			}
		})
	}
	xp := 0
	for _, e := range *seen {
		if e == "xpress" {
			xp++
		}
	}
	if xp == 0 {
		t.Errorf("no response was xpress-encoded: %v", *seen)
	}
}

func (l *Limits) withDefaultsPtr() *Limits { d := l.withDefaults(); return &d }

// TestClientFault checks that a fault reaches the Client as a
// *patchbay.Error with the domain code and the *soap.Fault inside.
func TestClientFault(t *testing.T) {
	svc := &fakeService{syncUpdates: func(context.Context, *SyncUpdates) (*SyncUpdatesResponse, error) {
		return nil, patchbay.Errorf(patchbay.ECookieExpired, "")
	}}
	c, _ := newLoopback(t, svc, Options{})
	_, err := c.SyncUpdates(t.Context(), &SyncUpdates{Cookie: &Cookie{EncryptedData: Binary{1}}, Parameters: &SyncUpdateParameters{}})
	if patchbay.ErrorCode(err) != patchbay.ECookieExpired {
		t.Fatalf("SyncUpdates error = %v, want cookie_expired", err)
	}
	var f *soap.Fault
	if !errors.As(err, &f) || f.ErrorCode() != ErrorCookieExpired || !guidRE.MatchString(f.Detail.ID) {
		t.Errorf("fault = %+v", f)
	}
}

// TestServerIdentityWithoutXpress checks that DisableXpress and clients
// that do not ask for xpress get identity bodies with Content-Length.
func TestServerIdentityWithoutXpress(t *testing.T) {
	srv := NewServer(cannedService(), Options{DisableXpress: true})
	w := post(t, srv.Client, NSClient, "GetConfig", []byte(getConfigBody), http.Header{"Accept-Encoding": {"xpress"}})
	if w.Code != 200 || w.Header().Get("Content-Encoding") != "" || w.Header().Get("Content-Length") == "" {
		t.Errorf("status %d, headers %v", w.Code, w.Header())
	}
}

func TestSetSimpleAuthURL(t *testing.T) {
	tests := []struct{ base, service, want string }{
		{"http://wsus:8530", "SimpleAuthWebService/SimpleAuth.asmx", "http://wsus:8530/SimpleAuthWebService/SimpleAuth.asmx"},
		{"https://wsus:8531/", "/SimpleAuthWebService/SimpleAuth.asmx", "https://wsus:8531/SimpleAuthWebService/SimpleAuth.asmx"},
		{"http://wsus:8530", "http://other:80/SimpleAuth.asmx", "http://other:80/SimpleAuth.asmx"},
	}
	for _, tc := range tests {
		c := NewClient(tc.base, nil)
		if err := c.SetSimpleAuthURL(tc.service); err != nil || c.SimpleAuth.URL != tc.want {
			t.Errorf("SetSimpleAuthURL(%q) on %q = %q, %v; want %q", tc.service, tc.base, c.SimpleAuth.URL, err, tc.want)
		}
	}
}
