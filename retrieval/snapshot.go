package retrieval

import (
	"bufio"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"math"
	"missionbot/corpus"
	"missionbot/internal/atomicfile"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"time"
	"unsafe"
)

// Snapshot file layout, version 2. All integers are little-endian; a
// string table of n strings is n uint32 lengths followed by the strings'
// bytes back to back, read as one string that the entries share.
//
//	"MBINDEX\x00"  magic
//	uint32         format version
//	uint32 + JSON  header: embedder, built-at, refresh duration, counts,
//	               dim, the names of the metadata fields, lexical fingerprint
//	metas          string table: header.Metas × the string fields of corpus.Meta
//	chunks         header.Chunks indexed chunks, then header.Dropped folded
//	               ones: string tables of IDs and texts, uint32 meta indexes,
//	               uint32 seqs; then, for the indexed ones, their uint32
//	               positions in order of ID, and uint32 starts (Chunks+1)
//	               into a uint32 list of corroborating meta indexes
//	files          string tables of DocIDs, keys and skip reasons; int64
//	               sizes; int64 modification times (Unix ns); 32-byte sums
//	folds          uint32 copy meta indexes, uint32 into meta indexes
//	vectors        header.Chunks × header.Dim float32, normalised: one flat
//	               block, read in one pass into one array
//	lexical        when header.Lexical is set, the BM25 index: string table
//	               of terms (sorted), uint32 starts, uint32 postings,
//	               float32 lengths, float32 average length
//	uint32         CRC-32C of every byte above
//	uint64         number of bytes above
//	"MBINDEND"     end magic: a file cut short lacks it
//
// Loading is a few large sequential reads: nothing is decoded field by
// field, strings are slices of a few large ones, and the BM25 index is
// read, not rebuilt, when the program that wrote it tokenises as this one
// does (header.Lexical). Version 1 files (see snapshot_v1.go) still load,
// so an upgrade keeps its vectors.
//
// Why not chromem-go's own persistence: NewPersistentDB names files by a
// 32-bit hash (collisions past ~10k documents) and writes them in place;
// ExportToWriter gob-encodes, which loads several times slower than raw
// float32s. One file written aside and renamed in is atomic.
const (
	snapshotName = "index.snapshot"
	// snapshotTmp starts the names of snapshots being written (see
	// atomicfile).
	snapshotTmp     = "." + snapshotName + ".tmp-"
	snapshotMagic   = "MBINDEX\x00"
	snapshotEnd     = "MBINDEND"
	snapshotVersion = 2
	trailerLen      = 4 + 8 + len(snapshotEnd)
	// staleTmpAge is how old a temporary snapshot must be before OpenIndex
	// deletes it as the leftover of a crashed write rather than a write in
	// progress in another process: a write streams without pause, so a
	// temporary file untouched this long belongs to no live writer.
	// Refreshes, which hold the writer lock, remove every one (see
	// Index.RemoveTemps).
	staleTmpAge = 10 * time.Minute
)

// littleEndian is true on machines that store numbers as the snapshot
// does, which lets vectors be read without decoding.
var littleEndian = binary.NativeEndian.Uint16([]byte{1, 0}) == 1

// errSnapshotCorrupt marks a snapshot that exists but cannot be trusted.
var errSnapshotCorrupt = errors.New("snapshot corrupt")

// snapshotHeader is the JSON header of a snapshot.
type snapshotHeader struct {
	Version  int           `json:"version"`
	Embedder EmbedderInfo  `json:"embedder"`
	BuiltAt  time.Time     `json:"built_at"`
	Took     time.Duration `json:"took_ns"`
	Chunks   int           `json:"chunks"`
	Metas    int           `json:"metas"`
	Dim      int           `json:"dim"`
	// Version 2.
	Dropped    int      `json:"dropped,omitempty"`
	Files      int      `json:"files,omitempty"`
	Folds      int      `json:"folds,omitempty"`
	MetaFields []string `json:"meta_fields,omitempty"`
	// Lexical fingerprints the BM25 build that wrote the lexical section
	// (see lexicalFingerprint); empty when there is none.
	Lexical  string `json:"lexical,omitempty"`
	Terms    int    `json:"terms,omitempty"`
	Postings int    `json:"postings,omitempty"`
}

