package retrieval

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"missionbot/corpus"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// testSnapshot is a small snapshot exercising every field.
func testSnapshot(n, dim int) *snapshot {
	r := rand.New(rand.NewPCG(3, 4))
	a := corpus.Meta{DocID: "a.txt", Title: "Kenya’s police «arrive»", Publisher: "Wire", Author: "J. Doe", Published: "2024-06-25", URL: "https://example.org/a"}
	b := corpus.Meta{DocID: "b.txt", Title: "B"}
	s := &snapshot{header: snapshotHeader{
		Embedder: EmbedderInfo{Name: "local", Model: localModel, Dim: dim},
		BuiltAt:  time.Date(2025, 1, 2, 3, 4, 5, 6, time.UTC),
		Took:     1500 * time.Millisecond,
		Dim:      dim,
	}}
	for i := range n {
		c := Chunk{ID: strings.Repeat("x", i%3) + string(rune('a'+i%26)) + "-" + time.Duration(i).String(), Meta: a, Seq: i, Text: "Passage " + strings.Repeat("é", i)}
		if i%2 == 1 {
			c.Meta = b
			c.Corroborating = []corpus.Meta{a, {DocID: "c.txt", Title: "C"}}
		}
		v := make([]float32, dim)
		for j := range v {
			v[j] = float32(r.NormFloat64())
		}
		v, _ = unitVector(v)
		s.chunks = append(s.chunks, c)
		s.vecs = append(s.vecs, v)
	}
	if n > 0 {
		s.dropped = []Chunk{{ID: "dropped-1", Meta: corpus.Meta{DocID: "c.txt", Title: "C"}, Seq: 3, Text: "A folded passage"}}
		s.folds = []Fold{{Copy: corpus.Meta{DocID: "c.txt", Title: "C"}, Into: a}}
		s.lex = newBM25(s.chunks)
	}
	s.files = Files{
		{DocID: "a.txt", Stamp: SourceStamp{Size: 120, ModTime: time.Unix(1700000000, 123456789), Sum: [32]byte{1, 2, 3}, Key: "k1"}},
		{DocID: "b.txt", Stamp: SourceStamp{Size: 7, Key: "k1"}, Skip: "binary content, not text"},
		{DocID: "c.txt", Stamp: SourceStamp{Size: 99, ModTime: time.Unix(1, 0), Sum: [32]byte{31: 9}, Key: "k2"}},
	}
	return s
}

func TestSnapshotRoundTrip(t *testing.T) {
	tests := []struct {
		name   string
		n, dim int
	}{
		{name: "empty", n: 0, dim: 0},
		{name: "empty with dim", n: 0, dim: 384},
		{name: "one", n: 1, dim: 3},
		{name: "many", n: 700, dim: 16},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			want := testSnapshot(tc.n, tc.dim)
			stamp, err := writeSnapshot(context.Background(), dir, want)
			if err != nil {
				t.Fatalf("writeSnapshot: %v", err)
			}
			got, gotStamp, err := readSnapshot(context.Background(), filepath.Join(dir, snapshotName))
			if err != nil {
				t.Fatalf("readSnapshot: %v", err)
			}
			if gotStamp != stamp {
				t.Errorf("stamp %+v, want %+v", gotStamp, stamp)
			}
			h := got.header
			if h.Embedder != want.header.Embedder || !h.BuiltAt.Equal(want.header.BuiltAt) || h.Took != want.header.Took ||
				h.Chunks != tc.n || h.Dim != tc.dim || h.Version != snapshotVersion {
				t.Errorf("header %+v, want %+v", h, want.header)
			}
			if len(got.chunks) != tc.n || len(got.vecs) != tc.n {
				t.Fatalf("%d chunks, %d vecs; want %d", len(got.chunks), len(got.vecs), tc.n)
			}
			for i := range want.chunks {
				if !sameChunk(got.chunks[i], want.chunks[i]) {
					t.Fatalf("chunk %d = %+v, want %+v", i, got.chunks[i], want.chunks[i])
				}
				for j := range want.vecs[i] {
					if got.vecs[i][j] != want.vecs[i][j] {
						t.Fatalf("vector %d differs at %d", i, j)
					}
				}
			}
			if !slices.EqualFunc(got.dropped, want.dropped, sameChunk) || !slices.Equal(got.folds, want.folds) ||
				!slices.EqualFunc(got.files, want.files, sameRecord) {
				t.Errorf("dropped %+v folds %+v files %+v; want %+v %+v %+v", got.dropped, got.folds, got.files, want.dropped, want.folds, want.files)
			}
			if want.lex != nil {
				if got.lex == nil {
					t.Fatal("the lexical index was not read back")
				}
				for _, q := range []string{"passage", "é", "nothing"} {
					terms := func(ix *bm25) []weightedTerm {
						id, ok := ix.terms[q]
						if !ok {
							return nil
						}
						return []weightedTerm{{id: id, weight: ix.idf(q)}}
					}
					if g, w := fmt.Sprint(got.lex.search(terms(got.lex), 10)), fmt.Sprint(want.lex.search(terms(want.lex), 10)); g != w {
						t.Errorf("lexical search %q = %s, want %s", q, g, w)
					}
				}
				if got.lex.avgLen != want.lex.avgLen || !slices.Equal(got.lex.docLen, want.lex.docLen) || len(got.lex.terms) != len(want.lex.terms) {
					t.Error("lexical index differs after reading it back")
				}
			}
			if tc.n > 0 {
				// Vectors share one array but must not overlap: appending
				// to one must not clobber the next.
				_ = append(got.vecs[0], 42)
				if tc.n > 1 && got.vecs[1][0] == 42 {
					t.Error("vectors alias each other")
				}
			}
			if left, _ := filepath.Glob(filepath.Join(dir, snapshotTmp+"*")); len(left) != 0 {
				t.Errorf("temporary files left: %v", left)
			}
			hdr, err := readSnapshotHeader(filepath.Join(dir, snapshotName))
			if err != nil || hdr.Chunks != tc.n || !hdr.BuiltAt.Equal(want.header.BuiltAt) {
				t.Errorf("readSnapshotHeader = %+v, %v", hdr, err)
			}
		})
	}
}

