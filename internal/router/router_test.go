package router

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
)

func named(name string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, name+" "+r.URL.Path)
	})
}

func TestRouting(t *testing.T) {
	var rt Router
	rt.Handle("/ClientWebService/client.asmx", named("client"))
	rt.HandlePrefix("/Content/", named("content"))
	rt.HandlePrefix("/api/", named("api"))
	rt.HandlePrefix("/api/v1/", named("v1"))
	tests := []struct {
		path, want string
		code       int
	}{
		{"/ClientWebService/client.asmx", "client /ClientWebService/client.asmx", 200},
		{"/clientwebservice/CLIENT.ASMX", "client /clientwebservice/CLIENT.ASMX", 200},
		{"//ClientWebService//client.asmx", "client /ClientWebService/client.asmx", 200},
		{"/content/AB/00AB.cab", "content /content/AB/00AB.cab", 200},
		{"/CONTENT//AB/x.cab", "content /CONTENT/AB/x.cab", 200},
		{"/api/v1/groups", "v1 /api/v1/groups", 200},
		{"/api/other", "api /api/other", 200},
		{"/nothing", "", 404},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			rec := httptest.NewRecorder()
			req := httptest.NewRequest("GET", "http://x"+tc.path, nil)
			rt.ServeHTTP(rec, req)
			if rec.Code != tc.code {
				t.Fatalf("code = %d, want %d", rec.Code, tc.code)
			}
			if tc.code == 200 && rec.Body.String() != tc.want {
				t.Errorf("body = %q, want %q", rec.Body.String(), tc.want)
			}
		})
	}
}