// snapshot is the persisted content of one generation: its header and the
// parts it is built from. In the parts, lex is nil when the file holds no
// BM25 index or one this program would build differently, byID nil when
// unknown; info, builtAt and took are the header's.
type snapshot struct {
	header snapshotHeader
	genParts
}

// snapshotOf is the snapshot that persists g.
func snapshotOf(g *generation) *snapshot {
	return &snapshot{
		header: snapshotHeader{Embedder: g.info, BuiltAt: g.builtAt, Took: g.took, Dim: g.info.Dim},
		genParts: genParts{chunks: g.chunks, vecs: g.vecs, dropped: g.dropped, folds: g.folds,
			files: g.files, lex: g.lex, byID: g.byID},
	}
}

// parts is what a generation is built from when it is loaded from s.
func (s *snapshot) parts() genParts {
	p := s.genParts
	p.info, p.builtAt, p.took = s.header.Embedder, s.header.BuiltAt, s.header.Took
	return p
}

// fileStamp identifies a version of the snapshot file on disk, so a
// process can tell that another one replaced it.
type fileStamp struct {
	size    int64
	modTime time.Time
}

func stampOf(fi os.FileInfo) fileStamp { return fileStamp{size: fi.Size(), modTime: fi.ModTime()} }

// writeSnapshot persists s atomically as dir/index.snapshot (see
// atomicfile: the old snapshot stays valid until the rename) and returns
// the new file's stamp.
func writeSnapshot(ctx context.Context, dir string, s *snapshot) (fileStamp, error) {
	final := filepath.Join(dir, snapshotName)
	f, err := atomicfile.Create(final, 0o644)
	if err != nil {
		return fileStamp{}, fmt.Errorf("write snapshot: %w", err)
	}
	defer f.Abort()
	if err := encodeSnapshot(ctx, f, s); err != nil {
		return fileStamp{}, fmt.Errorf("write snapshot %s: %w", f.Name(), err)
	}
	if err := f.Commit(); err != nil {
		return fileStamp{}, fmt.Errorf("write snapshot: %w", err)
	}
	fi, err := os.Stat(final)
	if err != nil {
		return fileStamp{}, fmt.Errorf("write snapshot: %w", err)
	}
	return stampOf(fi), nil
}

// unixNano stores t, with 0 for the zero time (a file stamped by no
// scan), whose UnixNano is out of range.
func unixNano(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

// fromUnixNano is the inverse of unixNano.
func fromUnixNano(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n)
}

// removeStaleTemps deletes temporary snapshots older than staleTmpAge,
// the leftovers of writes that were killed.
func removeStaleTemps(dir string, now time.Time) []string {
	return atomicfile.RemoveStale(filepath.Join(dir, snapshotName), staleTmpAge, now)
}

// metaFields lists the string fields of corpus.Meta, by index and name:
// the snapshot stores them by name, so a field added to Meta is stored
// without a change here, and a file written before it was added loads
// with the field empty. Meta must have string fields only (asserted by
// TestSnapshotStoresEveryMetaField).
func metaFields() (idx []int, names []string) {
	t := reflect.TypeFor[corpus.Meta]()
	for i := range t.NumField() {
		if f := t.Field(i); f.Type.Kind() == reflect.String && f.IsExported() {
			idx, names = append(idx, i), append(names, f.Name)
		}
	}
	return idx, names
}

// countingWriter hashes and counts what passes through it.
type countingWriter struct {
	w   io.Writer
	crc hash.Hash32
	n   int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.crc.Write(p[:n])
	c.n += int64(n)
	return n, err
}

