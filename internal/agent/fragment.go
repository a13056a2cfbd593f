package agent

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
)

// Update types of a Core fragment's Properties/@UpdateType (MS-WUSP §3.1.1).
const (
	TypeSoftware  = "Software"
	TypeDriver    = "Driver"
	TypeCategory  = "Category"
	TypeDetectoid = "Detectoid"
)

// coreInfo is what the agent reads from a Core fragment (MS-WUSP §3.1.1.1):
// the identity, the update type and the bundled updates. Fragments are
// lists of elements, not documents, and may carry their own namespace
// declarations (protocol-wusp.md trap 32): they are read under a synthetic
// root, matching on local names only.
type coreInfo struct {
	UpdateID       string
	RevisionNumber int32
	UpdateType     string
	Bundled        []string // UpdateIDs of BundledUpdates, lower case
	Supersedes     []string // UpdateIDs of SupersededUpdates, lower case
}

// parseCore reads a Core fragment.
func parseCore(frag []byte) (coreInfo, error) {
	var ci coreInfo
	var stack []string
	err := walkFragment(frag, func(se xml.StartElement) {
		stack = append(stack, local(se.Name))
		switch local(se.Name) {
		case "UpdateIdentity":
			if len(stack) == 1 {
				ci.UpdateID = strings.ToLower(attr(se, "UpdateID"))
				n, _ := strconv.Atoi(attr(se, "RevisionNumber"))
				ci.RevisionNumber = int32(n)
			} else if slices.Contains(stack, "BundledUpdates") {
				ci.Bundled = append(ci.Bundled, strings.ToLower(attr(se, "UpdateID")))
			} else if slices.Contains(stack, "SupersededUpdates") {
				ci.Supersedes = append(ci.Supersedes, strings.ToLower(attr(se, "UpdateID")))
			}
		case "Properties":
			if len(stack) == 1 {
				ci.UpdateType = attr(se, "UpdateType")
			}
		}
	}, func() { stack = stack[:len(stack)-1] }, nil)
	if err != nil {
		return ci, err
	}
	if ci.UpdateID == "" {
		return ci, fmt.Errorf("core fragment has no UpdateIdentity")
	}
	if ci.UpdateType == "" {
		ci.UpdateType = TypeSoftware
	}
	return ci, nil
}

// File is one Files/File of an Extended fragment (MS-WUSP §3.1.1.1): the
// SHA-1 Digest and the SHA-256 AdditionalDigest that Windows 8 and later
// require (§7 note 26).
type File struct {
	Name   string `json:"name"`
	SHA1   []byte `json:"sha1"`
	SHA256 []byte `json:"sha256,omitempty"`
	Size   int64  `json:"size"`
}

// ReturnCode maps an installer exit code to a result (the
// CommandLineInstallation handler's ReturnCode element).
type ReturnCode struct {
	Code   int    `json:"code"`
	Result string `json:"result"` // Succeeded, Failed, Cancelled
	Reboot bool   `json:"reboot,omitempty"`
}

// InstallCommand is the CommandLineInstallation handler data of an
// Extended fragment's HandlerSpecificData.
type InstallCommand struct {
	Program         string       `json:"program"`
	Arguments       string       `json:"arguments,omitempty"`
	RebootByDefault bool         `json:"rebootByDefault,omitempty"`
	DefaultResult   string       `json:"defaultResult,omitempty"`
	ReturnCodes     []ReturnCode `json:"returnCodes,omitempty"`
}

// extendedInfo is what the agent reads from an Extended fragment.
type extendedInfo struct {
	Handler     string // HandlerSpecificData/@type, e.g. "cmd:CommandLineInstallation"
	Files       []File
	Install     *InstallCommand
	Uninstall   *InstallCommand
	MaxDownload int64
}

