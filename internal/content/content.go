// Package content stores update files by SHA-1 digest and serves them over
// HTTP the way the WSUS update content directory (/Content) and self-update
// content directory (/SelfUpdate) do [MS-WUSP §2.2.2.5, §3.1.5.1].
// Implementations live in sub-packages (content/disk); the resumable HTTP
// client is content/download.
package content

import (
	"context"
	"io"
	"time"
)

// SHA1Size and SHA256Size are the digest lengths in bytes. FileDigest is a
// SHA-1 [MS-WUSP §2.2.2.2.6]; AdditionalDigest SHA256 is checked by Windows 8
// and later [MS-WUSP §7 note 26].
const (
	SHA1Size   = 20
	SHA256Size = 32
)

// UnknownSize is the Digests.Size (and Put size) meaning "do not check the length".
const UnknownSize = -1

// Digests is what update metadata says about one file. SHA1 is required;
// SHA256 is checked when not empty; Size is checked when >= 0 (use
// UnknownSize otherwise: the zero value means an empty file).
type Digests struct {
	SHA1   []byte
	SHA256 []byte
	Size   int64
}

// Info describes a stored file.
type Info struct {
	SHA1    []byte    // 20 bytes
	Ext     string    // file extension as stored, with its leading dot, or ""
	Size    int64     // length in bytes
	ModTime time.Time // served as Last-Modified
}

// File is an open stored file; the caller closes it. Several Files for the
// same digest may be open at once, as Delivery Optimization reads shuffled
// ranges over up to 7 connections (protocol-wusp.md §9.2).
type File struct {
	io.ReadSeekCloser
	Info
}

// Store is the content store consumed by the /Content handler and by import
// and upstream sync. Every method that takes a digest returns a
// *patchbay.Error with code patchbay.EInvalid for a digest that is not 20
// bytes, and patchbay.ENotFound when the file is absent (except Has and Put).
type Store interface {
	// Put stores the bytes of r under sha1 after checking SHA-1, SHA-256
	// (when not empty) and size (when >= 0); a mismatch stores nothing and
	// returns patchbay.EInvalid. Put of a file already present and intact
	// is a no-op that does not read r.
	Put(ctx context.Context, sha1, sha256 []byte, size int64, ext string, r io.Reader) error
	// Open opens the file for reading.
	Open(ctx context.Context, sha1 []byte) (*File, error)
	// Stat describes the file.
	Stat(ctx context.Context, sha1 []byte) (Info, error)
	// Has reports whether the file is present.
	Has(ctx context.Context, sha1 []byte) (bool, error)
	// Delete removes the file.
	Delete(ctx context.Context, sha1 []byte) error
	// Walk calls fn for every stored file, folder by folder, and stops at
	// the first error fn returns, which Walk returns. Files in transit
	// (temporary or partial) are not reported.
	Walk(ctx context.Context, fn func(Info) error) error
}