// snapshotEncoder writes the body of a snapshot through a buffer.
type snapshotEncoder struct {
	bw      *bufio.Writer
	scratch []byte
}

func (e *snapshotEncoder) u32s(n int, at func(i int) uint32) {
	for lo := 0; lo < n; lo += 1 << 14 {
		b := e.scratch[:0]
		for i := lo; i < min(n, lo+1<<14); i++ {
			b = binary.LittleEndian.AppendUint32(b, at(i))
		}
		_, _ = e.bw.Write(b)
	}
}

func (e *snapshotEncoder) u64s(n int, at func(i int) uint64) {
	for lo := 0; lo < n; lo += 1 << 13 {
		b := e.scratch[:0]
		for i := lo; i < min(n, lo+1<<13); i++ {
			b = binary.LittleEndian.AppendUint64(b, at(i))
		}
		_, _ = e.bw.Write(b)
	}
}

func (e *snapshotEncoder) strings(n int, at func(i int) string) {
	e.u32s(n, func(i int) uint32 { return uint32(len(at(i))) })
	for i := range n {
		_, _ = e.bw.WriteString(at(i))
	}
}

func (e *snapshotEncoder) f32s(v []float32) {
	for lo := 0; lo < len(v); lo += 1 << 14 {
		b := e.scratch[:0]
		for _, x := range v[lo:min(len(v), lo+1<<14)] {
			b = binary.LittleEndian.AppendUint32(b, math.Float32bits(x))
		}
		_, _ = e.bw.Write(b)
	}
}

