package cab

import (
	"bytes"
	"compress/flate"
	"errors"
	"fmt"
	"io"
)

// mszipDecoder decodes MSZIP CFDATA blocks (MS-MCI §2): each block is the
// signature "CK" and a complete deflate stream (RFC 1951) of at most 32 KB of
// output, whose back-references may reach into the previous block's output.
type mszipDecoder struct {
	fr   io.ReadCloser
	src  bytes.Reader
	dict []byte // previous block's output, at most 32 KB
	out  []byte
}

const mszipWindow = 32768

func (m *mszipDecoder) decode(data []byte, uncomp int) ([]byte, error) {
	if len(data) < 2 || data[0] != 'C' || data[1] != 'K' {
		return nil, fmt.Errorf("missing CK signature: %w", ErrFormat)
	}
	m.src.Reset(data[2:])
	if m.fr == nil {
		m.fr = flate.NewReaderDict(&m.src, m.dict)
	} else if err := m.fr.(flate.Resetter).Reset(&m.src, m.dict); err != nil {
		return nil, err
	}
	// Reset copied the dictionary, so out may be reused freely.
	if cap(m.out) < uncomp {
		m.out = make([]byte, uncomp)
	}
	out := m.out[:uncomp]
	if _, err := io.ReadFull(m.fr, out); err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, fmt.Errorf("deflate data shorter than cbUncomp %d: %w", uncomp, ErrFormat)
		}
		return nil, fmt.Errorf("deflate: %v: %w", err, ErrFormat)
	}
	m.dict = append(m.dict[:0], out[max(0, len(out)-mszipWindow):]...)
	return out, nil
}