func TestSnapshotCorruption(t *testing.T) {
	dir := t.TempDir()
	if _, err := writeSnapshot(context.Background(), dir, testSnapshot(50, 8)); err != nil {
		t.Fatal(err)
	}
	good, err := os.ReadFile(filepath.Join(dir, snapshotName))
	if err != nil {
		t.Fatal(err)
	}
	flip := func(off int) []byte {
		b := append([]byte(nil), good...)
		if off < 0 {
			off += len(b)
		}
		b[off] ^= 0x40
		return b
	}
	tests := []struct {
		name    string
		data    []byte
		wantErr string
	}{
		{name: "empty file", data: nil, wantErr: "file is only 0 bytes"},
		{name: "truncated half", data: good[:len(good)/2], wantErr: "end marker missing"},
		{name: "truncated by one", data: good[:len(good)-1], wantErr: "end marker missing"},
		{name: "extra byte", data: append(append([]byte(nil), good...), 0), wantErr: "end marker missing"},
		{name: "flipped magic", data: flip(0), wantErr: "not a missionbot index snapshot"},
		{name: "flipped version", data: flip(8), wantErr: "format version"},
		{name: "flipped header", data: flip(20), wantErr: "snapshot corrupt"},
		{name: "flipped text", data: flip(len(good) / 3), wantErr: "snapshot corrupt"},
		{name: "flipped vector", data: flip(-trailerLen - 5), wantErr: "checksum mismatch"},
		{name: "flipped checksum", data: flip(-trailerLen), wantErr: "checksum mismatch"},
		{name: "flipped length", data: flip(-trailerLen + 5), wantErr: "trailer records"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), snapshotName)
			if err := os.WriteFile(p, tc.data, 0o644); err != nil {
				t.Fatal(err)
			}
			_, _, err := readSnapshot(context.Background(), p)
			if !errors.Is(err, errSnapshotCorrupt) || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("readSnapshot error = %v, want errSnapshotCorrupt containing %q", err, tc.wantErr)
			}
		})
	}
	t.Run("missing", func(t *testing.T) {
		_, _, err := readSnapshot(context.Background(), filepath.Join(t.TempDir(), snapshotName))
		if !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("error = %v, want fs.ErrNotExist", err)
		}
	})
}

// TestSnapshotEveryByteFlip flips each byte of a small snapshot in turn:
// every damaged file must be rejected, none may panic.
func TestSnapshotEveryByteFlip(t *testing.T) {
	dir := t.TempDir()
	if _, err := writeSnapshot(context.Background(), dir, testSnapshot(4, 3)); err != nil {
		t.Fatal(err)
	}
	good, _ := os.ReadFile(filepath.Join(dir, snapshotName))
	p := filepath.Join(dir, "damaged")
	for off := range good {
		b := append([]byte(nil), good...)
		b[off] ^= 0x01
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		if _, _, err := readSnapshot(context.Background(), p); err == nil {
			t.Fatalf("flipping byte %d of %d went unnoticed", off, len(good))
		}
	}
}

