package soaptest

import "testing"

func TestCanonical(t *testing.T) {
	base := `<s:Envelope xmlns:s="urn:env"><s:Body><Op xmlns="urn:op" a="1" b="2"><x>text</x><code>s:Client</code></Op></s:Body></s:Envelope>`
	tests := []struct {
		name  string
		other string
		equal bool
	}{
		{"identical", base, true},
		{"other prefixes and declaration", `<?xml version="1.0"?><e:Envelope xmlns:e="urn:env" xmlns:o="urn:op"><e:Body><o:Op b="2" a="1"><o:x>text</o:x><o:code>e:Client</o:code></o:Op></e:Body></e:Envelope>`, true},
		{"white space between elements and comments", "<s:Envelope xmlns:s=\"urn:env\">\n  <s:Body><!-- c --><Op xmlns=\"urn:op\" a=\"1\" b=\"2\">\n<x>text</x><code>s:Client</code></Op></s:Body>\n</s:Envelope>", true},
		{"different namespace", `<s:Envelope xmlns:s="urn:env"><s:Body><Op xmlns="urn:other" a="1" b="2"><x>text</x><code>s:Client</code></Op></s:Body></s:Envelope>`, false},
		{"different text", `<s:Envelope xmlns:s="urn:env"><s:Body><Op xmlns="urn:op" a="1" b="2"><x>text </x><code>s:Client</code></Op></s:Body></s:Envelope>`, false},
		{"different attribute", `<s:Envelope xmlns:s="urn:env"><s:Body><Op xmlns="urn:op" a="1" b="3"><x>text</x><code>s:Client</code></Op></s:Body></s:Envelope>`, false},
		{"QName value in another namespace", `<s:Envelope xmlns:s="urn:env" xmlns:t="urn:t"><s:Body><Op xmlns="urn:op" a="1" b="2"><x>text</x><code>t:Client</code></Op></s:Body></s:Envelope>`, false},
		{"element order", `<s:Envelope xmlns:s="urn:env"><s:Body><Op xmlns="urn:op" a="1" b="2"><code>s:Client</code><x>text</x></Op></s:Body></s:Envelope>`, false},
	}
	want, err := Canonical([]byte(base))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Canonical([]byte(tc.other))
			if err != nil {
				t.Fatal(err)
			}
			if (got == want) != tc.equal {
				t.Errorf("Canonical equal = %v, want %v\n%s\n%s", got == want, tc.equal, got, want)
			}
		})
	}
	EqualXML(t, []byte(base), []byte(tests[1].other))
	a, _ := Canonical([]byte(`<a><b/></a>`))
	b, _ := Canonical([]byte(`<a><b></b></a>`))
	if a != b {
		t.Errorf("self-closing and empty elements differ:\n%s\n%s", a, b)
	}
	for _, bad := range []string{"", "  ", "<a>", "<a></b>"} {
		if _, err := Canonical([]byte(bad)); err == nil {
			t.Errorf("Canonical(%q) succeeded", bad)
		}
	}
}
