package text

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"
)

// lexiconBin is the lexicon compiled for loading: lexicon.gz (the
// generator's text, the source) with every lemma already read by Tokens,
// the lemmas that share a key merged and the relations resolved, so that
// opening it is one decompression and a pass over flat arrays rather than
// tokenising 140,000 lemmas (0.7 s and 100 MB of garbage on the first
// question of every process). CompileLexicon writes it; a test checks it
// still matches lexicon.gz under the current Tokens.
//
//go:embed lexicon.bin.gz
var lexiconBin []byte

// lexiconMagic opens a compiled lexicon; the last byte is its version.
const lexiconMagic = "MBLEX\x01"

// CompileLexicon compiles the generator's text lexicon (gzipped, as
// internal/lexicongen writes it) into the gzipped form text embeds as
// lexicon.bin.gz. It is for the generator, and for regenerating that file
// when Tokens changes:
//
//	go run ./internal/lexicongen -compile
func CompileLexicon(src []byte) ([]byte, error) {
	lx, err := parseLexicon(src)
	if err != nil {
		return nil, err
	}
	var raw bytes.Buffer
	raw.WriteString(lexiconMagic)
	var scratch [binary.MaxVarintLen64]byte
	uvarint := func(x uint64) { raw.Write(scratch[:binary.PutUvarint(scratch[:], x)]) }
	uvarint(uint64(len(lx.keys)))
	uvarint(uint64(len(lx.rel)))
	for _, k := range lx.keys {
		uvarint(uint64(len(k)))
		raw.WriteString(k)
	}
	raw.Write(lx.pos)
	raw.Write(lx.cat)
	for i := range lx.keys {
		rel := lx.rel[lx.start[i]:lx.start[i+1]]
		uvarint(uint64(len(rel)))
		for _, r := range rel {
			raw.Write(scratch[:binary.PutVarint(scratch[:], int64(r))])
		}
	}
	var out bytes.Buffer
	zw, err := gzip.NewWriterLevel(&out, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	zw.Header.Comment = "missionbot's English lexicon, compiled from text/lexicon.gz (derived from WordNet 3.0, under its licence, which lexicon.gz carries)"
	if _, err := zw.Write(raw.Bytes()); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// errLexicon marks a compiled lexicon that cannot be read.
var errLexicon = errors.New("compiled lexicon unreadable")

// decodeLexicon reads what CompileLexicon wrote. The keys are substrings
// of one string holding the whole decompressed file, so they cost no
// allocation of their own.
func decodeLexicon(data []byte) (*lexicon, error) {
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errLexicon, err)
	}
	// Decompressed straight into the string the keys are cut from: one
	// copy of the file in memory, not two.
	var sb strings.Builder
	sb.Grow(4 << 20)
	if _, err := io.Copy(&sb, zr); err != nil {
		return nil, fmt.Errorf("%w: %v", errLexicon, err)
	}
	s := sb.String()
	if len(s) < len(lexiconMagic) || s[:len(lexiconMagic)] != lexiconMagic {
		return nil, fmt.Errorf("%w: not a compiled lexicon of this version", errLexicon)
	}
	at := len(lexiconMagic)
	fail := false
	uvarint := func() int {
		x, n := uvarintAt(s, at)
		if n <= 0 || x > uint64(len(s)) {
			fail = true
			return 0
		}
		at += n
		return int(x)
	}
	n, nrel := uvarint(), uvarint()
	if fail {
		return nil, fmt.Errorf("%w: cut short", errLexicon)
	}
	lx := &lexicon{keys: make([]string, n), start: make([]uint32, 1, n+1), rel: make([]int32, 0, nrel)}
	for i := range lx.keys {
		l := uvarint()
		if fail || at+l > len(s) {
			return nil, fmt.Errorf("%w: key %d runs past the end", errLexicon, i)
		}
		lx.keys[i] = s[at : at+l]
		at += l
	}
	if at+2*n > len(s) {
		return nil, fmt.Errorf("%w: cut short", errLexicon)
	}
	lx.pos, lx.cat = []byte(s[at:at+n]), []byte(s[at+n:at+2*n])
	at += 2 * n
	for i := 0; i < n; i++ {
		c := uvarint()
		for range c {
			u, m := uvarintAt(s, at)
			r := int64(u>>1) ^ -int64(u&1) // zigzag, as binary.PutVarint writes
			if m <= 0 || r < -int64(n) || r >= int64(n) {
				return nil, fmt.Errorf("%w: relation of key %d out of range", errLexicon, i)
			}
			at += m
			lx.rel = append(lx.rel, int32(r))
		}
		if fail {
			return nil, fmt.Errorf("%w: cut short", errLexicon)
		}
		lx.start = append(lx.start, uint32(len(lx.rel)))
	}
	if at != len(s) {
		return nil, fmt.Errorf("%w: %d unexpected bytes at the end", errLexicon, len(s)-at)
	}
	return lx, nil
}

// uvarintAt decodes the uvarint at s[at:], as binary.Uvarint does for a
// byte slice: the value and its length, or n ≤ 0 when there is none.
func uvarintAt(s string, at int) (x uint64, n int) {
	var shift uint
	for i := at; i < len(s) && i-at < binary.MaxVarintLen64; i++ {
		b := s[i]
		if b < 0x80 {
			return x | uint64(b)<<shift, i - at + 1
		}
		x |= uint64(b&0x7f) << shift
		shift += 7
	}
	return 0, 0
}
