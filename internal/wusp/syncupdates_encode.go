package wusp

import (
	"io"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

// This file is the hot path of the server: the SyncUpdates (and
// SyncPrinterCatalog) response, whose UpdateInfo/Xml fields carry
// pre-rendered Core fragments. The encoder appends straight into a byte
// slice, escaping the fragment bytes on the way, with no allocation per
// update; element order is the WSDL's (MS-WUSP §6.2, SyncInfo).

// AppendXML appends the SyncUpdatesResponse element (MS-WUSP §2.2.2.2.4),
// declaring NSClient as its default namespace, to b.
func (r *SyncUpdatesResponse) AppendXML(b []byte) []byte {
	return appendSyncInfoResponse(b, "SyncUpdates", r.SyncUpdatesResult)
}

// WriteTo writes the SyncUpdatesResponse element to w. It implements
// io.WriterTo, the streaming body form of package soap.
func (r *SyncUpdatesResponse) WriteTo(w io.Writer) (int64, error) {
	return writeAppended(w, r.AppendXML)
}

// AppendXML appends the SyncPrinterCatalogResponse element (MS-WUSP
// §2.2.2.2.9) to b.
func (r *SyncPrinterCatalogResponse) AppendXML(b []byte) []byte {
	return appendSyncInfoResponse(b, "SyncPrinterCatalog", r.SyncPrinterCatalogResult)
}

// WriteTo writes the SyncPrinterCatalogResponse element to w.
func (r *SyncPrinterCatalogResponse) WriteTo(w io.Writer) (int64, error) {
	return writeAppended(w, r.AppendXML)
}

// bufPool holds response buffers; they grow to the largest page served.
var bufPool = sync.Pool{New: func() any { b := make([]byte, 0, 64<<10); return &b }}

// maxPooled keeps one huge response from pinning its buffer forever.
const maxPooled = 4 << 20

func getBuf() *[]byte { return bufPool.Get().(*[]byte) }

func putBuf(p *[]byte) {
	if cap(*p) > maxPooled {
		return
	}
	*p = (*p)[:0]
	bufPool.Put(p)
}

func writeAppended(w io.Writer, appendTo func([]byte) []byte) (int64, error) {
	p := getBuf()
	defer putBuf(p)
	*p = appendTo((*p)[:0])
	n, err := w.Write(*p)
	return int64(n), err
}

func appendSyncInfoResponse(b []byte, op string, si *SyncInfo) []byte {
	b = append(b, '<')
	b = append(b, op...)
	b = append(b, `Response xmlns="`+NSClient+`">`...)
	if si != nil {
		b = append(b, '<')
		b = append(b, op...)
		b = append(b, "Result>"...)
		b = appendSyncInfo(b, si)
		b = append(b, "</"...)
		b = append(b, op...)
		b = append(b, "Result>"...)
	}
	b = append(b, "</"...)
	b = append(b, op...)
	b = append(b, "Response>"...)
	return b
}

// appendSyncInfo appends the children of a SyncInfo in WSDL order,
// omitting empty optional lists as WSUS does.
func appendSyncInfo(b []byte, si *SyncInfo) []byte {
	b = appendUpdateInfos(b, "NewUpdates", si.NewUpdates)
	b = appendInts(b, "OutOfScopeRevisionIDs", si.OutOfScopeRevisionIDs)
	b = appendUpdateInfos(b, "ChangedUpdates", si.ChangedUpdates)
	b = appendBool(b, "Truncated", si.Truncated)
	if si.NewCookie != nil {
		b = appendCookie(b, "NewCookie", si.NewCookie)
	}
	b = appendInts(b, "DeployedOutOfScopeRevisionIds", si.DeployedOutOfScopeRevisionIds)
	b = appendOptText(b, "DriverSyncNotNeeded", si.DriverSyncNotNeeded)
	return b
}

// appendUpdateInfos appends an ArrayOfUpdateInfo, omitted when empty.
func appendUpdateInfos(b []byte, name string, us []UpdateInfo) []byte {
	if len(us) == 0 {
		return b
	}
	b = append(b, '<')
	b = append(b, name...)
	b = append(b, '>')
	for i := range us {
		b = appendUpdateInfo(b, &us[i])
	}
	b = append(b, "</"...)
	b = append(b, name...)
	return append(b, '>')
}

func appendUpdateInfo(b []byte, u *UpdateInfo) []byte {
	b = append(b, "<UpdateInfo><ID>"...)
	b = strconv.AppendInt(b, int64(u.ID), 10)
	b = append(b, "</ID>"...)
	if d := u.Deployment; d != nil {
		b = appendDeployment(b, d)
	}
	b = appendBool(b, "IsLeaf", u.IsLeaf)
	switch {
	case len(u.XmlEscaped) > 0:
		b = append(b, "<Xml>"...)
		b = append(b, u.XmlEscaped...)
		b = append(b, "</Xml>"...)
	case len(u.Xml) > 0:
		b = append(b, "<Xml>"...)
		b = appendEscaped(b, u.Xml)
		b = append(b, "</Xml>"...)
	}
	return append(b, "</UpdateInfo>"...)
}

func appendDeployment(b []byte, d *Deployment) []byte {
	b = append(b, "<Deployment><ID>"...)
	b = strconv.AppendInt(b, int64(d.ID), 10)
	b = append(b, "</ID>"...)
	b = appendText(b, "Action", d.Action)
	b = appendOptText(b, "Deadline", d.Deadline)
	b = appendBool(b, "IsAssigned", d.IsAssigned)
	b = appendText(b, "LastChangeTime", d.LastChangeTime)
	b = appendOptText(b, "DownloadPriority", d.DownloadPriority)
	if len(d.HardwareIds) > 0 {
		b = append(b, "<HardwareIds>"...)
		for _, h := range d.HardwareIds {
			b = appendText(b, "string", h)
		}
		b = append(b, "</HardwareIds>"...)
	}
	b = appendOptText(b, "AutoSelect", d.AutoSelect)
	b = appendOptText(b, "AutoDownload", d.AutoDownload)
	b = appendOptText(b, "SupersedenceBehavior", d.SupersedenceBehavior)
	b = appendOptText(b, "FlagBitmask", d.FlagBitmask)
	if len(d.ClientBehaviors) > 0 {
		b = append(b, "<ClientBehaviors>"...)
		for i := range d.ClientBehaviors {
			b = appendClientMetadata(b, &d.ClientBehaviors[i])
		}
		b = append(b, "</ClientBehaviors>"...)
	}
	return append(b, "</Deployment>"...)
}

func appendClientMetadata(b []byte, m *ClientMetadata) []byte {
	b = append(b, "<ClientMetadata>"...)
	b = appendText(b, "MetadataType", m.MetadataType)
	b = appendText(b, "Metadata", m.Metadata)
	if v := m.Verification; v != nil {
		ts, _ := v.Timestamp.MarshalText()
		sig, _ := v.Signature.MarshalText()
		b = append(b, `<Verification Timestamp="`...)
		b = appendEscaped(b, ts)
		b = append(b, `" LeafCertificateId="`...)
		b = strconv.AppendUint(b, uint64(v.LeafCertificateId), 10)
		b = append(b, `" Signature="`...)
		b = append(b, sig...)
		b = append(b, `" Algorithm="`...)
		b = appendEscapedAttr(b, v.Algorithm)
		b = append(b, `"/>`...)
	}
	return append(b, "</ClientMetadata>"...)
}

func appendCookie(b []byte, name string, c *Cookie) []byte {
	b = append(b, '<')
	b = append(b, name...)
	b = append(b, "><Expiration>"...)
	b = c.Expiration.UTC().AppendFormat(b, "2006-01-02T15:04:05.999999999Z07:00")
	b = append(b, "</Expiration>"...)
	if len(c.EncryptedData) > 0 {
		b = append(b, "<EncryptedData>"...)
		b = appendBase64(b, c.EncryptedData)
		b = append(b, "</EncryptedData>"...)
	}
	b = append(b, "</"...)
	b = append(b, name...)
	return append(b, '>')
}

func appendInts(b []byte, name string, ids []int32) []byte {
	if len(ids) == 0 {
		return b
	}
	b = append(b, '<')
	b = append(b, name...)
	b = append(b, '>')
	for _, id := range ids {
		b = append(b, "<int>"...)
		b = strconv.AppendInt(b, int64(id), 10)
		b = append(b, "</int>"...)
	}
	b = append(b, "</"...)
	b = append(b, name...)
	return append(b, '>')
}

func appendBool(b []byte, name string, v bool) []byte {
	b = append(b, '<')
	b = append(b, name...)
	b = append(b, '>')
	b = strconv.AppendBool(b, v)
	b = append(b, "</"...)
	b = append(b, name...)
	return append(b, '>')
}

// appendText appends a required string element, empty or not.
func appendText(b []byte, name, v string) []byte {
	b = append(b, '<')
	b = append(b, name...)
	b = append(b, '>')
	b = appendEscapedString(b, v)
	b = append(b, "</"...)
	b = append(b, name...)
	return append(b, '>')
}

// appendOptText appends an optional string element, omitted when empty.
func appendOptText(b []byte, name, v string) []byte {
	if v == "" {
		return b
	}
	return appendText(b, name, v)
}

const b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

// appendBase64 appends the padded standard base64 of src without an
// intermediate allocation.
func appendBase64(b, src []byte) []byte {
	for len(src) >= 3 {
		v := uint(src[0])<<16 | uint(src[1])<<8 | uint(src[2])
		b = append(b, b64[v>>18&63], b64[v>>12&63], b64[v>>6&63], b64[v&63])
		src = src[3:]
	}
	switch len(src) {
	case 1:
		v := uint(src[0]) << 16
		b = append(b, b64[v>>18&63], b64[v>>12&63], '=', '=')
	case 2:
		v := uint(src[0])<<16 | uint(src[1])<<8
		b = append(b, b64[v>>18&63], b64[v>>12&63], b64[v>>6&63], '=')
	}
	return b
}

// appendEscaped appends s as XML character data: '&', '<' and '>' become
// entities, '\r' becomes "&#xD;" so that it survives end-of-line
// normalisation, and bytes that are not XML characters (controls other
// than tab/newline, invalid UTF-8, U+FFFE/U+FFFF) become U+FFFD, as
// encoding/xml does, so that the response stays well-formed whatever the
// fragment holds. The fragment's quotes are written as is, as WSUS does.
func appendEscaped[T string | []byte](b []byte, s T) []byte {
	return escapeText(b, s)
}

// EscapeText appends fragment to dst escaped exactly as the SyncUpdates
// encoder escapes UpdateInfo.Xml (see UpdateInfo.XmlEscaped).
func EscapeText(dst, fragment []byte) []byte { return escapeText(dst, fragment) }

func escapeText[T string | []byte](b []byte, s T) []byte {
	start := 0
	for i := 0; i < len(s); {
		if xmlPlain[s[i]] {
			i++
			continue
		}
		c := s[i]
		var esc string
		width := 1
		switch {
		case c == '&':
			esc = "&amp;"
		case c == '<':
			esc = "&lt;"
		case c == '>':
			esc = "&gt;"
		case c == '\r':
			esc = "&#xD;"
		case c < 0x20:
			esc = "\uFFFD"
		default:
			var rb [utf8.UTFMax]byte
			n := copy(rb[:], s[i:])
			r, w := utf8.DecodeRune(rb[:n])
			width = w
			if r == utf8.RuneError && w == 1 || r == 0xFFFE || r == 0xFFFF {
				esc = "\uFFFD"
			} else {
				i += w
				continue
			}
		}
		b = append(b, s[start:i]...)
		b = append(b, esc...)
		i += width
		start = i
	}
	return append(b, s[start:]...)
}

// xmlPlain marks the bytes appendEscaped copies unchanged: printable
// ASCII other than '&', '<' and '>', tab and newline.
var xmlPlain = func() (t [256]bool) {
	for c := 0x20; c < 0x80; c++ {
		t[c] = c != '&' && c != '<' && c != '>'
	}
	t['\t'], t['\n'] = true, true
	return t
}()

func appendEscapedString(b []byte, s string) []byte { return appendEscaped(b, s) }

// appendEscapedAttr appends s as attribute text: also '"' is escaped.
func appendEscapedAttr(b []byte, s string) []byte {
	for {
		i := strings.IndexByte(s, '"')
		if i < 0 {
			return appendEscaped(b, s)
		}
		b = appendEscaped(b, s[:i])
		b = append(b, "&quot;"...)
		s = s[i+1:]
	}
}
