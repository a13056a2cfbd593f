package wusp

import (
	"errors"

	"patchbay"
	"patchbay/internal/soap"
)

// ErrorCode values of the MS-WUSP §2.2.2.4 fault table, spelled as in the
// table (not §3.1.5.9's "InvalidParameter" nor §3.1.5.10's
// "FileLocationsChanged"; protocol-wusp.md trap 10).
const (
	ErrorInvalidAuthorizationCookie = "InvalidAuthorizationCookie"
	ErrorInvalidCookie              = "InvalidCookie"
	ErrorCookieExpired              = "CookieExpired"
	ErrorConfigChanged              = "ConfigChanged"
	ErrorRegistrationRequired       = "RegistrationRequired"
	ErrorRegistrationNotRequired    = "RegistrationNotRequired"
	ErrorServerChanged              = "ServerChanged"
	ErrorInvalidParameters          = "InvalidParameters"
	ErrorInternalServerError        = "InternalServerError"
	ErrorServerBusy                 = "ServerBusy"
	ErrorFileLocationChanged        = "FileLocationChanged"
)

// faultRow is one row of the fault table: a patchbay error code, the
// MS-WUSP ErrorCode it becomes, and whether it is the server's fault
// (faultcode soap:Server) rather than the caller's (soap:Client).
type faultRow struct {
	code      string // patchbay.E…; "" for codes only FaultError produces
	errorCode string
	server    bool
}

// faultTable is the one mapping between patchbay error codes and MS-WUSP
// §2.2.2.4 faults, used in both directions: the server maps a Service
// error to a fault (first row whose code matches), the client maps a
// fault back to a patchbay error (first row whose errorCode matches).
//
// Every fault is HTTP 500 with faultstring "Fault occurred", no
// faultactor, and an unqualified detail ErrorCode, Message, ID, Method
// (the SOAPAction with its quotes), as WS2025 WSUS writes it
// (wsus-m0/000141). faultcode is s:Client for caller errors, as observed,
// and s:Server for InternalServerError and ServerBusy (WUA logged "code:
// Server" for an InternalServerError, protocol-wusp.md §2.1).
var faultTable = []faultRow{
	{patchbay.EInvalid, ErrorInvalidParameters, false},
	{patchbay.ENotFound, ErrorInvalidParameters, false},
	{patchbay.EUnauthorized, ErrorInvalidAuthorizationCookie, false},
	{patchbay.EInvalidCookie, ErrorInvalidCookie, false},
	{patchbay.ECookieExpired, ErrorCookieExpired, false},
	{patchbay.EConfigChanged, ErrorConfigChanged, false},
	{patchbay.ERegistrationRequired, ErrorRegistrationRequired, false},
	{patchbay.EServerChanged, ErrorServerChanged, false},
	{patchbay.EBusy, ErrorServerBusy, true},
	{patchbay.EInternal, ErrorInternalServerError, true},
	{patchbay.EConflict, ErrorInternalServerError, true},
	// No domain code: a Service returns these through FaultError.
	{"", ErrorRegistrationNotRequired, false},
	{"", ErrorFileLocationChanged, false},
}

// faultError is an error that names an MS-WUSP ErrorCode directly.
type faultError struct {
	code    string
	message string
}

func (e *faultError) Error() string {
	if e.message == "" {
		return "wusp: " + e.code
	}
	return "wusp: " + e.code + ": " + e.message
}

// FaultError returns an error that the server sends as the fault with the
// given MS-WUSP §2.2.2.4 ErrorCode and Message, for codes that have no
// patchbay error code (FileLocationChanged, RegistrationNotRequired).
// message reaches the client and must hold nothing internal.
func FaultError(errorCode, message string) error {
	return &faultError{code: errorCode, message: message}
}

// invalidParameter returns the InvalidParameters error whose Message names
// the parameter as WSUS does ("parameters.InstalledNonLeafUpdateIDs").
func invalidParameter(path string) error {
	return patchbay.Errorf(patchbay.EInvalid, "%s", path)
}

// requireCookie faults InvalidCookie when a cookie MUST be present
// (protocol-wusp.md §6.3 step 1).
func requireCookie(c *Cookie) error {
	if c == nil || len(c.EncryptedData) == 0 {
		return patchbay.Errorf(patchbay.EInvalidCookie, "")
	}
	return nil
}

// toFault maps err to the SOAP fault sent to the client, with a fresh ID
// and Method set to the request's quoted SOAPAction. internal reports
// whether the error is the server's (InternalServerError): its text is
// not sent, only the ID, which the caller logs with the error.
func toFault(err error, method string) (f *soap.Fault, internal bool) {
	var sf *soap.Fault
	if errors.As(err, &sf) {
		c := *sf
		if c.Detail != nil {
			d := *c.Detail
			if d.ID == "" {
				d.ID = soap.NewID()
			}
			if d.Method == "" {
				d.Method = method
			}
			c.Detail = &d
		}
		return &c, c.ErrorCode() == ErrorInternalServerError
	}
	row, message := faultRowOf(err)
	code := soap.CodeClient
	if row.server {
		code = soap.CodeServer
		message = ""
	}
	f = soap.NewFault(code, row.errorCode, message)
	f.Detail.Method = method
	return f, row.errorCode == ErrorInternalServerError
}

// faultRowOf returns the table row of err and the message that may reach
// the client.
func faultRowOf(err error) (faultRow, string) {
	var fe *faultError
	if errors.As(err, &fe) {
		for _, r := range faultTable {
			if r.errorCode == fe.code {
				return r, fe.message
			}
		}
		return faultRow{errorCode: fe.code}, fe.message
	}
	code := patchbay.ErrorCode(err)
	for _, r := range faultTable {
		if r.code == code {
			var pe *patchbay.Error
			if !r.server && errors.As(err, &pe) {
				return r, pe.Message // safe for the caller by patchbay.Error's contract
			}
			return r, ""
		}
	}
	return faultRow{code: patchbay.EInternal, errorCode: ErrorInternalServerError, server: true}, ""
}

// fromFault maps a fault received by the Client to a *patchbay.Error whose
// Code comes from the fault table and whose Err is the *soap.Fault (use
// errors.As to read ErrorCode, Message and ID). A fault without an
// ErrorCode (for example WCF's InternalServiceFault) counts as
// InternalServerError (protocol-wusp.md §2.3).
func fromFault(f *soap.Fault) error {
	ec := f.ErrorCode()
	code := patchbay.EInternal
	switch ec {
	case ErrorRegistrationNotRequired:
		code = patchbay.EInvalid
	case ErrorFileLocationChanged:
		code = patchbay.EConflict
	case ErrorInternalServerError:
		code = patchbay.EInternal
	default:
		for _, r := range faultTable {
			if r.errorCode == ec && r.code != "" {
				code = r.code
				break
			}
		}
	}
	msg := ec
	if f.Detail != nil && f.Detail.Message != "" {
		msg += ": " + f.Detail.Message
	}
	if msg == "" {
		msg = "soap fault"
	}
	return &patchbay.Error{Code: code, Message: msg, Err: f}
}
