package schemacheck

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// wsdlDir is the shared specification folder; tests that read it skip when
// it is absent (they are conformance tests).
const wsdlDir = "../../../shared/spec/wsdl"

func newValidator(t *testing.T) *Validator {
	t.Helper()
	if _, err := os.Stat(wsdlDir); err != nil {
		t.Skip("conformance test: ../shared/spec/wsdl is absent")
	}
	paths, _ := filepath.Glob(filepath.Join(wsdlDir, "wusp-*.wsdl"))
	v, err := New(t.TempDir(), paths...)
	if errors.Is(err, ErrNoValidator) {
		if os.Getenv("CI") == "true" {
			t.Fatal("xmllint is required in CI")
		}
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestRealResponsesValidate proves the repaired schemas accept what a real
// WSUS sent, so that a failure on our own output means our output is wrong.
func TestRealResponsesValidate(t *testing.T) {
	v := newValidator(t)
	bodies, _ := filepath.Glob("../../../shared/data/real/wsus-rs/wsus-m0-native/*/*/response.body")
	if len(bodies) == 0 {
		t.Skip("no captures")
	}
	for _, path := range bodies {
		data, _ := os.ReadFile(path)
		elem, fault, err := BodyElement(data)
		if err != nil {
			t.Errorf("%s: %v", path, err)
			continue
		}
		if fault {
			continue
		}
		if err := v.Validate(elem); err != nil {
			t.Errorf("%s: %v", path, err)
		}
	}
}

func TestInvalidIsRejected(t *testing.T) {
	v := newValidator(t)
	good := `<GetConfigResponse xmlns="http://www.microsoft.com/SoftwareDistribution/Server/ClientWebService"><GetConfigResult><LastChange>2026-10-04T13:17:07.59Z</LastChange><IsRegistrationRequired>true</IsRegistrationRequired></GetConfigResult></GetConfigResponse>`
	if err := v.Validate([]byte(good)); err != nil {
		t.Fatalf("valid element rejected: %v", err)
	}
	// Wrong order: IsRegistrationRequired before LastChange.
	bad := `<GetConfigResponse xmlns="http://www.microsoft.com/SoftwareDistribution/Server/ClientWebService"><GetConfigResult><IsRegistrationRequired>true</IsRegistrationRequired><LastChange>2026-10-04T13:17:07.59Z</LastChange></GetConfigResult></GetConfigResponse>`
	if err := v.Validate([]byte(bad)); err == nil {
		t.Error("out-of-order element accepted")
	}
	if err := v.Validate([]byte(`<X xmlns="urn:none"/>`)); err == nil || !strings.Contains(err.Error(), "no schema") {
		t.Errorf("unknown namespace: %v", err)
	}
}

func TestBodyElement(t *testing.T) {
	env := `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" xmlns:a="urn:a"><s:Body><a:R><a:X/></a:R></s:Body></s:Envelope>`
	elem, fault, err := BodyElement([]byte(env))
	if err != nil || fault {
		t.Fatal(err, fault)
	}
	if got := string(elem); !strings.Contains(got, `xmlns:a="urn:a"`) || !strings.HasPrefix(got, "<a:R") || !strings.HasSuffix(got, "</a:R>") {
		t.Errorf("BodyElement = %s", got)
	}
	_, fault, _ = BodyElement([]byte(`<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault/></s:Body></s:Envelope>`))
	if !fault {
		t.Error("fault not reported")
	}
}
