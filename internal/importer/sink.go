package importer

import (
	"context"
	"io"

	"patchbay/internal/content"
	"patchbay/internal/store"
)

// ContentIndex records which content files the server holds.
type ContentIndex interface {
	PutContent(ctx context.Context, c store.Content) error
}

// RecordedSink is a ContentSink that stores each file through Files and
// then records it in Index, so the server knows its content is present.
type RecordedSink struct {
	Files ContentSink
	Index ContentIndex
}

// Put stores the file, then records it.
func (s RecordedSink) Put(ctx context.Context, sha1, sha256 []byte, size int64, ext string, r io.Reader) error {
	if err := s.Files.Put(ctx, sha1, sha256, size, ext, r); err != nil {
		return err
	}
	return s.Index.PutContent(ctx, store.Content{SHA1: sha1, SHA256: sha256, Size: size, Path: content.Name(sha1, ext), Present: true})
}
