package wusp

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"patchbay"
	"patchbay/internal/soap"
)

var guidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

const getConfigBody = `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><GetConfig xmlns="` +
	NSClient + `"><protocolVersion>2.90</protocolVersion></GetConfig></s:Body></s:Envelope>`

// TestFaults produces every ErrorCode of MS-WUSP §2.2.2.4 from a Service
// error and checks the wire shape WSUS uses (wsus-m0/000141).
func TestFaults(t *testing.T) {
	tests := []struct {
		name      string
		err       error
		errorCode string
		faultCode soap.FaultCode
		message   string
	}{
		{"InvalidAuthorizationCookie", patchbay.Errorf(patchbay.EUnauthorized, "authorization cookie does not open"), ErrorInvalidAuthorizationCookie, soap.CodeClient, "authorization cookie does not open"},
		{"InvalidCookie", patchbay.Errorf(patchbay.EInvalidCookie, ""), ErrorInvalidCookie, soap.CodeClient, ""},
		{"CookieExpired", patchbay.Errorf(patchbay.ECookieExpired, ""), ErrorCookieExpired, soap.CodeClient, ""},
		{"ConfigChanged", patchbay.Errorf(patchbay.EConfigChanged, ""), ErrorConfigChanged, soap.CodeClient, ""},
		{"RegistrationRequired", patchbay.Errorf(patchbay.ERegistrationRequired, ""), ErrorRegistrationRequired, soap.CodeClient, ""},
		{"RegistrationNotRequired", FaultError(ErrorRegistrationNotRequired, ""), ErrorRegistrationNotRequired, soap.CodeClient, ""},
		{"ServerChanged", fmt.Errorf("open cookie: %w", patchbay.Errorf(patchbay.EServerChanged, "")), ErrorServerChanged, soap.CodeClient, ""},
		{"InvalidParameters", patchbay.Errorf(patchbay.EInvalid, "parameters.OtherCachedUpdateIDs"), ErrorInvalidParameters, soap.CodeClient, "parameters.OtherCachedUpdateIDs"},
		{"InvalidParametersNotFound", patchbay.Errorf(patchbay.ENotFound, "computerInfo"), ErrorInvalidParameters, soap.CodeClient, "computerInfo"},
		{"InternalServerError", errors.New("disk on fire at /var/lib/patchbay"), ErrorInternalServerError, soap.CodeServer, ""},
		{"InternalServerErrorCoded", &patchbay.Error{Code: patchbay.EInternal, Message: "database", Err: errors.New("secret")}, ErrorInternalServerError, soap.CodeServer, ""},
		{"InternalServerErrorConflict", patchbay.Errorf(patchbay.EConflict, "row changed"), ErrorInternalServerError, soap.CodeServer, ""},
		{"ServerBusy", patchbay.Errorf(patchbay.EBusy, "shedding"), ErrorServerBusy, soap.CodeServer, ""},
		{"FileLocationChanged", FaultError(ErrorFileLocationChanged, ""), ErrorFileLocationChanged, soap.CodeClient, ""},
	}
	seen := map[string]bool{}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			svc := &fakeService{getConfig: func(context.Context, *GetConfig) (*GetConfigResponse, error) { return nil, tc.err }}
			srv := NewServer(svc, Options{})
			w := post(t, srv.Client, NSClient, "GetConfig", []byte(getConfigBody), http.Header{"Accept-Encoding": {"xpress"}})
			if w.Code != http.StatusInternalServerError {
				t.Errorf("status = %d, want 500", w.Code)
			}
			if ce := w.Header().Get("Content-Encoding"); ce != "" {
				t.Errorf("Content-Encoding = %q, faults are never compressed", ce)
			}
			body := w.Body.String()
			f, err := soap.DecodeFault(w.Body.Bytes())
			if err != nil {
				t.Fatalf("DecodeFault: %v\n%s", err, body)
			}
			if f.Code != tc.faultCode || f.String != soap.FaultString || f.Actor != "" {
				t.Errorf("faultcode %q faultstring %q actor %q, want %q %q none", f.Code, f.String, f.Actor, tc.faultCode, soap.FaultString)
			}
			if f.Detail == nil {
				t.Fatalf("no detail:\n%s", body)
			}
			d := f.Detail
			if d.ErrorCode != tc.errorCode || d.Message != tc.message {
				t.Errorf("ErrorCode %q Message %q, want %q %q", d.ErrorCode, d.Message, tc.errorCode, tc.message)
			}
			if !guidRE.MatchString(d.ID) {
				t.Errorf("ID = %q, want a fresh GUID", d.ID)
			}
			if want := `"` + action(NSClient, "GetConfig") + `"`; d.Method != want {
				t.Errorf("Method = %q, want %q", d.Method, want)
			}
			for _, secret := range []string{"disk on fire", "secret", "database", "row changed", "shedding"} {
				if tc.faultCode == soap.CodeServer && strings.Contains(body, secret) {
					t.Errorf("internal text %q leaked:\n%s", secret, body)
				}
			}
			// The detail children are unqualified and in WSUS order.
			if !regexp.MustCompile(`<detail><ErrorCode>[^<]*</ErrorCode><Message>[^<]*</Message><ID>[^<]*</ID><Method>`).MatchString(body) {
				t.Errorf("detail shape:\n%s", body)
			}
			seen[tc.errorCode] = true
		})
	}
	for _, r := range faultTable {
		if !seen[r.errorCode] {
			t.Errorf("ErrorCode %s of the fault table has no test", r.errorCode)
		}
	}
}

