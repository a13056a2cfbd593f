package refcatalog

import "strconv"

// Namespaces of full update XML, with the prefixes real documents use
// (MS-WUSP §3.1.1.1, Appendix A schemas; the wsus-rs GetUpdateData captures).
const (
	nsUpd   = "http://schemas.microsoft.com/msus/2002/12/Update"
	nsPub   = "http://schemas.microsoft.com/msus/2002/12/Publishing"
	nsBar   = "http://schemas.microsoft.com/msus/2002/12/BaseApplicabilityRules"
	nsLar   = "http://schemas.microsoft.com/msus/2002/12/LogicalApplicabilityRules"
	nsMar   = "http://schemas.microsoft.com/msus/2002/12/MsiApplicabilityRules"
	nsCbsar = "http://schemas.microsoft.com/msus/2002/12/CbsApplicabilityRules"
	nsCat   = "http://schemas.microsoft.com/msus/2002/12/UpdateHandlers/Category"
	nsCmd   = "http://schemas.microsoft.com/msus/2002/12/UpdateHandlers/CommandLineInstallation"
	nsCbs   = "http://schemas.microsoft.com/msus/2002/12/UpdateHandlers/Cbs"
	nsDrv   = "http://schemas.microsoft.com/msus/2002/12/UpdateHandlers/WindowsDriver"
	nsXsi   = "http://www.w3.org/2001/XMLSchema-instance"
	nsAsmV3 = "urn:schemas-microsoft-com:asm.v3"
)

// xw appends XML to a byte slice. It writes exactly what it is told: the
// prefixes, the namespace declarations and the "<x />" empty-element form of
// the real documents, with no indentation.
type xw struct {
	b []byte
}

// start writes "<name a="v" …>"; attrs are name, value pairs.
func (w *xw) start(name string, attrs ...string) {
	w.tag(name, attrs)
	w.b = append(w.b, '>')
}

// empty writes "<name a="v" … />".
func (w *xw) empty(name string, attrs ...string) {
	w.tag(name, attrs)
	w.b = append(w.b, " />"...)
}

// end writes "</name>".
func (w *xw) end(name string) {
	w.b = append(w.b, "</"...)
	w.b = append(w.b, name...)
	w.b = append(w.b, '>')
}

// elem writes "<name>text</name>".
func (w *xw) elem(name, text string) {
	w.start(name)
	w.text(text)
	w.end(name)
}

func (w *xw) tag(name string, attrs []string) {
	w.b = append(w.b, '<')
	w.b = append(w.b, name...)
	for i := 0; i+1 < len(attrs); i += 2 {
		w.b = append(w.b, ' ')
		w.b = append(w.b, attrs[i]...)
		w.b = append(w.b, `="`...)
		w.b = appendEscaped(w.b, attrs[i+1], true)
		w.b = append(w.b, '"')
	}
}

// text writes escaped character data.
func (w *xw) text(s string) { w.b = appendEscaped(w.b, s, false) }

// appendEscaped escapes s for element content or, when attr is set, for a
// double-quoted attribute value (where tab, CR and LF must be character
// references to survive attribute-value normalization).
func appendEscaped(b []byte, s string, attr bool) []byte {
	last := 0
	for i := 0; i < len(s); i++ {
		var esc string
		switch c := s[i]; c {
		case '&':
			esc = "&amp;"
		case '<':
			esc = "&lt;"
		case '>':
			esc = "&gt;"
		case '"':
			if !attr {
				continue
			}
			esc = "&quot;"
		case '\t', '\n', '\r':
			if !attr {
				continue
			}
			esc = "&#x" + strconv.FormatInt(int64(c), 16) + ";"
		default:
			continue
		}
		b = append(b, s[last:i]...)
		b = append(b, esc...)
		last = i + 1
	}
	return append(b, s[last:]...)
}

// itoa is strconv.Itoa, short because attribute lists use it a lot.
func itoa(n int) string { return strconv.Itoa(n) }
