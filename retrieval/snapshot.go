package retrieval

import (
	"bufio"
	"context"
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
	"strings"
	"time"
)

// Snapshot file layout (all integers little-endian; strings and counts as
// uvarint length + bytes):
//
//	"MBINDEX\x00"  magic
//	uint32         format version
//	uint32 + JSON  header: embedder, built-at, refresh duration, counts, dim
//	metas          header.Metas × Meta (six strings), shared by chunks
//	chunks         header.Chunks × {id, meta index, seq, text, corroborating meta indexes}
//	vectors        header.Chunks × header.Dim float32, normalised
//	uint32         CRC-32C of every byte above
//	uint64         number of bytes above
//	"MBINDEND"     end magic: a file cut short lacks it
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
	snapshotVersion = 1
	trailerLen      = 4 + 8 + len(snapshotEnd)
	// staleTmpAge is how old a temporary snapshot must be before OpenIndex
	// deletes it as the leftover of a crashed write rather than a write in
	// progress in another process.
	staleTmpAge = time.Hour
)

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
}

// snapshot is the persisted content of one generation.
type snapshot struct {
	header snapshotHeader
	chunks []Chunk
	vecs   [][]float32
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

// removeStaleTemps deletes temporary snapshots older than staleTmpAge,
// the leftovers of writes that were killed.
func removeStaleTemps(dir string, now time.Time) []string {
	return atomicfile.RemoveStale(filepath.Join(dir, snapshotName), staleTmpAge, now)
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

func encodeSnapshot(ctx context.Context, f io.Writer, s *snapshot) error {
	h := s.header
	h.Version = snapshotVersion
	h.Chunks = len(s.chunks)
	if len(s.vecs) != len(s.chunks) {
		return fmt.Errorf("%d vectors for %d chunks", len(s.vecs), len(s.chunks))
	}
	for i, v := range s.vecs {
		if len(v) != h.Dim {
			return fmt.Errorf("%w: vector %d has %d dimensions, the index %d", ErrDimensionMismatch, i, len(v), h.Dim)
		}
	}
	metaIdx := map[corpus.Meta]uint64{}
	var metas []corpus.Meta
	intern := func(m corpus.Meta) {
		if _, ok := metaIdx[m]; !ok {
			metaIdx[m] = uint64(len(metas))
			metas = append(metas, m)
		}
	}
	for _, c := range s.chunks {
		intern(c.Meta)
		for _, m := range c.Corroborating {
			intern(m)
		}
	}
	h.Metas = len(metas)
	hj, err := json.Marshal(h)
	if err != nil {
		return fmt.Errorf("encode header: %w", err)
	}

	cw := &countingWriter{w: f, crc: crc32.New(crc32.MakeTable(crc32.Castagnoli))}
	bw := bufio.NewWriterSize(cw, 1<<20)
	var scratch [binary.MaxVarintLen64]byte
	putUvarint := func(x uint64) { _, _ = bw.Write(scratch[:binary.PutUvarint(scratch[:], x)]) }
	putString := func(s string) { putUvarint(uint64(len(s))); _, _ = bw.WriteString(s) }

	_, _ = bw.WriteString(snapshotMagic)
	_, _ = bw.Write(binary.LittleEndian.AppendUint32(nil, snapshotVersion))
	_, _ = bw.Write(binary.LittleEndian.AppendUint32(nil, uint32(len(hj))))
	_, _ = bw.Write(hj)
	for _, m := range metas {
		for _, s := range [...]string{m.DocID, m.Title, m.Publisher, m.Author, m.Published, m.URL} {
			putString(s)
		}
	}
	for i, c := range s.chunks {
		if i%4096 == 0 && ctx.Err() != nil {
			return context.Cause(ctx)
		}
		putString(c.ID)
		putUvarint(metaIdx[c.Meta])
		putUvarint(uint64(max(c.Seq, 0)))
		putString(c.Text)
		putUvarint(uint64(len(c.Corroborating)))
		for _, m := range c.Corroborating {
			putUvarint(metaIdx[m])
		}
	}
	buf := make([]byte, 4*h.Dim)
	for i, v := range s.vecs {
		if i%4096 == 0 && ctx.Err() != nil {
			return context.Cause(ctx)
		}
		for j, x := range v {
			binary.LittleEndian.PutUint32(buf[4*j:], math.Float32bits(x))
		}
		_, _ = bw.Write(buf)
	}
	if err := bw.Flush(); err != nil {
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
// matching fs.ErrNotExist; anything else wrong with it wraps
// errSnapshotCorrupt with a reason a person can act on.
func readSnapshot(ctx context.Context, path string) (snap *snapshot, stamp fileStamp, err error) {
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
	snap, err = d.decode(ctx)
	if err != nil {
		return nil, fileStamp{}, err
	}
	if got := d.crc.Sum32(); got != sum {
		return nil, fileStamp{}, fmt.Errorf("%w: checksum mismatch (stored %08x, computed %08x): the file was damaged", errSnapshotCorrupt, sum, got)
	}
	return snap, stampOf(fi), nil
}

// readSnapshotHeader reads only the header of path, to see whether a
// snapshot is newer without loading it.
func readSnapshotHeader(path string) (snapshotHeader, error) {
	f, err := os.Open(path)
	if err != nil {
		return snapshotHeader{}, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return snapshotHeader{}, err
	}
	d := &snapshotDecoder{r: bufio.NewReader(f), left: fi.Size(), crc: crc32.NewIEEE()}
	return d.header()
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
	r    *bufio.Reader
	left int64
	crc  hash.Hash32
	err  error
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

func (d *snapshotDecoder) uvarint() uint64 {
	var b [binary.MaxVarintLen64]byte
	for i := range b {
		d.full(b[i : i+1])
		if d.err != nil {
			return 0
		}
		if b[i] < 0x80 {
			x, n := binary.Uvarint(b[:i+1])
			if n <= 0 {
				d.fail("bad varint")
				return 0
			}
			return x
		}
	}
	d.fail("varint too long")
	return 0
}

func (d *snapshotDecoder) count(what string, limit uint64) int {
	x := d.uvarint()
	if d.err == nil && (x > limit || x > uint64(d.left)) {
		d.fail("%s %d out of range", what, x)
		return 0
	}
	return int(x)
}

func (d *snapshotDecoder) str() string {
	n := d.count("string length", math.MaxInt32)
	if d.err != nil || n == 0 {
		return ""
	}
	b := make([]byte, n)
	d.full(b)
	return string(b)
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
	if v := binary.LittleEndian.Uint32(b[8:]); v != snapshotVersion {
		return h, fmt.Errorf("%w: format version %d, this build reads version %d", errSnapshotCorrupt, v, snapshotVersion)
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
	if h.Chunks < 0 || h.Metas < 0 || h.Dim < 0 || h.Dim > 1<<16 || int64(h.Chunks) > d.left || int64(h.Metas) > d.left {
		return h, fmt.Errorf("%w: header counts out of range (chunks %d, metas %d, dim %d)", errSnapshotCorrupt, h.Chunks, h.Metas, h.Dim)
	}
	return h, nil
}

func (d *snapshotDecoder) decode(ctx context.Context) (*snapshot, error) {
	h, err := d.header()
	if err != nil {
		return nil, err
	}
	metas := make([]corpus.Meta, h.Metas)
	for i := range metas {
		metas[i] = corpus.Meta{DocID: d.str(), Title: d.str(), Publisher: d.str(), Author: d.str(), Published: d.str(), URL: d.str()}
	}
	meta := func() corpus.Meta {
		i := d.count("meta index", uint64(max(h.Metas-1, 0)))
		if d.err != nil || h.Metas == 0 {
			d.fail("chunk refers to a missing document")
			return corpus.Meta{}
		}
		return metas[i]
	}
	chunks := make([]Chunk, h.Chunks)
	for i := range chunks {
		if i%4096 == 0 && ctx.Err() != nil {
			return nil, context.Cause(ctx)
		}
		c := &chunks[i]
		c.ID = d.str()
		c.Meta = meta()
		c.Seq = d.count("seq", math.MaxInt32)
		c.Text = d.str()
		if n := d.count("corroborating count", uint64(max(h.Metas, 0))); n > 0 {
			c.Corroborating = make([]corpus.Meta, n)
			for j := range c.Corroborating {
				c.Corroborating[j] = meta()
			}
		}
		if d.err != nil {
			return nil, d.err
		}
	}
	if want := int64(h.Chunks) * int64(h.Dim) * 4; want != d.left {
		return nil, fmt.Errorf("%w: %d bytes of vectors expected for %d×%d, %d present", errSnapshotCorrupt, want, h.Chunks, h.Dim, d.left)
	}
	// One backing array for all vectors: one allocation, and a load of
	// 100k×384 is a straight copy.
	all := make([]float32, h.Chunks*h.Dim)
	vecs := make([][]float32, h.Chunks)
	buf := make([]byte, 4*h.Dim*256)
	for start := 0; start < h.Chunks; start += 256 {
		if ctx.Err() != nil {
			return nil, context.Cause(ctx)
		}
		n := min(256, h.Chunks-start)
		b := buf[:4*h.Dim*n]
		d.full(b)
		if d.err != nil {
			return nil, d.err
		}
		dst := all[start*h.Dim : (start+n)*h.Dim]
		for j := range dst {
			dst[j] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*j:]))
		}
		for j := range n {
			vecs[start+j] = all[(start+j)*h.Dim : (start+j+1)*h.Dim : (start+j+1)*h.Dim]
		}
	}
	if d.left != 0 {
		return nil, fmt.Errorf("%w: %d unexpected bytes after the vectors", errSnapshotCorrupt, d.left)
	}
	return &snapshot{header: h, chunks: chunks, vecs: vecs}, nil
}

// describeEmbedder names an embedder's vector space for messages.
func describeEmbedder(e EmbedderInfo) string {
	var b strings.Builder
	b.WriteString(e.Name)
	if e.Model != "" {
		b.WriteString("/" + e.Model)
	}
	if e.Dim > 0 {
		fmt.Fprintf(&b, " (%d dims)", e.Dim)
	}
	return b.String()
}
