package cookie

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

type payload struct {
	ClientID string
	Groups   []string
	Expires  time.Time
}

func testKey(b byte) []byte { return bytes.Repeat([]byte{b}, KeySize) }

func TestSealOpen(t *testing.T) {
	s, err := New(testKey(1), "auth")
	if err != nil {
		t.Fatal(err)
	}
	in := payload{ClientID: "c1", Groups: []string{"Pilot"}, Expires: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	data, err := s.Seal(in)
	if err != nil {
		t.Fatal(err)
	}
	var out payload
	if err := s.Open(data, &out); err != nil {
		t.Fatal(err)
	}
	if out.ClientID != in.ClientID || !out.Expires.Equal(in.Expires) || len(out.Groups) != 1 {
		t.Errorf("Open = %+v, want %+v", out, in)
	}
	if bytes.Contains(data, []byte("c1")) || bytes.Contains(data, []byte("Pilot")) {
		t.Error("sealed cookie shows its payload")
	}
}

func TestOpenRejects(t *testing.T) {
	s, _ := New(testKey(1), "auth")
	other, _ := New(testKey(2), "auth")
	otherPurpose, _ := New(testKey(1), "sync")
	data, _ := s.Seal(payload{ClientID: "c1"})
	tampered := bytes.Clone(data)
	tampered[len(tampered)-1] ^= 1
	tests := map[string][]byte{
		"empty":     nil,
		"short":     data[:10],
		"tampered":  tampered,
		"version":   append([]byte{9}, data[1:]...),
		"truncated": data[:len(data)-1],
	}
	for name, d := range tests {
		if err := s.Open(d, new(payload)); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: Open = %v, want ErrInvalid", name, err)
		}
	}
	if err := other.Open(data, new(payload)); !errors.Is(err, ErrInvalid) {
		t.Errorf("other key: Open = %v", err)
	}
	if err := otherPurpose.Open(data, new(payload)); !errors.Is(err, ErrInvalid) {
		t.Errorf("other purpose: Open = %v", err)
	}
}

func TestLoadOrCreateKey(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cookie.key")
	var wg sync.WaitGroup
	keys := make([][]byte, 8)
	for i := range keys {
		wg.Go(func() {
			k, err := LoadOrCreateKey(path)
			if err != nil {
				t.Error(err)
			}
			keys[i] = k
		})
	}
	wg.Wait()
	for _, k := range keys[1:] {
		if !bytes.Equal(k, keys[0]) {
			t.Fatal("racing creators got different keys")
		}
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("key file mode = %v, %v", fi.Mode(), err)
	}
	os.WriteFile(path, []byte("short"), 0o600)
	if _, err := LoadOrCreateKey(path); err == nil {
		t.Error("short key accepted")
	}
	if _, err := New([]byte("short"), "x"); err == nil {
		t.Error("New accepted a short key")
	}
}