func encodeSnapshot(ctx context.Context, f io.Writer, s *snapshot) error {
	h := s.header
	h.Version = snapshotVersion
	h.Chunks, h.Dropped, h.Files, h.Folds = len(s.chunks), len(s.dropped), len(s.files), len(s.folds)
	if len(s.vecs) != len(s.chunks) {
		return fmt.Errorf("%d vectors for %d chunks", len(s.vecs), len(s.chunks))
	}
	for i, v := range s.vecs {
		if len(v) != h.Dim {
			return fmt.Errorf("%w: vector %d has %d dimensions, the index %d", ErrDimensionMismatch, i, len(v), h.Dim)
		}
	}
	for _, c := range s.chunks {
		if len(c.Text) > math.MaxUint32 {
			return fmt.Errorf("chunk %s is too long to store", c.ID)
		}
	}
	fields, names := metaFields()
	h.MetaFields = names
	metaIdx := map[corpus.Meta]uint32{}
	var metas []corpus.Meta
	intern := func(m corpus.Meta) {
		if _, ok := metaIdx[m]; !ok {
			metaIdx[m] = uint32(len(metas))
			metas = append(metas, m)
		}
	}
	all := append(s.chunks[:len(s.chunks):len(s.chunks)], s.dropped...)
	ncorr := 0
	for _, c := range all {
		intern(c.Meta)
	}
	for _, c := range s.chunks {
		for _, m := range c.Corroborating {
			intern(m)
		}
		ncorr += len(c.Corroborating)
	}
	for _, f := range s.folds {
		intern(f.Copy)
		intern(f.Into)
	}
	h.Metas = len(metas)
	if s.lex != nil && s.lex.n == len(s.chunks) {
		h.Lexical, h.Terms, h.Postings = lexicalFingerprint(), len(s.lex.sorted), len(s.lex.post)
	}
	hj, err := json.Marshal(h)
	if err != nil {
		return fmt.Errorf("encode header: %w", err)
	}

	cw := &countingWriter{w: f, crc: crc32.New(crc32.MakeTable(crc32.Castagnoli))}
	e := &snapshotEncoder{bw: bufio.NewWriterSize(cw, 1<<20), scratch: make([]byte, 0, 1<<16)}
	_, _ = e.bw.WriteString(snapshotMagic)
	_, _ = e.bw.Write(binary.LittleEndian.AppendUint32(nil, snapshotVersion))
	_, _ = e.bw.Write(binary.LittleEndian.AppendUint32(nil, uint32(len(hj))))
	_, _ = e.bw.Write(hj)

	mv := make([]reflect.Value, len(metas))
	for i := range metas {
		mv[i] = reflect.ValueOf(&metas[i]).Elem()
	}
	nf := len(fields)
	e.strings(len(metas)*nf, func(i int) string { return mv[i/nf].Field(fields[i%nf]).String() })
	e.strings(len(all), func(i int) string { return all[i].ID })
	if err := ctx.Err(); err != nil {
		return context.Cause(ctx)
	}
	e.strings(len(all), func(i int) string { return all[i].Text })
	e.u32s(len(all), func(i int) uint32 { return metaIdx[all[i].Meta] })
	e.u32s(len(all), func(i int) uint32 { return uint32(max(all[i].Seq, 0)) })
	byID := s.byID
	if len(byID) != len(s.chunks) {
		byID = make([]int32, len(s.chunks))
		for i := range byID {
			byID[i] = int32(i)
		}
		slices.SortFunc(byID, func(a, b int32) int { return cmp.Compare(s.chunks[a].ID, s.chunks[b].ID) })
	}
	e.u32s(len(byID), func(i int) uint32 { return uint32(byID[i]) })
	starts := make([]uint32, 0, len(s.chunks)+1)
	corr := make([]uint32, 0, ncorr)
	for _, c := range s.chunks {
		starts = append(starts, uint32(len(corr)))
		for _, m := range c.Corroborating {
			corr = append(corr, metaIdx[m])
		}
	}
	starts = append(starts, uint32(len(corr)))
	e.u32s(len(starts), func(i int) uint32 { return starts[i] })
	e.u32s(len(corr), func(i int) uint32 { return corr[i] })

	e.strings(len(s.files), func(i int) string { return s.files[i].DocID })
	e.strings(len(s.files), func(i int) string { return s.files[i].Stamp.Key })
	e.strings(len(s.files), func(i int) string { return s.files[i].Skip })
	e.u64s(len(s.files), func(i int) uint64 { return uint64(s.files[i].Stamp.Size) })
	e.u64s(len(s.files), func(i int) uint64 { return uint64(unixNano(s.files[i].Stamp.ModTime)) })
	for _, f := range s.files {
		_, _ = e.bw.Write(f.Stamp.Sum[:])
	}
	e.u32s(len(s.folds), func(i int) uint32 { return metaIdx[s.folds[i].Copy] })
	e.u32s(len(s.folds), func(i int) uint32 { return metaIdx[s.folds[i].Into] })

	for i, v := range s.vecs {
		if i%4096 == 0 && ctx.Err() != nil {
			return context.Cause(ctx)
		}
		e.f32s(v)
	}
	if h.Lexical != "" {
		encodeLexical(e, s.lex)
	}
	if err := e.bw.Flush(); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	trailer := binary.LittleEndian.AppendUint32(nil, cw.crc.Sum32())
	trailer = binary.LittleEndian.AppendUint64(trailer, uint64(cw.n))
	trailer = append(trailer, snapshotEnd...)
	if _, err := f.Write(trailer); err != nil {
		return fmt.Errorf("write trailer: %w", err)
	}
	return nil
}

// readSnapshot loads and verifies path. A missing file gives an error
// matching fs.ErrNotExist, one that cannot be opened (permissions) the
// open error; anything wrong with the content wraps errSnapshotCorrupt
// with a reason a person can act on.
func readSnapshot(ctx context.Context, path string) (*snapshot, fileStamp, error) {
	return readSnapshotIf(ctx, path, nil)
}

