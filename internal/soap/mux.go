package soap

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"html"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"

	"patchbay/internal/xpress"
)

// Request is one SOAP call as a Handler sees it.
type Request struct {
	// Message is the parsed envelope; Decode unmarshals the operation
	// element into the operation's request struct.
	Message
	// Action is the SOAPAction header without its quotes (SOAP 1.1), or the
	// action parameter of the Content-Type (SOAP 1.2); "" when absent.
	Action string
	// HTTP is the underlying request (headers, remote address, TLS state).
	// Its body has been consumed.
	HTTP *http.Request
}

// Handler runs one operation. It returns the response body element (see
// MarshalEnvelope for the accepted kinds; an io.WriterTo other than RawXML
// is streamed) or an error: a *Fault (or an error wrapping one) is sent as
// is, anything else goes through Mux.ErrorFault.
type Handler func(ctx context.Context, req *Request) (any, error)

// Route is one operation of a Mux.
type Route struct {
	// Action is the SOAPAction this operation expects (without quotes).
	Action string
	// Aliases are further accepted actions, for spec misprints such as
	// MS-WUSP §2.2.2.2.9 giving SyncPrinterCatalog the SyncUpdates action.
	Aliases []string
	// Handler runs the operation.
	Handler Handler
}

// Mux is an http.Handler for one SOAP endpoint (one .asmx path). It
// dispatches POSTed envelopes on the QName of the first Body element through
// an explicit table, and cross-checks the SOAPAction.
//
// Requests: bodies over MaxBodyBytes get HTTP 413 with a fault, before or
// while reading; an unparsable envelope, an unknown body element or a
// mismatched SOAPAction gets a Client fault (HTTP 500); a VersionMismatch
// fault for an unknown envelope namespace. GET and HEAD get an HTML service
// page like ASMX's (or the WSDL for ?wsdl); other methods get 405.
//
// Responses: 200 with the envelope, Content-Type by version, Cache-Control
// private; xpress-encoded (MS-WUSP §2.1) when Xpress is set and the request
// accepts it. Faults are HTTP 500, never compressed (protocol-wusp.md §2.3).
type Mux struct {
	// Routes maps each operation's body element QName to its route.
	Routes map[xml.Name]Route
	// Service names the service on the GET page; "" uses "Web Service".
	Service string
	// WSDL, when non-nil, is served for GET ?wsdl; nil answers 404 there.
	WSDL []byte
	// MaxBodyBytes limits request bodies; zero means DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// Xpress enables xpress response encoding for requests whose
	// Accept-Encoding lists it; false always answers identity, which every
	// Windows client accepts.
	Xpress bool
	// LenientAction, when true, only logs a SOAPAction that does not match
	// the route and dispatches on the QName anyway (protocol-wusp.md §16
	// trap 3). False answers such a request with a Client fault. An absent
	// or empty SOAPAction is always accepted.
	LenientAction bool
	// ErrorFault maps a handler error that is not a *Fault to the fault to
	// send (the per-protocol fault table). Nil, or a nil result, sends a
	// Server fault with ErrorCode InternalServerError and a fresh ID; the
	// error text is logged with that ID and never sent.
	ErrorFault func(ctx context.Context, req *Request, err error) *Fault
	// Logger receives internal errors and action mismatches; nil discards.
	Logger *slog.Logger
}

// ServeHTTP implements http.Handler.
func (m *Mux) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodPost:
		m.servePost(w, r)
	case http.MethodGet, http.MethodHead:
		m.serveGet(w, r)
	default:
		w.Header().Set("Allow", "GET, HEAD, POST")
		http.Error(w, "405 method not allowed", http.StatusMethodNotAllowed)
	}
}

func (m *Mux) logger() *slog.Logger {
	if m.Logger != nil {
		return m.Logger
	}
	return slog.New(slog.DiscardHandler)
}

func (m *Mux) maxBody() int64 {
	if m.MaxBodyBytes > 0 {
		return m.MaxBodyBytes
	}
	return DefaultMaxBodyBytes
}