// parseExtended reads an Extended fragment: ExtendedProperties (WSUS's name
// for Properties, protocol-wusp.md trap 31), Files/File and the handler's
// InstallCommand/UninstallCommand with their ReturnCode mappings.
func parseExtended(frag []byte) (extendedInfo, error) {
	var ei extendedInfo
	var cur *File
	var cmd *InstallCommand
	var text strings.Builder
	inDigest := false
	err := walkFragment(frag, func(se xml.StartElement) {
		switch local(se.Name) {
		case "ExtendedProperties", "Properties":
			ei.MaxDownload, _ = strconv.ParseInt(attr(se, "MaxDownloadSize"), 10, 64)
		case "File":
			f := File{Name: attr(se, "FileName")}
			f.SHA1, _ = base64.StdEncoding.DecodeString(attr(se, "Digest"))
			f.Size, _ = strconv.ParseInt(attr(se, "Size"), 10, 64)
			ei.Files = append(ei.Files, f)
			cur = &ei.Files[len(ei.Files)-1]
		case "AdditionalDigest":
			inDigest = cur != nil && strings.EqualFold(attr(se, "Algorithm"), "SHA256")
			text.Reset()
		case "HandlerSpecificData":
			ei.Handler = attr(se, "type")
		case "InstallCommand", "UninstallCommand":
			c := &InstallCommand{Program: attr(se, "Program"), Arguments: attr(se, "Arguments"),
				RebootByDefault: attr(se, "RebootByDefault") == "true", DefaultResult: attr(se, "DefaultResult")}
			if local(se.Name) == "InstallCommand" {
				ei.Install = c
			} else {
				ei.Uninstall = c
			}
			cmd = c
		case "ReturnCode":
			if cmd != nil {
				code, err := strconv.Atoi(attr(se, "Code"))
				if err == nil {
					cmd.ReturnCodes = append(cmd.ReturnCodes, ReturnCode{Code: code, Result: attr(se, "Result"), Reboot: attr(se, "Reboot") == "true"})
				}
			}
		}
	}, func() {
		if inDigest {
			cur.SHA256, _ = base64.StdEncoding.DecodeString(strings.TrimSpace(text.String()))
			inDigest = false
		}
	}, func(b []byte) {
		if inDigest {
			text.Write(b)
		}
	})
	return ei, err
}

// localizedTitle returns the Title of a LocalizedProperties fragment and
// its Language.
func localizedTitle(frag []byte) (title, lang string) {
	var field string
	walkFragment(frag, func(se xml.StartElement) { field = local(se.Name) }, func() { field = "" }, func(b []byte) {
		switch field {
		case "Title":
			title += string(b)
		case "Language":
			lang += string(b)
		}
	})
	return strings.TrimSpace(title), strings.TrimSpace(lang)
}

// walkFragment parses a fragment under a synthetic root and calls start for
// each element, end after each element and chars for character data. The
// decoder is not strict: undeclared prefixes (b., cmd:) are accepted.
func walkFragment(frag []byte, start func(xml.StartElement), end func(), chars func([]byte)) error {
	r := io.MultiReader(strings.NewReader("<r>"), bytes.NewReader(frag), strings.NewReader("</r>"))
	d := xml.NewDecoder(r)
	d.Strict = false
	depth := 0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("parse fragment: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			if depth > 1 && start != nil {
				start(t)
			}
		case xml.EndElement:
			if depth > 1 && end != nil {
				end()
			}
			depth--
		case xml.CharData:
			if depth > 1 && chars != nil {
				chars(t)
			}
		}
	}
}

// local returns the local name of n without a "b."-style or "cmd:"-style
// prefix.
func local(n xml.Name) string {
	s := n.Local
	if i := strings.LastIndexAny(s, ":"); i >= 0 {
		s = s[i+1:]
	}
	return s
}

func attr(se xml.StartElement, name string) string {
	for _, a := range se.Attr {
		if a.Name.Local == name || strings.HasSuffix(a.Name.Local, ":"+name) {
			return a.Value
		}
	}
	return ""
}