// readSnapshotIf is readSnapshot that reads the body only when accept,
// if set, accepts the header; otherwise the snapshot has only its header.
func readSnapshotIf(ctx context.Context, path string, accept func(snapshotHeader) bool) (snap *snapshot, stamp fileStamp, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fileStamp{}, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fileStamp{}, err
	}
	defer func() {
		// Decoding is bounds-checked; this is the last line of defence so
		// that a damaged file can never take the process down.
		if r := recover(); r != nil {
			snap, err = nil, fmt.Errorf("%w: decoder panic: %v", errSnapshotCorrupt, r)
		}
	}()
	body, sum, err := verifyTrailer(f, fi.Size())
	if err != nil {
		return nil, fileStamp{}, err
	}
	d := &snapshotDecoder{r: bufio.NewReaderSize(io.NewSectionReader(f, 0, body), 1<<20), left: body,
		crc: crc32.New(crc32.MakeTable(crc32.Castagnoli))}
	h, err := d.header()
	if err != nil {
		return nil, fileStamp{}, err
	}
	if accept != nil && !accept(h) {
		return &snapshot{header: h}, stampOf(fi), nil
	}
	if h.Version == 1 {
		snap, err = d.decodeV1(ctx, h)
	} else {
		snap, err = d.decode(ctx, h)
	}
	if err != nil {
		return nil, fileStamp{}, err
	}
	if got := d.crc.Sum32(); got != sum {
		return nil, fileStamp{}, fmt.Errorf("%w: checksum mismatch (stored %08x, computed %08x): the file was damaged", errSnapshotCorrupt, sum, got)
	}
	return snap, stampOf(fi), nil
}

// verifyTrailer checks the end magic and recorded length, returning the
// length of the checksummed body and its recorded CRC-32C.
func verifyTrailer(f *os.File, size int64) (int64, uint32, error) {
	if size < int64(len(snapshotMagic)+8+trailerLen) {
		return 0, 0, fmt.Errorf("%w: file is only %d bytes (truncated?)", errSnapshotCorrupt, size)
	}
	t := make([]byte, trailerLen)
	if _, err := f.ReadAt(t, size-int64(trailerLen)); err != nil {
		return 0, 0, fmt.Errorf("%w: read trailer: %v", errSnapshotCorrupt, err)
	}
	if string(t[12:]) != snapshotEnd {
		return 0, 0, fmt.Errorf("%w: end marker missing (truncated or incompletely written file)", errSnapshotCorrupt)
	}
	body := int64(binary.LittleEndian.Uint64(t[4:12]))
	if body != size-int64(trailerLen) {
		return 0, 0, fmt.Errorf("%w: trailer records %d bytes but the file holds %d", errSnapshotCorrupt, body, size-int64(trailerLen))
	}
	return body, binary.LittleEndian.Uint32(t[:4]), nil
}

// snapshotDecoder reads a snapshot body, checksumming as it goes and
// refusing any length larger than what is left of the file.
type snapshotDecoder struct {
	r       *bufio.Reader
	left    int64
	crc     hash.Hash32
	err     error
	scratch []byte
}

func (d *snapshotDecoder) fail(format string, args ...any) {
	if d.err == nil {
		d.err = fmt.Errorf("%w: "+format, append([]any{errSnapshotCorrupt}, args...)...)
	}
}

func (d *snapshotDecoder) full(p []byte) {
	if d.err != nil {
		return
	}
	if int64(len(p)) > d.left {
		d.fail("a field runs past the end of the file")
		return
	}
	if _, err := io.ReadFull(d.r, p); err != nil {
		d.fail("read: %v", err)
		return
	}
	d.crc.Write(p)
	d.left -= int64(len(p))
}

// fits reports whether n items of size bytes each can still be in the
// file, failing the decode when not.
func (d *snapshotDecoder) fits(what string, n, size int) bool {
	if d.err != nil {
		return false
	}
	if n < 0 || int64(n)*int64(size) > d.left {
		d.fail("%s: %d entries run past the end of the file", what, n)
		return false
	}
	return true
}

