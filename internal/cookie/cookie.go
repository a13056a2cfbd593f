// Package cookie seals and opens the opaque cookies Patchbay hands to clients
// and downstream servers (MS-WUSP §2.2.3.4 AuthorizationCookie, §2.2.3.5
// Cookie; MS-WSUSSS §2.2.4 Cookie). A cookie is AES-256-GCM over a JSON
// payload, so clients cannot read or forge it, and every front-end that
// shares the key (docs/architecture.md, Scale-out) can open it.
package cookie

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// KeySize is the length of a sealing key: AES-256.
const KeySize = 32

// version prefixes every sealed cookie so the format can change later.
const version = 1

// ErrInvalid is returned by Open for data that was not sealed with this key
// (tampered, truncated, from another server, or not a cookie at all).
var ErrInvalid = errors.New("cookie is not valid for this server")

// Sealer seals values into cookies and opens them. It is safe for concurrent use.
type Sealer struct {
	aead cipher.AEAD
	// purpose is bound into every cookie as additional data, so a cookie
	// sealed for one purpose (say an authorization cookie) cannot be replayed
	// as another (a sync cookie).
	purpose []byte
}

// New returns a Sealer for key (KeySize bytes) and purpose.
func New(key []byte, purpose string) (*Sealer, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("cookie key is %d bytes, want %d", len(key), KeySize)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Sealer{aead: aead, purpose: []byte(purpose)}, nil
}

// Seal encodes v as JSON and seals it: version byte, nonce, ciphertext.
func (s *Sealer) Seal(v any) ([]byte, error) {
	plain, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encode cookie: %w", err)
	}
	out := make([]byte, 1+s.aead.NonceSize(), 1+s.aead.NonceSize()+len(plain)+s.aead.Overhead())
	out[0] = version
	if _, err := rand.Read(out[1:]); err != nil {
		return nil, err
	}
	return s.aead.Seal(out, out[1:1+s.aead.NonceSize()], plain, s.purpose), nil
}

// Open authenticates data and decodes its payload into v. Any failure is
// ErrInvalid: callers answer with the protocol's invalid-cookie fault.
func (s *Sealer) Open(data []byte, v any) error {
	n := s.aead.NonceSize()
	if len(data) < 1+n+s.aead.Overhead() || data[0] != version {
		return ErrInvalid
	}
	plain, err := s.aead.Open(nil, data[1:1+n], data[1+n:], s.purpose)
	if err != nil {
		return ErrInvalid
	}
	if err := json.Unmarshal(plain, v); err != nil {
		return ErrInvalid
	}
	return nil
}

// LoadOrCreateKey reads the key file at path, creating it with a fresh random
// key (mode 0600) when it does not exist. Front-ends that share a database
// must share this file (or its contents) to accept each other's cookies.
func LoadOrCreateKey(path string) ([]byte, error) {
	key, err := os.ReadFile(path)
	switch {
	case err == nil:
		if len(key) != KeySize {
			return nil, fmt.Errorf("cookie key %s is %d bytes, want %d", path, len(key), KeySize)
		}
		return key, nil
	case !errors.Is(err, os.ErrNotExist):
		return nil, fmt.Errorf("read cookie key: %w", err)
	}
	key = make([]byte, KeySize)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".cookie-key-*")
	if err != nil {
		return nil, fmt.Errorf("create cookie key: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(key); err != nil {
		tmp.Close()
		return nil, fmt.Errorf("write cookie key: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return nil, fmt.Errorf("write cookie key: %w", err)
	}
	// Link rather than rename so that two processes racing to create the key
	// agree on one: the loser reads the winner's.
	if err := os.Link(tmp.Name(), path); err != nil {
		if errors.Is(err, os.ErrExist) {
			return LoadOrCreateKey(path)
		}
		return nil, fmt.Errorf("install cookie key: %w", err)
	}
	return key, nil
}
