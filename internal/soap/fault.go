package soap

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"io"
	"strings"
)

// FaultCode is a SOAP fault code in SOAP 1.1 vocabulary. SOAP 1.2 messages
// map Sender to Client and Receiver to Server when read, and back when
// written. Codes from other namespaces (for example WCF's
// InternalServiceFault) keep their local name.
type FaultCode string

// Fault codes (SOAP 1.1 §4.4.1).
const (
	CodeClient          FaultCode = "Client"
	CodeServer          FaultCode = "Server"
	CodeVersionMismatch FaultCode = "VersionMismatch"
	CodeMustUnderstand  FaultCode = "MustUnderstand"
)

// FaultString is the faultstring WSUS on Windows Server 2025 sends with
// every application fault (protocol-wusp.md §2.1). It is the default of
// NewFault; it reveals nothing about the server.
const FaultString = "Fault occurred"

// InternalServerError is the ErrorCode Mux uses for errors its ErrorFault
// function does not map (MS-WUSP §2.2.2.4, MS-WSUSSS §2.2.9.3).
const InternalServerError = "InternalServerError"

// Fault is a SOAP fault. It is an error: handlers return it to send a fault,
// and Client.Call returns it when the peer sent one.
type Fault struct {
	// Code is the fault code; the zero value is written as Server.
	Code FaultCode
	// String is the faultstring (SOAP 1.2 Reason/Text); empty is written as
	// FaultString.
	String string
	// Actor is the faultactor (SOAP 1.2 Role): the URI of the service; empty
	// omits it, as WSUS does on the client web service.
	Actor string
	// Detail is the application detail of MS-WUSP §2.2.2.4 and MS-WSUSSS
	// §2.2.9; nil omits the detail element.
	Detail *Detail
}

// Detail is the application fault detail both WSUS protocols use: four
// unqualified children written in this order (MS-WUSP §2.2.2.4, MS-WSUSSS
// §2.2.9.1, observed in wsus-m0/000141).
type Detail struct {
	// ErrorCode is the case-sensitive code from the protocol's table, for
	// example "InvalidParameters" or "InvalidCookie".
	ErrorCode string
	// Message is free text; for InvalidParameters the parameter name or
	// dotted path (for example "parameters.InstalledNonLeafUpdateIDs").
	Message string
	// ID is a fresh GUID per fault instance, for log look-up. Mux fills it
	// when empty.
	ID string
	// Method is the request's SOAPAction in double quotes. Mux fills it from
	// the request when empty.
	Method string
}

// NewFault returns a fault with the WSUS detail shape: faultstring
// FaultString, the given code and ErrorCode, message, and a fresh ID. Method
// is left for Mux to fill from the request.
func NewFault(code FaultCode, errorCode, message string) *Fault {
	return &Fault{
		Code:   code,
		String: FaultString,
		Detail: &Detail{ErrorCode: errorCode, Message: message, ID: NewID()},
	}
}

// Error describes the fault, with its detail when present.
func (f *Fault) Error() string {
	var b strings.Builder
	b.WriteString("soap fault ")
	b.WriteString(string(f.code()))
	if f.Detail != nil && f.Detail.ErrorCode != "" {
		b.WriteString(": " + f.Detail.ErrorCode)
		if f.Detail.Message != "" {
			b.WriteString(": " + f.Detail.Message)
		}
		if f.Detail.ID != "" {
			b.WriteString(" (id " + f.Detail.ID + ")")
		}
	} else if f.String != "" {
		b.WriteString(": " + f.String)
	}
	return b.String()
}

// ErrorCode returns the detail's ErrorCode, or "" when there is none.
func (f *Fault) ErrorCode() string {
	if f.Detail == nil {
		return ""
	}
	return f.Detail.ErrorCode
}

func (f *Fault) code() FaultCode {
	if f.Code == "" {
		return CodeServer
	}
	return f.Code
}

// NewID returns a random (version 4) GUID in lower case, the form of a
// fault ID.
func NewID() string {
	var u [16]byte
	_, _ = rand.Read(u[:]) // crypto/rand.Read never fails
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	var s [36]byte
	hex.Encode(s[0:8], u[0:4])
	s[8] = '-'
	hex.Encode(s[9:13], u[4:6])
	s[13] = '-'
	hex.Encode(s[14:18], u[6:8])
	s[18] = '-'
	hex.Encode(s[19:23], u[8:10])
	s[23] = '-'
	hex.Encode(s[24:], u[10:])
	return string(s[:])
}