// pieces reads n items of size bytes in buffer-sized pieces, handing each
// piece to use with the index of its first item.
func (d *snapshotDecoder) pieces(n, size int, use func(b []byte, first int)) {
	if cap(d.scratch) < 1<<16 {
		d.scratch = make([]byte, 1<<16)
	}
	per := len(d.scratch[:cap(d.scratch)]) / size
	for lo := 0; lo < n && d.err == nil; lo += per {
		k := min(per, n-lo)
		b := d.scratch[:k*size]
		d.full(b)
		if d.err == nil {
			use(b, lo)
		}
	}
}

func (d *snapshotDecoder) u32s(what string, n int) []uint32 {
	if !d.fits(what, n, 4) {
		return nil
	}
	out := make([]uint32, n)
	d.pieces(n, 4, func(b []byte, first int) {
		for j := range len(b) / 4 {
			out[first+j] = binary.LittleEndian.Uint32(b[4*j:])
		}
	})
	return out
}

func (d *snapshotDecoder) u64s(what string, n int) []uint64 {
	if !d.fits(what, n, 8) {
		return nil
	}
	out := make([]uint64, n)
	d.pieces(n, 8, func(b []byte, first int) {
		for j := range len(b) / 8 {
			out[first+j] = binary.LittleEndian.Uint64(b[8*j:])
		}
	})
	return out
}

// f32sInto fills dst from the file.
func (d *snapshotDecoder) f32sInto(what string, dst []float32) {
	if !d.fits(what, len(dst), 4) {
		return
	}
	if littleEndian && len(dst) > 0 {
		// The file's layout is the machine's: read the bytes straight into
		// the array, 1 MiB at a time so the checksum keeps pace, instead
		// of decoding each number.
		raw := unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(dst))), 4*len(dst))
		for lo := 0; lo < len(raw) && d.err == nil; lo += 1 << 20 {
			d.full(raw[lo:min(len(raw), lo+1<<20)])
		}
		return
	}
	d.pieces(len(dst), 4, func(b []byte, first int) {
		out := dst[first : first+len(b)/4]
		for j := range out {
			out[j] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*j:]))
		}
	})
}

// strings reads a string table of n entries: the entries are substrings
// of one string read in one pass.
func (d *snapshotDecoder) strings(what string, n int) []string {
	out := make([]string, n)
	d.stringsInto(what, n, func(i int, s string) { out[i] = s })
	if d.err != nil {
		return nil
	}
	return out
}

// stringsInto reads a string table of n entries, handing each to set.
func (d *snapshotDecoder) stringsInto(what string, n int, set func(i int, s string)) {
	lens := d.u32s(what, n)
	if d.err != nil {
		return
	}
	var total int64
	for _, l := range lens {
		total += int64(l)
	}
	if total > d.left {
		d.fail("%s: %d bytes of text run past the end of the file", what, total)
		return
	}
	var b strings.Builder
	b.Grow(int(total))
	d.pieces(int(total), 1, func(p []byte, _ int) { b.Write(p) })
	if d.err != nil {
		return
	}
	blob := b.String()
	off := 0
	for i, l := range lens {
		set(i, blob[off:off+int(l)])
		off += int(l)
	}
}