func (m *Mux) servePost(w http.ResponseWriter, r *http.Request) {
	mediaType, ctAction := contentTypeInfo(r.Header.Get("Content-Type"))
	// Until the envelope is parsed, guess the version from the media type.
	v := V11
	if mediaType == "application/soap+xml" {
		v = V12
	}
	action := ctAction
	if h := r.Header.Values("SOAPAction"); len(h) > 0 {
		action = UnquoteAction(h[0])
	}
	limit := m.maxBody()
	if r.ContentLength > limit {
		m.writeTooLarge(w, v, limit)
		return
	}
	data, err := readRequest(http.MaxBytesReader(w, r.Body, limit), r.ContentLength)
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			m.writeTooLarge(w, v, limit)
			return
		}
		m.logger().Debug("soap: reading request body", "err", err)
		writeFault(w, v, &Fault{Code: CodeClient, String: "could not read the request body"}, http.StatusBadRequest)
		return
	}
	msg, err := ParseMessage(data)
	if err != nil {
		code, text := CodeClient, "malformed SOAP envelope"
		if _, ok := errors.AsType[*VersionMismatchError](err); ok {
			code, text = CodeVersionMismatch, "unknown SOAP envelope namespace"
		}
		writeFault(w, v, &Fault{Code: code, String: text}, http.StatusInternalServerError)
		return
	}
	v = msg.Version
	req := &Request{Message: *msg, Action: action, HTTP: r}
	if msg.Body == nil {
		m.writeFault(w, req, &Fault{Code: CodeClient, String: "empty SOAP Body"})
		return
	}
	route, ok := m.Routes[msg.Name]
	if !ok || route.Handler == nil {
		m.writeFault(w, req, &Fault{Code: CodeClient, String: "unknown operation " + fmtName(msg.Name)})
		return
	}
	if action != "" && action != route.Action && !slices.Contains(route.Aliases, action) {
		if !m.LenientAction {
			m.writeFault(w, req, &Fault{Code: CodeClient, String: "SOAPAction " + QuoteAction(action) + " does not match the body element " + fmtName(msg.Name)})
			return
		}
		m.logger().Warn("soap: SOAPAction does not match the body element", "action", action, "element", fmtName(msg.Name))
	}
	resp, err := route.Handler(r.Context(), req)
	if f, ok := resp.(*Fault); ok && err == nil && f != nil {
		err = f // a fault returned as the response is still a fault
	}
	if err != nil {
		m.writeFault(w, req, m.faultFor(req, err))
		return
	}
	m.writeResponse(w, req, resp)
}

// readRequest reads a request body of Content-Length n (-1 when unknown)
// into one buffer of the right size: SyncUpdates bodies run to hundreds of
// KB, and io.ReadAll would copy them through a dozen growing buffers.
func readRequest(r io.Reader, n int64) ([]byte, error) {
	if n < 0 {
		return io.ReadAll(r)
	}
	// MinRead spare bytes let ReadFrom see EOF without growing. A
	// Content-Length alone does not buy more than maxPresize bytes before
	// the bytes arrive.
	b := bytes.NewBuffer(make([]byte, 0, min(n, maxPresize)+bytes.MinRead))
	_, err := b.ReadFrom(r)
	return b.Bytes(), err
}

const maxPresize = 1 << 20

// faultFor turns a handler error into the fault to send.
func (m *Mux) faultFor(req *Request, err error) *Fault {
	if f, ok := errors.AsType[*Fault](err); ok {
		return f
	}
	if m.ErrorFault != nil {
		if f := m.ErrorFault(req.HTTP.Context(), req, err); f != nil {
			return f
		}
	}
	f := NewFault(CodeServer, InternalServerError, "")
	m.logger().Error("soap: operation failed", "operation", req.Name.Local, "fault_id", f.Detail.ID, "err", err)
	return f
}

// writeFault completes f from the request (ID, Method) and writes it.
func (m *Mux) writeFault(w http.ResponseWriter, req *Request, f *Fault) {
	if f.Detail != nil && (f.Detail.ID == "" || f.Detail.Method == "" && req.Action != "") {
		d := *f.Detail
		if d.ID == "" {
			d.ID = NewID()
		}
		if d.Method == "" && req.Action != "" {
			d.Method = QuoteAction(req.Action)
		}
		f = &Fault{Code: f.Code, String: f.String, Actor: f.Actor, Detail: &d}
	}
	writeFault(w, req.Version, f, http.StatusInternalServerError)
}

