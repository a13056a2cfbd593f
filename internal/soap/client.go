package soap

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"patchbay/internal/xpress"
)

// Client calls operations of one SOAP endpoint.
type Client struct {
	// HTTP sends the requests; nil means http.DefaultClient. Timeouts belong
	// on it or on the context.
	HTTP *http.Client
	// URL is the endpoint, for example
	// "http://wsus:8530/ServerSyncWebService/ServerSyncWebService.asmx".
	URL string
	// Version is the SOAP version of requests; zero means V11.
	Version Version
	// AcceptXpress sends "Accept-Encoding: xpress" as Windows does and
	// decodes xpress responses (MS-WUSP §2.1). False leaves Accept-Encoding
	// to net/http (transparent gzip).
	AcceptXpress bool
	// MaxResponseBytes limits response bodies, on the wire and decoded;
	// zero means DefaultMaxBodyBytes.
	MaxResponseBytes int64
	// UserAgent, when set, is sent as User-Agent.
	UserAgent string
}

// HTTPError is returned by Call when the server answers with an HTTP status
// other than 200 and a body that is not a SOAP fault.
type HTTPError struct {
	StatusCode int
	Status     string
	// Body is the start of the response body, for diagnostics.
	Body []byte
}

func (e *HTTPError) Error() string {
	return "soap: http status " + e.Status
}

// Call sends req (marshalled like a Mux response body, see MarshalEnvelope)
// with the given SOAPAction and decodes the response body element into resp
// (nil skips decoding). It returns a *Fault when the server answered with a
// SOAP fault (any HTTP status), an *HTTPError for other non-200 answers, and
// wrapped transport, size or decoding errors otherwise.
func (c *Client) Call(ctx context.Context, action string, req, resp any) error {
	v := c.Version.norm()
	body, err := MarshalEnvelope(v, req)
	if err != nil {
		return fmt.Errorf("soap call %s: %w", action, err)
	}
	hr, err := http.NewRequestWithContext(ctx, http.MethodPost, c.URL, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("soap call %s: %w", action, err)
	}
	if v == V12 {
		hr.Header.Set("Content-Type", v.ContentType()+`; action="`+action+`"`)
	} else {
		hr.Header.Set("Content-Type", v.ContentType())
		hr.Header.Set("SOAPAction", QuoteAction(action))
	}
	if c.AcceptXpress {
		hr.Header.Set("Accept-Encoding", xpress.ContentEncoding)
	}
	if c.UserAgent != "" {
		hr.Header.Set("User-Agent", c.UserAgent)
	}
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	hresp, err := hc.Do(hr)
	if err != nil {
		return fmt.Errorf("soap call %s: %w", action, err)
	}
	defer hresp.Body.Close()
	limit := c.MaxResponseBytes
	if limit <= 0 {
		limit = DefaultMaxBodyBytes
	}
	data, err := readBody(hresp, limit)
	if err != nil {
		return fmt.Errorf("soap call %s: %w", action, err)
	}
	msg, perr := ParseMessage(data)
	if perr == nil && msg.Name.Local == "Fault" && versionOfNamespace(msg.Name.Space) != 0 {
		f, err := parseFault(msg)
		if err != nil {
			return fmt.Errorf("soap call %s: parse fault: %w", action, err)
		}
		return f
	}
	if hresp.StatusCode != http.StatusOK {
		return &HTTPError{StatusCode: hresp.StatusCode, Status: hresp.Status, Body: data[:min(len(data), 512)]}
	}
	if perr != nil {
		return fmt.Errorf("soap call %s: %w", action, perr)
	}
	if resp == nil {
		return nil
	}
	if err := msg.Decode(resp); err != nil {
		return fmt.Errorf("soap call %s: decode %s: %w", action, msg.Name.Local, err)
	}
	return nil
}

// errTooLarge reports a response over the limit.
var errTooLarge = errors.New("response body too large")

// readBody reads at most limit bytes from the wire and decodes the
// Content-Encoding (xpress, gzip or identity) into at most limit bytes.
func readBody(resp *http.Response, limit int64) ([]byte, error) {
	raw, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(raw)) > limit {
		return nil, errTooLarge
	}
	switch enc := strings.ToLower(strings.TrimSpace(resp.Header.Get("Content-Encoding"))); enc {
	case "", "identity":
		return raw, nil
	case xpress.ContentEncoding:
		out, err := xpress.DecodeBody(raw, int(min(limit, int64(maxInt))))
		if errors.Is(err, xpress.ErrTooLarge) {
			return nil, errTooLarge
		}
		return out, err
	case "gzip", "x-gzip":
		zr, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			return nil, err
		}
		out, err := io.ReadAll(io.LimitReader(zr, limit+1))
		if err != nil {
			return nil, err
		}
		if int64(len(out)) > limit {
			return nil, errTooLarge
		}
		return out, nil
	default:
		return nil, fmt.Errorf("unsupported Content-Encoding %q", enc)
	}
}

const maxInt = int(^uint(0) >> 1)

// DecodeFault parses data as an envelope whose body is a Fault and returns
// it; it returns an error when data is not a fault envelope. It serves
// clients that read responses themselves and conformance tests.
func DecodeFault(data []byte) (*Fault, error) {
	msg, err := ParseMessage(data)
	if err != nil {
		return nil, err
	}
	if msg.Name.Local != "Fault" || versionOfNamespace(msg.Name.Space) == 0 {
		return nil, fmt.Errorf("soap: body element is %s, not a Fault", fmtName(msg.Name))
	}
	return parseFault(msg)
}