func (d *snapshotDecoder) header() (snapshotHeader, error) {
	var h snapshotHeader
	b := make([]byte, len(snapshotMagic)+8)
	d.full(b)
	if d.err != nil {
		return h, d.err
	}
	if string(b[:len(snapshotMagic)]) != snapshotMagic {
		return h, fmt.Errorf("%w: not a missionbot index snapshot", errSnapshotCorrupt)
	}
	if v := binary.LittleEndian.Uint32(b[8:]); v != snapshotVersion && v != 1 {
		return h, fmt.Errorf("%w: format version %d, this build reads versions 1 and %d", errSnapshotCorrupt, v, snapshotVersion)
	}
	hn := int64(binary.LittleEndian.Uint32(b[12:]))
	if hn > d.left || hn > 1<<20 {
		return h, fmt.Errorf("%w: header length %d out of range", errSnapshotCorrupt, hn)
	}
	hj := make([]byte, hn)
	d.full(hj)
	if d.err != nil {
		return h, d.err
	}
	if err := json.Unmarshal(hj, &h); err != nil {
		return h, fmt.Errorf("%w: header: %v", errSnapshotCorrupt, err)
	}
	if v := int(binary.LittleEndian.Uint32(b[8:])); h.Version != v {
		return h, fmt.Errorf("%w: header says version %d, the file %d", errSnapshotCorrupt, h.Version, v)
	}
	counts := []int{h.Chunks, h.Metas, h.Dropped, h.Files, h.Folds, h.Terms, h.Postings}
	for _, n := range counts {
		if n < 0 || int64(n) > d.left {
			return h, fmt.Errorf("%w: header counts out of range (%v)", errSnapshotCorrupt, counts)
		}
	}
	if h.Dim < 0 || h.Dim > 1<<16 {
		return h, fmt.Errorf("%w: header dimension %d out of range", errSnapshotCorrupt, h.Dim)
	}
	return h, nil
}

