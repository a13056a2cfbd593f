package adminapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"

	"patchbay"
)

// maxResponse caps a response body the client reads (a full update list
// of a large catalog is tens of megabytes).
const maxResponse = 512 << 20

// Client calls the API of a running server. Its methods return
// *patchbay.Error with the server's code and message when the server
// answers with an error, and other errors when it cannot be reached.
type Client struct {
	// BaseURL is the server, e.g. "http://127.0.0.1:8530"; a path, if any,
	// is kept as a prefix of Prefix.
	BaseURL string
	// Token is the admin bearer token.
	Token string
	// HTTP makes the requests; nil means http.DefaultClient.
	HTTP *http.Client
}

// do sends method path?query with in as the JSON body (nil: none) and
// decodes the JSON response into out (nil: ignore it).
func (c *Client) do(ctx context.Context, method, path string, query url.Values, in, out any) error {
	base, err := url.Parse(strings.TrimRight(c.BaseURL, "/"))
	if err != nil || base.Scheme == "" || base.Host == "" {
		return patchbay.Errorf(patchbay.EInvalid, "server URL %q is not an absolute http(s) URL", c.BaseURL)
	}
	u := base.JoinPath(strings.TrimSuffix(Prefix, "/"), path)
	u.RawQuery = query.Encode()
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("encode request: %w", err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), body)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, u.Redacted(), err)
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return reachError(base, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if err != nil {
		return fmt.Errorf("%s %s: read response: %w", method, u.Path, err)
	}
	if resp.StatusCode >= 300 {
		return responseError(resp, b)
	}
	if out == nil || resp.StatusCode == http.StatusNoContent {
		return nil
	}
	if err := json.Unmarshal(b, out); err != nil {
		return fmt.Errorf("%s %s: decode response: %w", method, u.Path, err)
	}
	return nil
}

// responseError turns an error response into a *patchbay.Error: the
// server's own code and message, or, from something that is not Patchbay
// (a proxy), a code guessed from the status.
func responseError(resp *http.Response, b []byte) error {
	var eb errorBody
	if json.Unmarshal(b, &eb) == nil && eb.Code != "" && eb.Message != "" {
		return &patchbay.Error{Code: eb.Code, Message: eb.Message}
	}
	code := patchbay.EInternal
	for c, st := range statusByCode {
		if st == resp.StatusCode {
			code = c
		}
	}
	return &patchbay.Error{Code: code, Message: fmt.Sprintf("server answered %s", resp.Status)}
}

// reachError explains a failure to talk to the server at all.
func reachError(base *url.URL, err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	var ne *net.OpError
	if errors.As(err, &ne) && ne.Err != nil {
		err = ne.Err
	}
	return fmt.Errorf("cannot reach the server at %s (is it running? set --server): %v", base.Redacted(), err)
}