func writeFault(w http.ResponseWriter, v Version, f *Fault, status int) {
	body, _ := MarshalEnvelope(v, f) // a *Fault always marshals
	h := w.Header()
	h.Del("Content-Encoding")
	h.Set("Content-Type", v.ContentType())
	h.Set("Cache-Control", "private")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func (m *Mux) writeTooLarge(w http.ResponseWriter, v Version, limit int64) {
	w.Header().Set("Connection", "close")
	writeFault(w, v, &Fault{Code: CodeClient, String: "request body exceeds " + strconv.FormatInt(limit, 10) + " bytes"},
		http.StatusRequestEntityTooLarge)
}

func (m *Mux) writeResponse(w http.ResponseWriter, req *Request, resp any) {
	v := req.Version
	useXpress := m.Xpress && acceptsXpress(req.HTTP.Header)
	h := w.Header()
	h.Set("Content-Type", v.ContentType())
	h.Set("Cache-Control", "private")
	if m.Xpress {
		h.Add("Vary", "Accept-Encoding")
	}
	if wt, ok := resp.(io.WriterTo); ok {
		if _, raw := resp.(RawXML); !raw {
			m.stream(w, req, wt, useXpress)
			return
		}
	}
	body, err := MarshalEnvelope(v, resp)
	if err != nil {
		h.Del("Vary")
		m.writeFault(w, req, m.faultFor(req, err))
		return
	}
	if useXpress {
		body = xpress.EncodeBody(nil, body)
		h.Set("Content-Encoding", xpress.ContentEncoding)
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}

// stream writes a response whose body element comes from wt (a
// pre-rendered SyncUpdates page, say) through a pooled buffer, so that the
// answer carries Content-Length as WSUS's always do: whether Windows clients
// accept chunked SOAP answers is untested (protocol-wusp.md §14 q4). A
// failure while rendering still becomes a fault, since nothing was sent.
func (m *Mux) stream(w http.ResponseWriter, req *Request, wt io.WriterTo, useXpress bool) {
	buf := bufferPool.Get().(*bytes.Buffer)
	buf.Reset()
	defer func() {
		if buf.Cap() <= maxPooledBuffer {
			bufferPool.Put(buf)
		}
	}()
	var out io.Writer = buf
	var zw *xpress.Writer
	if useXpress {
		zw = xpress.NewWriter(buf)
		out = zw
	}
	err := writeEnvelopeTo(out, req.Version, wt)
	if err == nil && zw != nil {
		err = zw.Close()
	}
	if err != nil {
		m.logger().Error("soap: rendering response failed", "operation", req.Name.Local, "err", err)
		w.Header().Del("Vary")
		m.writeFault(w, req, m.faultFor(req, err))
		return
	}
	if useXpress {
		w.Header().Set("Content-Encoding", xpress.ContentEncoding)
	}
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(buf.Bytes())
}

// bufferPool holds response buffers; ones grown past maxPooledBuffer are
// dropped so one huge answer does not pin its memory.
var bufferPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

const maxPooledBuffer = 4 << 20

// acceptsXpress reports whether Accept-Encoding lists xpress with a
// non-zero quality (MS-WUSP §2.1; tokens are case-insensitive).
func acceptsXpress(h http.Header) bool {
	for _, line := range h.Values("Accept-Encoding") {
		for _, part := range strings.Split(line, ",") {
			coding, params, _ := strings.Cut(part, ";")
			if !strings.EqualFold(strings.TrimSpace(coding), xpress.ContentEncoding) {
				continue
			}
			if k, q, ok := strings.Cut(strings.TrimSpace(params), "="); ok && strings.EqualFold(strings.TrimSpace(k), "q") {
				if f, err := strconv.ParseFloat(strings.TrimSpace(q), 64); err == nil && f == 0 {
					return false
				}
			}
			return true
		}
	}
	return false
}

// serveGet answers GET and HEAD like an ASMX endpoint: ?wsdl serves the
// WSDL when one is configured, anything else an HTML page listing the
// operations, with status 200.
func (m *Mux) serveGet(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	for k := range q {
		if strings.EqualFold(k, "wsdl") {
			if m.WSDL == nil {
				http.NotFound(w, r)
				return
			}
			w.Header().Set("Content-Type", "text/xml; charset=utf-8")
			w.Header().Set("Content-Length", strconv.Itoa(len(m.WSDL)))
			_, _ = w.Write(m.WSDL)
			return
		}
	}
	name := m.Service
	if name == "" {
		name = "Web Service"
	}
	ops := make([]string, 0, len(m.Routes))
	for n := range m.Routes {
		ops = append(ops, n.Local)
	}
	slices.Sort(ops)
	var b bytes.Buffer
	title := html.EscapeString(name)
	b.WriteString("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>" + title + "</title></head><body>\n")
	b.WriteString("<h1>" + title + "</h1>\n<p>This is a SOAP web service. Send SOAP 1.1 or 1.2 requests with POST. The following operations are supported:</p>\n<ul>\n")
	for _, op := range ops {
		b.WriteString("<li>" + html.EscapeString(op) + "</li>\n")
	}
	b.WriteString("</ul>\n")
	if m.WSDL != nil {
		b.WriteString("<p>For a formal definition, see the <a href=\"?wsdl\">service description</a>.</p>\n")
	}
	b.WriteString("</body></html>\n")
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "private")
	w.Header().Set("Content-Length", strconv.Itoa(b.Len()))
	_, _ = w.Write(b.Bytes())
}