func TestWriteSnapshotErrors(t *testing.T) {
	tests := []struct {
		name string
		dir  func(t *testing.T) string
		snap *snapshot
	}{
		{name: "dir missing", dir: func(t *testing.T) string { return filepath.Join(t.TempDir(), "nope") }, snap: testSnapshot(2, 3)},
		{name: "vector count", dir: func(t *testing.T) string { return t.TempDir() },
			snap: func() *snapshot { s := testSnapshot(2, 3); s.vecs = s.vecs[:1]; return s }()},
		{name: "vector length", dir: func(t *testing.T) string { return t.TempDir() },
			snap: func() *snapshot { s := testSnapshot(2, 3); s.vecs[1] = s.vecs[1][:2]; return s }()},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := tc.dir(t)
			if _, err := writeSnapshot(context.Background(), dir, tc.snap); err == nil {
				t.Fatal("want an error")
			}
			if left, _ := filepath.Glob(filepath.Join(dir, "*")); len(left) != 0 {
				t.Errorf("files left after a failed write: %v", left)
			}
		})
	}
}

func TestRemoveStaleTemps(t *testing.T) {
	dir := t.TempDir()
	now := time.Now()
	old := filepath.Join(dir, snapshotTmp+"old")
	fresh := filepath.Join(dir, snapshotTmp+"fresh")
	for _, p := range []string{old, fresh} {
		if err := os.WriteFile(p, []byte("partial"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chtimes(old, now.Add(-2*time.Hour), now.Add(-2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	removed := removeStaleTemps(dir, now)
	if len(removed) != 1 || removed[0] != old {
		t.Errorf("removed %v, want only %s", removed, old)
	}
	if _, err := os.Stat(fresh); err != nil {
		t.Errorf("a recent temporary file (a write in progress elsewhere) was removed: %v", err)
	}
}

func FuzzReadSnapshot(f *testing.F) {
	dir := f.TempDir()
	if _, err := writeSnapshot(context.Background(), dir, testSnapshot(3, 2)); err != nil {
		f.Fatal(err)
	}
	good, _ := os.ReadFile(filepath.Join(dir, snapshotName))
	f.Add(good)
	f.Add([]byte(snapshotMagic))
	f.Fuzz(func(t *testing.T, data []byte) {
		p := filepath.Join(t.TempDir(), snapshotName)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		s, _, err := readSnapshot(context.Background(), p)
		if err == nil && len(s.chunks) != len(s.vecs) {
			t.Fatalf("accepted a snapshot with %d chunks and %d vectors", len(s.chunks), len(s.vecs))
		}
	})
}

// TestSnapshotStoresEveryMetaField: the snapshot stores corpus.Meta's
// fields by name, so one added to Meta is kept across a restart; the
// format handles string fields only.
func TestSnapshotStoresEveryMetaField(t *testing.T) {
	var m corpus.Meta
	v := reflect.ValueOf(&m).Elem()
	for i := range v.NumField() {
		f := v.Type().Field(i)
		if f.Type.Kind() != reflect.String {
			t.Fatalf("corpus.Meta.%s is a %s: the snapshot (snapshot.go, metaFields) stores string fields only; extend it", f.Name, f.Type)
		}
		v.Field(i).SetString("value of " + f.Name)
	}
	s := testSnapshot(2, 3)
	s.chunks[0].Meta = m
	dir := t.TempDir()
	if _, err := writeSnapshot(context.Background(), dir, s); err != nil {
		t.Fatal(err)
	}
	got, _, err := readSnapshot(context.Background(), filepath.Join(dir, snapshotName))
	if err != nil {
		t.Fatal(err)
	}
	if got.chunks[0].Meta != m {
		t.Errorf("metadata read back as %+v, want %+v", got.chunks[0].Meta, m)
	}
}

// TestSnapshotStoresEveryBM25Field: the lexical section stores bm25's
// fields one by one (snapshot_lexical.go); a field added to bm25 must be
// stored there too, or a loaded index would lack it.
func TestSnapshotStoresEveryBM25Field(t *testing.T) {
	stored := []string{"terms", "starts", "post", "docLen", "sorted", "avgLen", "n"}
	var have []string
	tp := reflect.TypeFor[bm25]()
	for i := range tp.NumField() {
		have = append(have, tp.Field(i).Name)
	}
	if !slices.Equal(have, stored) {
		t.Errorf("bm25 has fields %v; the snapshot stores %v: update encodeLexical, the decoder and bm25.valid", have, stored)
	}
}

// TestSnapshotVersion1Loads: an index written before the format changed
// (testdata/v1.snapshot: the built-in corpus, 16-dimensional local
// vectors) still opens, and a refresh of the same corpus reuses every
// vector.
func TestSnapshotVersion1Loads(t *testing.T) {
	data, err := os.ReadFile("testdata/v1.snapshot")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, snapshotName), data, 0o644); err != nil {
		t.Fatal(err)
	}
	// The file was written with the local embedder's features of its day;
	// this test is about the format, so the embedder says it is that one.
	emb := &ixEmbedder{inner: NewLocalEmbedder(16), info: EmbedderInfo{Name: "local", Model: "hash-ngram-v2", Dim: 16}}
	ix, _ := openTestIndex(t, dir, emb)
	if need, why := ix.NeedsBuild(); need || !ix.Ready() {
		t.Fatalf("version 1 snapshot not loaded: %s", why)
	}
	checkConsistent(t, ix)
	docs, _, err := corpus.Load(corpus.Embedded(), nil)
	if err != nil {
		t.Fatal(err)
	}
	st := mustRefresh(t, ix, docs, RefreshOptions{})
	if st.Rebuilt {
		t.Errorf("refresh after loading version 1 rebuilt the index: %s", st.RebuildReason)
	}
	t.Logf("refresh after version 1: %d of %d chunks embedded", st.ChunksEmbedded, st.ChunksTotal)
	if st.ChunksEmbedded == st.ChunksTotal {
		t.Errorf("every chunk was embedded again; the version 1 vectors were not reused")
	}
	if h, err := readSnapshotHeader(filepath.Join(dir, snapshotName)); err != nil || h.Version != snapshotVersion {
		t.Errorf("after the refresh the snapshot is version %d (%v), want %d", h.Version, err, snapshotVersion)
	}
}

// unreadableChildEnv makes TestOpenIndexUnreadableSnapshot's re-executed
// binary open the index in that directory.
const unreadableChildEnv = "MISSIONBOT_UNREADABLE_DIR"

// TestOpenIndexUnreadableSnapshot: a snapshot this process may not read is
// an error that says so, not a corrupt index to rebuild over a good one.
// As root, whom permissions do not stop, the check runs in a copy of the
// test binary as an unprivileged user.
func TestOpenIndexUnreadableSnapshot(t *testing.T) {
	if dir := os.Getenv(unreadableChildEnv); dir != "" {
		_, err := OpenIndex(context.Background(), dir, NewLocalEmbedder(64), IndexOptions{})
		fmt.Printf("open error: %v\n", err)
		return
	}
	base, err := os.MkdirTemp("", "unreadable")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(base) })
	dir := filepath.Join(base, "index")
	ix, _ := openTestIndex(t, dir, newIxEmbedder())
	docs, _, err := corpus.Load(corpus.Embedded(), nil)
	if err != nil {
		t.Fatal(err)
	}
	mustRefresh(t, ix, docs, RefreshOptions{})
	snap := filepath.Join(dir, snapshotName)
	want, _ := os.ReadFile(snap)
	for _, p := range []string{base, dir} {
		if err := os.Chmod(p, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chmod(snap, 0o000); err != nil {
		t.Fatal(err)
	}
	var out []byte
	if os.Geteuid() == 0 {
		exe := filepath.Join(base, "retrieval.test")
		bin, err := os.ReadFile(os.Args[0])
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(exe, bin, 0o755); err != nil {
			t.Fatal(err)
		}
		cmd := exec.CommandContext(t.Context(), exe, "-test.run=^TestOpenIndexUnreadableSnapshot$")
		cmd.Env = append(os.Environ(), unreadableChildEnv+"="+dir)
		cmd.SysProcAttr = unprivileged()
		if out, err = cmd.CombinedOutput(); err != nil {
			t.Skipf("cannot run as an unprivileged user here: %v\n%s", err, out)
		}
	} else {
		_, err := OpenIndex(context.Background(), dir, NewLocalEmbedder(64), IndexOptions{})
		out = fmt.Appendf(nil, "open error: %v\n", err)
	}
	if !bytes.Contains(out, []byte("open error: open index: cannot read")) || !bytes.Contains(out, []byte("permission denied")) {
		t.Errorf("opening an unreadable snapshot: %s; want an error naming the permission problem", out)
	}
	_ = os.Chmod(snap, 0o644)
	if got, _ := os.ReadFile(snap); !bytes.Equal(got, want) {
		t.Error("the unreadable snapshot was changed")
	}
}

// readSnapshotHeader reads only the header of path.
func readSnapshotHeader(path string) (snapshotHeader, error) {
	snap, _, err := readSnapshotIf(context.Background(), path, func(snapshotHeader) bool { return false })
	if err != nil {
		return snapshotHeader{}, err
	}
	return snap.header, nil
}