// appendFault appends the Fault element (not the envelope) for version v.
// SOAP 1.1: faultcode, faultstring, faultactor, detail (SOAP 1.1 §4.4).
// SOAP 1.2: Code/Value, Reason/Text, Role, and the unqualified Detail that
// MS-WSUSSS §2.2.9.2 requires in place of the SOAP 1.2 one.
func appendFault(b *bytes.Buffer, v Version, f *Fault) {
	p := v.prefix()
	str := f.String
	if str == "" {
		str = FaultString
	}
	code := f.code()
	b.WriteString("<" + p + ":Fault>")
	if v.norm() == V12 {
		switch code {
		case CodeClient:
			code = "Sender"
		case CodeServer:
			code = "Receiver"
		}
		b.WriteString("<" + p + ":Code><" + p + ":Value>" + p + ":")
		escape(b, string(code))
		b.WriteString("</" + p + ":Value></" + p + ":Code><" + p + `:Reason><` + p + `:Text xml:lang="en-US">`)
		escape(b, str)
		b.WriteString("</" + p + ":Text></" + p + ":Reason>")
		if f.Actor != "" {
			b.WriteString("<" + p + ":Role>")
			escape(b, f.Actor)
			b.WriteString("</" + p + ":Role>")
		}
		appendDetail(b, "Detail", f.Detail)
	} else {
		b.WriteString("<faultcode>" + p + ":")
		escape(b, string(code))
		b.WriteString("</faultcode><faultstring>")
		escape(b, str)
		b.WriteString("</faultstring>")
		if f.Actor != "" {
			b.WriteString("<faultactor>")
			escape(b, f.Actor)
			b.WriteString("</faultactor>")
		}
		appendDetail(b, "detail", f.Detail)
	}
	b.WriteString("</" + p + ":Fault>")
}

func appendDetail(b *bytes.Buffer, name string, d *Detail) {
	if d == nil {
		return
	}
	b.WriteString("<" + name + ">")
	for _, kv := range [...][2]string{
		{"ErrorCode", d.ErrorCode}, {"Message", d.Message}, {"ID", d.ID}, {"Method", d.Method},
	} {
		if kv[0] == "Method" && kv[1] == "" {
			continue // MS-WUSP §2.2.2.4: "This can be omitted."
		}
		b.WriteString("<" + kv[0] + ">")
		escape(b, kv[1])
		b.WriteString("</" + kv[0] + ">")
	}
	b.WriteString("</" + name + ">")
}

// escape writes s as XML character data. Unlike xml.EscapeText it leaves
// quotes alone, so Method reads "…" as WSUS writes it; characters XML
// cannot carry become U+FFFD.
func escape(b *bytes.Buffer, s string) {
	for _, r := range s {
		switch {
		case r == '&':
			b.WriteString("&amp;")
		case r == '<':
			b.WriteString("&lt;")
		case r == '>':
			b.WriteString("&gt;")
		case r == '\r':
			b.WriteString("&#xD;")
		case r == '\t' || r == '\n' || r >= 0x20 && r <= 0xD7FF || r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF:
			b.WriteRune(r)
		default:
			b.WriteRune('\uFFFD')
		}
	}
}

// parseFault reads a Fault element (the body element of m) in either
// version. It finds ErrorCode, Message, ID and Method by local name anywhere
// below the Fault (under detail, Detail or the SOAP 1.2 env:Detail), as
// protocol-wusp.md §2.3 advises for peers that differ.
func parseFault(m *Message) (*Fault, error) {
	d := newDecoder(m.Body)
	f := &Fault{}
	var det Detail
	var path []string
	var text bytes.Buffer
	seen := map[string]bool{}
	set := func(key string, dst *string, val string) {
		if !seen[key] {
			seen[key] = true
			*dst = strings.TrimSpace(val)
		}
	}
	for {
		tok, err := d.RawToken() // prefixes are resolved by hand below
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			path = append(path, t.Name.Local)
			text.Reset()
		case xml.CharData:
			text.Write(t)
		case xml.EndElement:
			if len(path) == 0 {
				return nil, fmt.Errorf("soap: malformed fault")
			}
			name := path[len(path)-1]
			parent := ""
			if len(path) > 1 {
				parent = path[len(path)-2]
			}
			val := text.String()
			switch {
			case name == "faultcode" && parent == "Fault":
				set("code", (*string)(&f.Code), localPart(val))
			case name == "Value" && parent == "Code" && len(path) == 3:
				set("code", (*string)(&f.Code), localPart(val))
			case name == "faultstring" && parent == "Fault",
				name == "Text" && parent == "Reason":
				set("string", &f.String, val)
			case name == "faultactor" && parent == "Fault",
				name == "Role" && parent == "Fault":
				set("actor", &f.Actor, val)
			case len(path) > 2 && name == "ErrorCode":
				set("ErrorCode", &det.ErrorCode, val)
			case len(path) > 2 && name == "Message":
				set("Message", &det.Message, val)
			case len(path) > 2 && name == "ID":
				set("ID", &det.ID, val)
			case len(path) > 2 && name == "Method":
				set("Method", &det.Method, val)
			}
			path = path[:len(path)-1]
			text.Reset()
		}
	}
	switch f.Code {
	case "Sender":
		f.Code = CodeClient
	case "Receiver":
		f.Code = CodeServer
	}
	if seen["ErrorCode"] || seen["ID"] || seen["Message"] || seen["Method"] {
		f.Detail = &det
	}
	return f, nil
}

// localPart strips the prefix of a QName value such as "s:Client".
func localPart(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, ':'); i >= 0 {
		return s[i+1:]
	}
	return s
}
