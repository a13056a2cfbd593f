package soap

import (
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/google/go-cmp/cmp"

	"patchbay/internal/soap/soaptest"
)

var update = flag.Bool("update", false, "rewrite golden files")

// TestFaultGolden writes the WSUS-shaped fault (modelled on the real
// wsus-m0/000141 answer) in both versions and compares with the goldens.
func TestFaultGolden(t *testing.T) {
	f := &Fault{
		Code:   CodeClient,
		String: FaultString,
		Detail: &Detail{
			ErrorCode: "InvalidParameters",
			Message:   "parameters.InstalledNonLeafUpdateIDs",
			ID:        "81418b4e-82c1-48d0-9504-da01db6148ae",
			Method:    `"http://www.microsoft.com/SoftwareDistribution/Server/ClientWebService/SyncUpdates"`,
		},
	}
	for _, tc := range []struct {
		v    Version
		file string
	}{{V11, "fault-11.golden.xml"}, {V12, "fault-12.golden.xml"}} {
		t.Run(tc.v.String(), func(t *testing.T) {
			got, err := MarshalEnvelope(tc.v, f)
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", "golden", tc.file)
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			soaptest.EqualXML(t, got, want)
			back, err := DecodeFault(got)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(f, back); diff != "" {
				t.Errorf("DecodeFault(MarshalEnvelope(f)) mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestFaultDefaults(t *testing.T) {
	b, err := MarshalEnvelope(V11, &Fault{})
	if err != nil {
		t.Fatal(err)
	}
	want := `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema"><soap:Body><soap:Fault><faultcode>soap:Server</faultcode><faultstring>Fault occurred</faultstring></soap:Fault></soap:Body></soap:Envelope>`
	if string(b) != want {
		t.Errorf("MarshalEnvelope(&Fault{}) =\n%s\nwant\n%s", b, want)
	}
	f := NewFault(CodeServer, InternalServerError, "a <b> & c")
	if !regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`).MatchString(f.Detail.ID) {
		t.Errorf("NewFault ID = %q, want a v4 GUID", f.Detail.ID)
	}
	if NewID() == NewID() {
		t.Error("NewID repeats")
	}
	b, _ = MarshalEnvelope(V11, f)
	back, err := DecodeFault(b)
	if err != nil || back.Detail.Message != "a <b> & c" || back.ErrorCode() != InternalServerError {
		t.Errorf("escaping round trip = %+v, %v", back, err)
	}
	if got, want := f.Error(), "soap fault Server: InternalServerError: a <b> & c (id "+f.Detail.ID+")"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

// TestDecodeFaultShapes reads the fault shapes in testdata: SOAP 1.1 as
// WSUS sends it, and SOAP 1.2 with the unqualified Detail of MS-WSUSSS
// §2.2.9.2 and a subcode.
func TestDecodeFaultShapes(t *testing.T) {
	tests := []struct {
		file string
		want *Fault
	}{
		{"fault-11.xml", &Fault{Code: CodeClient, String: "Fault occurred", Detail: &Detail{
			ErrorCode: "InvalidParameters", Message: "parameters.X", ID: "00000000-0000-4000-8000-000000000000", Method: `"urn:a/B"`}}},
		{"fault-12.xml", &Fault{Code: CodeServer, String: "Fault occurred", Detail: &Detail{
			ErrorCode: "InternalServerError", ID: "00000000-0000-4000-8000-000000000001"}}},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			got, err := DecodeFault(readTestdata(t, tc.file))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("DecodeFault mismatch (-want +got):\n%s", diff)
			}
		})
	}
	if _, err := DecodeFault(readTestdata(t, "getconfig-11.xml")); err == nil {
		t.Error("DecodeFault(non-fault) succeeded")
	}
}
