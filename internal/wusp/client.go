package wusp

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"patchbay/internal/soap"
)

// Client calls the three MS-WUSP web services of one server, the way a
// Windows client does: SOAP 1.1, quoted SOAPAction, Accept-Encoding
// xpress (decoded), requests in WSDL element order.
//
// Every method returns the decoded response, or an error. A SOAP fault
// becomes a *patchbay.Error whose Code comes from the fault table
// (faults.go; for example patchbay.ECookieExpired for CookieExpired) and
// whose Err is the *soap.Fault (use errors.As for ErrorCode, Message and
// ID). Transport and decoding errors are returned wrapped.
type Client struct {
	// SimpleAuth is the SimpleAuth endpoint. MS-WUSP §2.2.2.2.1: a client
	// must use the ServiceUrl of GetConfig's AuthPlugInInfo, resolved
	// against the server's base URL; set SimpleAuth.URL accordingly.
	SimpleAuth soap.Client
	// ClientService is the client web service endpoint.
	ClientService soap.Client
	// Reporting is the reporting web service endpoint.
	Reporting soap.Client
}

// NewClient returns a Client for the server at baseURL (for example
// "http://wsus:8530"), with the standard paths of MS-WUSP §2.1, xpress
// accepted, and hc for HTTP (nil means http.DefaultClient).
func NewClient(baseURL string, hc *http.Client) *Client {
	base := strings.TrimRight(baseURL, "/")
	ep := func(path string) soap.Client {
		return soap.Client{HTTP: hc, URL: base + path, Version: soap.V11, AcceptXpress: true}
	}
	return &Client{
		SimpleAuth:    ep(PathSimpleAuth),
		ClientService: ep(PathClient),
		Reporting:     ep(PathReporting),
	}
}

// SetSimpleAuthURL points SimpleAuth at the ServiceUrl of GetConfig's
// AuthPlugInInfo. MS-WUSP §2.2.2.2.1: a relative ServiceUrl (WSUS sends
// "SimpleAuthWebService/SimpleAuth.asmx") is appended to the server's
// root, "http://server:port/", taken from ClientService.URL; an absolute
// one is used as is. It returns an error for an unparsable URL.
func (c *Client) SetSimpleAuthURL(serviceURL string) error {
	base, err := url.Parse(c.ClientService.URL)
	if err != nil {
		return fmt.Errorf("wusp: client service url: %w", err)
	}
	ref, err := url.Parse(strings.TrimSpace(serviceURL))
	if err != nil {
		return fmt.Errorf("wusp: simple auth service url: %w", err)
	}
	root := &url.URL{Scheme: base.Scheme, Host: base.Host, Path: "/"}
	c.SimpleAuth.URL = root.ResolveReference(ref).String()
	return nil
}

func call[Resp any](ctx context.Context, sc *soap.Client, ns, op string, req any) (*Resp, error) {
	resp := new(Resp)
	if err := sc.Call(ctx, action(ns, op), req, resp); err != nil {
		var f *soap.Fault
		if errors.As(err, &f) {
			return nil, fromFault(f)
		}
		return nil, err
	}
	return resp, nil
}

// GetAuthorizationCookie calls MS-WUSP §2.2.2.1.1.
func (c *Client) GetAuthorizationCookie(ctx context.Context, req *GetAuthorizationCookie) (*GetAuthorizationCookieResponse, error) {
	return call[GetAuthorizationCookieResponse](ctx, &c.SimpleAuth, NSSimpleAuth, "GetAuthorizationCookie", req)
}

// GetConfig calls MS-WUSP §2.2.2.2.1.
func (c *Client) GetConfig(ctx context.Context, req *GetConfig) (*GetConfigResponse, error) {
	return call[GetConfigResponse](ctx, &c.ClientService, NSClient, "GetConfig", req)
}

// GetCookie calls MS-WUSP §2.2.2.2.2.
func (c *Client) GetCookie(ctx context.Context, req *GetCookie) (*GetCookieResponse, error) {
	return call[GetCookieResponse](ctx, &c.ClientService, NSClient, "GetCookie", req)
}

// RegisterComputer calls MS-WUSP §2.2.2.2.3.
func (c *Client) RegisterComputer(ctx context.Context, req *RegisterComputer) (*RegisterComputerResponse, error) {
	return call[RegisterComputerResponse](ctx, &c.ClientService, NSClient, "RegisterComputer", req)
}

// StartCategoryScan calls MS-WUSP §2.2.2.2.8.
func (c *Client) StartCategoryScan(ctx context.Context, req *StartCategoryScan) (*StartCategoryScanResponse, error) {
	return call[StartCategoryScanResponse](ctx, &c.ClientService, NSClient, "StartCategoryScan", req)
}

// SyncUpdates calls MS-WUSP §2.2.2.2.4.
func (c *Client) SyncUpdates(ctx context.Context, req *SyncUpdates) (*SyncUpdatesResponse, error) {
	return call[SyncUpdatesResponse](ctx, &c.ClientService, NSClient, "SyncUpdates", req)
}

// SyncPrinterCatalog calls MS-WUSP §2.2.2.2.9 with the WSDL's action.
func (c *Client) SyncPrinterCatalog(ctx context.Context, req *SyncPrinterCatalog) (*SyncPrinterCatalogResponse, error) {
	return call[SyncPrinterCatalogResponse](ctx, &c.ClientService, NSClient, "SyncPrinterCatalog", req)
}

// RefreshCache calls MS-WUSP §2.2.2.2.5.
func (c *Client) RefreshCache(ctx context.Context, req *RefreshCache) (*RefreshCacheResponse, error) {
	return call[RefreshCacheResponse](ctx, &c.ClientService, NSClient, "RefreshCache", req)
}

// GetExtendedUpdateInfo calls MS-WUSP §2.2.2.2.6.
func (c *Client) GetExtendedUpdateInfo(ctx context.Context, req *GetExtendedUpdateInfo) (*GetExtendedUpdateInfoResponse, error) {
	return call[GetExtendedUpdateInfoResponse](ctx, &c.ClientService, NSClient, "GetExtendedUpdateInfo", req)
}

// GetExtendedUpdateInfo2 calls MS-WUSP §2.2.2.2.10.
func (c *Client) GetExtendedUpdateInfo2(ctx context.Context, req *GetExtendedUpdateInfo2) (*GetExtendedUpdateInfo2Response, error) {
	return call[GetExtendedUpdateInfo2Response](ctx, &c.ClientService, NSClient, "GetExtendedUpdateInfo2", req)
}

// GetFileLocations calls MS-WUSP §2.2.2.2.7.
func (c *Client) GetFileLocations(ctx context.Context, req *GetFileLocations) (*GetFileLocationsResponse, error) {
	return call[GetFileLocationsResponse](ctx, &c.ClientService, NSClient, "GetFileLocations", req)
}

// ReportEventBatch calls MS-WUSP §2.2.2.3.1.
func (c *Client) ReportEventBatch(ctx context.Context, req *ReportEventBatch) (*ReportEventBatchResponse, error) {
	return call[ReportEventBatchResponse](ctx, &c.Reporting, NSReporting, "ReportEventBatch", req)
}

// Client implements Service, so a Patchbay server can front another
// server and tests can drive NewServer through the Client.
var _ Service = (*Client)(nil)
