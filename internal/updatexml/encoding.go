package updatexml

import (
	"bytes"
	"encoding/binary"
	"errors"
	"unicode/utf16"
	"unicode/utf8"
)

// toUTF8 returns data as UTF-8 without a byte-order mark. It recognises a
// UTF-8 BOM, a UTF-16LE/BE BOM, and BOM-less UTF-16 by the zero byte next to
// the first character (MS-WSUSSS blobs are UTF-16LE without BOM, see
// protocol-wsusss.md §12). Bytes that are already UTF-8 are returned as is,
// even when their XML declaration says utf-16 (.NET writes such text).
func toUTF8(data []byte) ([]byte, error) {
	switch {
	case bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}):
		data = data[3:]
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}):
		return fromUTF16(data[2:], binary.LittleEndian)
	case bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		return fromUTF16(data[2:], binary.BigEndian)
	case len(data) >= 2 && data[0] != 0 && data[1] == 0:
		return fromUTF16(data, binary.LittleEndian)
	case len(data) >= 2 && data[0] == 0 && data[1] != 0:
		return fromUTF16(data, binary.BigEndian)
	}
	if !utf8.Valid(data) {
		return nil, errors.New("invalid UTF-8")
	}
	return data, nil
}

func fromUTF16(data []byte, order binary.ByteOrder) ([]byte, error) {
	if len(data)%2 != 0 {
		return nil, errors.New("odd number of bytes in UTF-16 text")
	}
	u := make([]uint16, len(data)/2)
	for i := range u {
		u[i] = order.Uint16(data[2*i:])
	}
	out := make([]byte, 0, len(u)+len(u)/4)
	for i := 0; i < len(u); i++ {
		r := rune(u[i])
		switch {
		case utf16.IsSurrogate(r):
			if i+1 >= len(u) {
				return nil, errors.New("unpaired surrogate in UTF-16 text")
			}
			r = utf16.DecodeRune(r, rune(u[i+1]))
			if r == utf8.RuneError {
				return nil, errors.New("unpaired surrogate in UTF-16 text")
			}
			i++
		case r == 0:
			return nil, errors.New("NUL character in UTF-16 text")
		}
		out = utf8.AppendRune(out, r)
	}
	return out, nil
}
