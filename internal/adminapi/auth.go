package adminapi

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"patchbay"
)

// TokenFile is the name of the admin token file in the server's data
// directory.
const TokenFile = "admin.token"

// minTokenLen is the shortest token accepted from a token file; a generated
// one has 43 characters (256 random bits).
const minTokenLen = 16

// authenticate checks the request's bearer token against the server's in
// constant time. It returns EUnauthorized when the header is missing,
// malformed or wrong.
func (s *Server) authenticate(r *http.Request) error {
	h := r.Header.Get("Authorization")
	if h == "" {
		return patchbay.Errorf(patchbay.EUnauthorized, "missing Authorization: Bearer token (the admin token is in %s in the server's data directory)", TokenFile)
	}
	scheme, tok, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(tok) == "" {
		return patchbay.Errorf(patchbay.EUnauthorized, "the Authorization header must be Bearer TOKEN")
	}
	if s.token == "" {
		return patchbay.Errorf(patchbay.EUnauthorized, "the server has no admin token, so the API is disabled (see the server log)")
	}
	if !equalTokens(strings.TrimSpace(tok), s.token) {
		return patchbay.Errorf(patchbay.EUnauthorized, "wrong admin token")
	}
	return nil
}

// equalTokens compares hashes, so that neither the content nor the length
// of the server's token leaks through timing.
func equalTokens(a, b string) bool {
	ha, hb := sha256.Sum256([]byte(a)), sha256.Sum256([]byte(b))
	return subtle.ConstantTimeCompare(ha[:], hb[:]) == 1
}

// LoadOrCreateToken returns the admin token kept in dir/admin.token,
// generating a random one (mode 0600) when the file does not exist; created
// reports that. An existing file readable by others is narrowed to 0600.
// Administrators may write their own token (16 characters or more) into the
// file before the server starts.
func LoadOrCreateToken(dir string) (token string, created bool, err error) {
	path := filepath.Join(dir, TokenFile)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	switch {
	case err == nil:
		var b [32]byte
		rand.Read(b[:])
		token = base64.RawURLEncoding.EncodeToString(b[:])
		_, werr := f.WriteString(token + "\n")
		if cerr := f.Close(); werr == nil {
			werr = cerr
		}
		if werr != nil {
			os.Remove(path)
			return "", false, fmt.Errorf("write admin token %s: %w", path, werr)
		}
		return token, true, nil
	case !errors.Is(err, fs.ErrExist):
		return "", false, fmt.Errorf("create admin token %s: %w", path, err)
	}
	if fi, err := os.Stat(path); err == nil && fi.Mode().Perm()&0o077 != 0 {
		if err := os.Chmod(path, 0o600); err != nil {
			return "", false, fmt.Errorf("admin token %s is readable by others and cannot be made private: %w", path, err)
		}
	}
	token, err = ReadToken(dir)
	return token, false, err
}

// ReadToken returns the admin token in dir/admin.token. It fails with a
// message naming the file when it is missing, unreadable, empty or too short.
func ReadToken(dir string) (string, error) {
	path := filepath.Join(dir, TokenFile)
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("read admin token: %w", err)
	}
	tok := strings.TrimSpace(string(b))
	if len(tok) < minTokenLen || strings.ContainsAny(tok, " \t\r\n") {
		return "", fmt.Errorf("admin token %s must be one line of at least %d characters; delete it to have the server generate one", path, minTokenLen)
	}
	return tok, nil
}
