package patchbay

import "testing"

func TestParseGUID(t *testing.T) {
	for in, want := range map[string]string{
		"e1da06a3-5601-43c9-bac3-52d5db701494":   "e1da06a3-5601-43c9-bac3-52d5db701494",
		" A2FEF9B0-7951-4C2C-A42B-9E351DD1C1FE ": "a2fef9b0-7951-4c2c-a42b-9e351dd1c1fe",
		"{4d36e979-e325-11ce-bfc1-08002be10318}": "4d36e979-e325-11ce-bfc1-08002be10318",
		"e1da06a3560143c9bac352d5db701494":       "",
		"e1da06a3-5601-43c9-bac3-52d5db70149g":   "",
		"e1da06a3-5601-43c9-bac3_52d5db701494":   "",
		"{e1da06a3-5601-43c9-bac3-52d5db701494":  "",
		"":                                       "",
	} {
		got, ok := ParseGUID(in)
		if got != want || ok != (want != "") {
			t.Errorf("ParseGUID(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
}