func (d *snapshotDecoder) decode(ctx context.Context, h snapshotHeader) (*snapshot, error) {
	s := &snapshot{header: h}
	fields, names := metaFields()
	// The file's fields by position, mapped to this build's Meta fields;
	// -1 for a field this build does not know.
	byName := map[string]int{}
	for k, n := range names {
		byName[n] = fields[k]
	}
	stored := make([]int, len(h.MetaFields))
	for k, n := range h.MetaFields {
		if f, ok := byName[n]; ok {
			stored[k] = f
		} else {
			stored[k] = -1
		}
	}
	nf := len(stored)
	if nf == 0 && h.Metas > 0 {
		return nil, fmt.Errorf("%w: metadata without fields", errSnapshotCorrupt)
	}
	metas := make([]corpus.Meta, h.Metas)
	d.stringsInto("metadata", h.Metas*nf, func(i int, v string) {
		if f := stored[i%nf]; f >= 0 && v != "" {
			reflect.ValueOf(&metas[i/nf]).Elem().Field(f).SetString(v)
		}
	})
	meta := func(what string, i uint32) corpus.Meta {
		if int(i) >= len(metas) {
			d.fail("%s refers to metadata entry %d of %d", what, i, len(metas))
			return corpus.Meta{}
		}
		return metas[i]
	}

	n := h.Chunks + h.Dropped
	if !d.fits("chunks", n, 16) {
		return nil, d.err
	}
	all := make([]Chunk, n)
	d.stringsInto("chunk IDs", n, func(i int, s string) { all[i].ID = s })
	if err := ctx.Err(); err != nil {
		return nil, context.Cause(ctx)
	}
	d.stringsInto("chunk texts", n, func(i int, s string) { all[i].Text = s })
	metaOf := d.u32s("chunk metadata", n)
	seqs := d.u32s("chunk seqs", n)
	order := d.u32s("chunk order", h.Chunks)
	starts := d.u32s("corroborating starts", h.Chunks+1)
	ncorr := 0
	if d.err == nil {
		ncorr = int(starts[h.Chunks])
	}
	corr := d.u32s("corroborating", ncorr)
	if d.err != nil {
		return nil, d.err
	}
	for i := range all {
		c := &all[i]
		c.Meta, c.Seq = meta("chunk", metaOf[i]), int(seqs[i])
		if seqs[i] > math.MaxInt32 {
			d.fail("chunk %d: seq %d out of range", i, seqs[i])
		}
		if i < h.Chunks {
			lo, hi := starts[i], starts[i+1]
			if lo > hi || int(hi) > len(corr) {
				d.fail("chunk %d: corroborating range %d–%d out of bounds", i, lo, hi)
				break
			}
			if hi > lo {
				c.Corroborating = make([]corpus.Meta, 0, hi-lo)
				for _, m := range corr[lo:hi] {
					c.Corroborating = append(c.Corroborating, meta("corroborating entry", m))
				}
			}
		}
	}
	s.chunks, s.dropped = all[:h.Chunks:h.Chunks], all[h.Chunks:]
	s.byID = make([]int32, len(order))
	for i, p := range order {
		if int(p) >= h.Chunks {
			d.fail("chunk order: entry %d out of range", p)
			break
		}
		s.byID[i] = int32(p)
	}
	if len(s.dropped) == 0 {
		s.dropped = nil
	}

	docIDs := d.strings("file names", h.Files)
	// Most files share one key (one program, no manifest entry): one copy
	// of each distinct key is enough.
	keys := make([]string, h.Files)
	interned := map[string]string{}
	d.stringsInto("file keys", h.Files, func(i int, s string) {
		k, ok := interned[s]
		if !ok {
			k = strings.Clone(s)
			interned[k] = k
		}
		keys[i] = k
	})
	skips := d.strings("file skip reasons", h.Files)
	sizes := d.u64s("file sizes", h.Files)
	times := d.u64s("file times", h.Files)
	if d.fits("file sums", h.Files, sha256.Size) && h.Files > 0 {
		s.files = make(Files, h.Files)
		d.pieces(h.Files, sha256.Size, func(b []byte, first int) {
			for j := range len(b) / sha256.Size {
				f := &s.files[first+j]
				copy(f.Stamp.Sum[:], b[j*sha256.Size:])
				i := first + j
				f.DocID, f.Stamp.Key, f.Skip = docIDs[i], keys[i], skips[i]
				f.Stamp.Size, f.Stamp.ModTime = int64(sizes[i]), fromUnixNano(int64(times[i]))
				if i > 0 && s.files[i-1].DocID >= f.DocID {
					d.fail("file records out of order at %d", i)
				}
			}
		})
	}
	copies := d.u32s("fold copies", h.Folds)
	into := d.u32s("fold targets", h.Folds)
	for i := range copies {
		s.folds = append(s.folds, Fold{Copy: meta("fold", copies[i]), Into: meta("fold", into[i])})
	}
	if d.err != nil {
		return nil, d.err
	}

	// One backing array for all vectors: one allocation, read in one
	// pass.
	if !d.fits("vectors", h.Chunks*h.Dim, 4) {
		return nil, d.err
	}
	vecAll := make([]float32, h.Chunks*h.Dim)
	d.f32sInto("vectors", vecAll)
	s.vecs = make([][]float32, h.Chunks)
	for j := range s.vecs {
		s.vecs[j] = vecAll[j*h.Dim : (j+1)*h.Dim : (j+1)*h.Dim]
	}
	if h.Lexical != "" {
		lx := &bm25{n: h.Chunks, docLen: make([]float32, h.Chunks)}
		lx.sorted = d.strings("lexical terms", h.Terms)
		lx.starts = d.u32s("lexical starts", h.Terms+1)
		lx.post = d.u32s("lexical postings", h.Postings)
		d.f32sInto("lexical lengths", lx.docLen)
		avg := make([]float32, 1)
		d.f32sInto("lexical average", avg)
		lx.avgLen = avg[0]
		if d.err == nil && h.Lexical == lexicalFingerprint() {
			if !lx.valid() {
				return nil, fmt.Errorf("%w: the lexical index is inconsistent", errSnapshotCorrupt)
			}
			s.lex = lx
		}
	}
	if d.err != nil {
		return nil, d.err
	}
	if d.left != 0 {
		return nil, fmt.Errorf("%w: %d unexpected bytes at the end", errSnapshotCorrupt, d.left)
	}
	return s, nil
}
