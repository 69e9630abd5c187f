package retrieval

import (
	"context"
	"errors"
	"io/fs"
	"math/rand/v2"
	"missionbot/corpus"
	"os"
	"path/filepath"
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