// TestFaultsValidation checks the faults the server raises itself, with
// the parameter names WSUS uses.
func TestFaultsValidation(t *testing.T) {
	cookie := `<cookie><Expiration>2026-10-04T16:03:35Z</Expiration><EncryptedData>AAEC</EncryptedData></cookie>`
	ints := func(n int) string {
		var b strings.Builder
		for i := range n {
			fmt.Fprintf(&b, "<int>%d</int>", i+1)
		}
		return b.String()
	}
	env := func(ns, body string) string {
		return `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>` +
			strings.Replace(body, ">", ` xmlns="`+ns+`">`, 1) + `</s:Body></s:Envelope>`
	}
	tests := []struct {
		name, ns, op, body string
		lim                Limits
		errorCode, message string
	}{
		{"SyncUpdatesNoCookie", NSClient, "SyncUpdates", `<SyncUpdates><parameters><ExpressQuery>false</ExpressQuery><SkipSoftwareSync>false</SkipSoftwareSync></parameters></SyncUpdates>`, Limits{}, ErrorInvalidCookie, ""},
		{"SyncUpdatesNoParameters", NSClient, "SyncUpdates", `<SyncUpdates>` + cookie + `</SyncUpdates>`, Limits{}, ErrorInvalidParameters, "parameters"},
		{"SyncUpdates401Installed", NSClient, "SyncUpdates", `<SyncUpdates>` + cookie + `<parameters><InstalledNonLeafUpdateIDs>` + ints(401) + `</InstalledNonLeafUpdateIDs></parameters></SyncUpdates>`, Limits{MaxInstalledNonLeafUpdateIDs: WSUSMaxInstalledNonLeafUpdateIDs}, ErrorInvalidParameters, "parameters.InstalledNonLeafUpdateIDs"},
		{"SyncUpdatesTooManyOther", NSClient, "SyncUpdates", `<SyncUpdates>` + cookie + `<parameters><OtherCachedUpdateIDs>` + ints(11) + `</OtherCachedUpdateIDs></parameters></SyncUpdates>`, Limits{MaxCachedUpdateIDs: 10}, ErrorInvalidParameters, "parameters.OtherCachedUpdateIDs"},
		{"SyncUpdatesSystemSpecInSoftwarePass", NSClient, "SyncUpdates", `<SyncUpdates>` + cookie + `<parameters><SystemSpec><Device><HardwareIDs><string>PCI\X</string></HardwareIDs></Device></SystemSpec><SkipSoftwareSync>false</SkipSoftwareSync></parameters></SyncUpdates>`, Limits{}, ErrorInvalidParameters, "parameters.SystemSpec"},
		{"SyncUpdatesBadInt", NSClient, "SyncUpdates", `<SyncUpdates>` + cookie + `<parameters><InstalledNonLeafUpdateIDs><int>x</int></InstalledNonLeafUpdateIDs></parameters></SyncUpdates>`, Limits{}, ErrorInvalidParameters, "SyncUpdates"},
		{"GetCookieNoAuthCookie", NSClient, "GetCookie", `<GetCookie><lastChange>2026-10-04T13:17:07.59Z</lastChange><currentTime>2026-10-04T15:03:36Z</currentTime></GetCookie>`, Limits{}, ErrorInvalidAuthorizationCookie, ""},
		{"GetAuthorizationCookieNoClientId", NSSimpleAuth, "GetAuthorizationCookie", `<GetAuthorizationCookie><dnsName>a</dnsName></GetAuthorizationCookie>`, Limits{}, ErrorInvalidParameters, "clientId"},
		{"GetAuthorizationCookieBadClientId", NSSimpleAuth, "GetAuthorizationCookie", `<GetAuthorizationCookie><clientId>a b</clientId><dnsName>a</dnsName></GetAuthorizationCookie>`, Limits{}, ErrorInvalidParameters, "clientId"},
		{"GetAuthorizationCookieNoDnsName", NSSimpleAuth, "GetAuthorizationCookie", `<GetAuthorizationCookie><clientId>e1da06a3-5601-43c9-bac3-52d5db701494</clientId></GetAuthorizationCookie>`, Limits{}, ErrorInvalidParameters, "dnsName"},
		{"RegisterComputerNoInfo", NSClient, "RegisterComputer", `<RegisterComputer>` + cookie + `</RegisterComputer>`, Limits{}, ErrorInvalidParameters, "computerInfo"},
		{"StartCategoryScanEmpty", NSClient, "StartCategoryScan", `<StartCategoryScan></StartCategoryScan>`, Limits{}, ErrorInvalidParameters, "requestedCategories"},
		{"RefreshCacheNoIDs", NSClient, "RefreshCache", `<RefreshCache>` + cookie + `</RefreshCache>`, Limits{}, ErrorInvalidParameters, "globalIDs"},
		{"GetExtendedUpdateInfoTooMany", NSClient, "GetExtendedUpdateInfo", `<GetExtendedUpdateInfo>` + cookie + `<revisionIDs>` + ints(51) + `</revisionIDs><infoTypes><XmlUpdateFragmentType>Extended</XmlUpdateFragmentType></infoTypes></GetExtendedUpdateInfo>`, Limits{}, ErrorInvalidParameters, "revisionIDs"},
		{"GetExtendedUpdateInfoNoInfoTypes", NSClient, "GetExtendedUpdateInfo", `<GetExtendedUpdateInfo>` + cookie + `<revisionIDs>` + ints(2) + `</revisionIDs></GetExtendedUpdateInfo>`, Limits{}, ErrorInvalidParameters, "infoTypes"},
		{"GetExtendedUpdateInfoNoLocales", NSClient, "GetExtendedUpdateInfo", `<GetExtendedUpdateInfo>` + cookie + `<revisionIDs>` + ints(2) + `</revisionIDs><infoTypes><XmlUpdateFragmentType>Eula</XmlUpdateFragmentType></infoTypes></GetExtendedUpdateInfo>`, Limits{}, ErrorInvalidParameters, "locales"},
		{"GetExtendedUpdateInfo2TooMany", NSClient, "GetExtendedUpdateInfo2", `<GetExtendedUpdateInfo2>` + cookie + `<updateIDs>` + strings.Repeat(`<UpdateIdentity><UpdateID>dd78b8a1-0b20-45c1-add6-4da72e9364cf</UpdateID><RevisionNumber>1</RevisionNumber></UpdateIdentity>`, 3) + `</updateIDs><infoTypes><XmlUpdateFragmentType>FileUrl</XmlUpdateFragmentType></infoTypes></GetExtendedUpdateInfo2>`, Limits{MaxExtendedUpdatesPerRequest: 2}, ErrorInvalidParameters, "updateIDs"},
		{"GetFileLocationsShortDigest", NSClient, "GetFileLocations", `<GetFileLocations>` + cookie + `<fileDigests><base64Binary>AAEC</base64Binary></fileDigests></GetFileLocations>`, Limits{}, ErrorInvalidParameters, "fileDigests"},
		{"ReportEventBatchNoCookie", NSReporting, "ReportEventBatch", `<ReportEventBatch><clientTime>2026-10-04T15:20:47.397Z</clientTime></ReportEventBatch>`, Limits{}, ErrorInvalidCookie, ""},
		{"ReportEventBatchTooMany", NSReporting, "ReportEventBatch", `<ReportEventBatch>` + cookie + `<clientTime>2026-10-04T15:20:47.397Z</clientTime><eventBatch>` + strings.Repeat(`<ReportingEvent/>`, 3) + `</eventBatch></ReportEventBatch>`, Limits{MaxEventsPerBatch: 2}, ErrorInvalidParameters, "eventBatch"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := NewServer(&fakeService{}, Options{Limits: tc.lim})
			w := post(t, srv.handlerFor(tc.ns), tc.ns, tc.op, []byte(env(tc.ns, tc.body)), nil)
			f, err := soap.DecodeFault(w.Body.Bytes())
			if err != nil || w.Code != http.StatusInternalServerError {
				t.Fatalf("status %d, %v:\n%s", w.Code, err, w.Body)
			}
			if f.Detail == nil || f.ErrorCode() != tc.errorCode || f.Detail.Message != tc.message || f.Code != soap.CodeClient {
				t.Errorf("fault = %v %q %q, want %s %q", f.Code, f.ErrorCode(), f.Detail.Message, tc.errorCode, tc.message)
			}
		})
	}
}

// TestFromFault maps every ErrorCode back to a patchbay code on the
// client side, keeping the *soap.Fault reachable.
func TestFromFault(t *testing.T) {
	for _, r := range faultTable {
		err := fromFault(soap.NewFault(soap.CodeClient, r.errorCode, "m"))
		var f *soap.Fault
		if !errors.As(err, &f) || f.ErrorCode() != r.errorCode {
			t.Errorf("fromFault(%s) = %v: fault not reachable", r.errorCode, err)
		}
		if r.code != "" && r.code != patchbay.ENotFound && r.code != patchbay.EConflict && patchbay.ErrorCode(err) != r.code {
			t.Errorf("fromFault(%s) code = %s, want %s", r.errorCode, patchbay.ErrorCode(err), r.code)
		}
	}
	if err := fromFault(&soap.Fault{Code: "InternalServiceFault"}); patchbay.ErrorCode(err) != patchbay.EInternal {
		t.Errorf("fault without ErrorCode = %v, want internal", err)
	}
}
