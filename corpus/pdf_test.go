package corpus

import (
	"bytes"
	"compress/zlib"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"
)

// flatePDF builds a one-page PDF whose content stream is content,
// Flate-compressed, plus extra objects (numbered from 6) appended as
// given; the page's resources name them as image XObjects /Im6, /Im7 …
func flatePDF(t testing.TB, content []byte, extra ...string) []byte {
	t.Helper()
	var z bytes.Buffer
	w, err := zlib.NewWriterLevel(&z, zlib.BestCompression)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(content); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	var xobj strings.Builder
	for i := range extra {
		fmt.Fprintf(&xobj, " /Im%d %d 0 R", i+6, i+6)
	}
	objs := append([]string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> /XObject <<" + xobj.String() + " >> >> >>",
		fmt.Sprintf("<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream", z.Len(), z.String()),
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
	}, extra...)
	return assemblePDF(objs)
}

// assemblePDF writes objs as PDF objects 1, 2, … with a correct
// cross-reference table; object 1 is the catalog.
func assemblePDF(objs []string) []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n")
	offsets := make([]int, len(objs))
	for i, o := range objs {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref)
	return b.Bytes()
}

// textOps is a content stream that shows one sentence, followed by pad
// bytes of filler.
func textOps(pad int, filler string) []byte {
	var b bytes.Buffer
	b.WriteString("BT /F1 12 Tf 72 720 Td (Kenyan police officers arrived in the capital on Tuesday, officials said.) Tj ET\n")
	if pad > 0 {
		chunk := strings.Repeat(filler, 4096/len(filler)+1)
		for b.Len() < pad {
			b.WriteString(chunk)
		}
	}
	return b.Bytes()
}

// flateImage is an image XObject whose data inflates to n bytes.
func flateImage(t testing.TB, n int) string {
	var z bytes.Buffer
	w, _ := zlib.NewWriterLevel(&z, zlib.BestCompression)
	if _, err := w.Write(make([]byte, n)); err != nil {
		t.Fatal(err)
	}
	_ = w.Close()
	return fmt.Sprintf("<< /Type /XObject /Subtype /Image /Width 1000 /Height %d /ColorSpace /DeviceGray /BitsPerComponent 8 /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream", n/1000, z.Len(), z.String())
}

// TestPDFBombRefused: a PDF of about 100 KB whose content stream inflates
// to 100 MB (of bare numbers, the interpreter's worst case: the old
// loader took 6 GB and 42 s) is refused quickly, in little memory, with
// an error that says which limit.
func TestPDFBombRefused(t *testing.T) {
	data := flatePDF(t, textOps(100<<20, "0 "))
	if len(data) > 200<<10 {
		t.Fatalf("bomb is %d bytes, want about 100 KB", len(data))
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start := time.Now()
	_, err := Parse("report.pdf", data, Meta{})
	elapsed := time.Since(start)
	runtime.ReadMemStats(&after)
	if !errors.Is(err, ErrPDFLimit) || !strings.Contains(err.Error(), "inflate") {
		t.Fatalf("err = %v, want ErrPDFLimit about inflating", err)
	}
	if elapsed > 5*time.Second {
		t.Errorf("refusing the bomb took %v", elapsed)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 64<<20 {
		t.Errorf("refusing the bomb allocated %d MB", alloc>>20)
	}
}

func TestPDFLimits(t *testing.T) {
	clock := func(step time.Duration) func() time.Time {
		now := time.Unix(0, 0)
		return func() time.Time { now = now.Add(step); return now }
	}
	generous := pdfLimits{Inflated: 1 << 30, Page: 1 << 30, Streams: 1000, Time: time.Hour}
	tests := []struct {
		name    string
		data    []byte
		lim     pdfLimits
		now     func() time.Time
		wantErr string // "" for success
	}{
		{"ordinary compressed PDF", flatePDF(t, textOps(0, "")), defaultPDFLimits, time.Now, ""},
		{"padding within the limits", flatePDF(t, textOps(64<<10, "  ")), defaultPDFLimits, time.Now, ""},
		// A large image is never inflated by text extraction, so it does
		// not count against the limit.
		{"large image does not count", flatePDF(t, textOps(0, ""), flateImage(t, 8<<20)), pdfLimits{Inflated: 1 << 20, Page: 1 << 20, Streams: 10, Time: time.Hour}, time.Now, ""},
		{"raw scan total", flatePDF(t, textOps(2<<20, "0 ")), pdfLimits{Inflated: 1 << 20, Page: 1 << 30, Streams: 10, Time: time.Hour}, time.Now, "streams inflate to more than 1 MiB"},
		// The page check, through the library, covers streams the raw
		// scan cannot read (encrypted files).
		{"page limit", flatePDF(t, textOps(3<<20, "0 ")), pdfLimits{Inflated: 1 << 30, Page: 2 << 20, Streams: 10, Time: time.Hour}, time.Now, "page 1 inflates to more than 2 MiB"},
		{"stream count", flatePDF(t, textOps(0, "")), pdfLimits{Inflated: 1 << 30, Page: 1 << 30, Streams: 0, Time: time.Hour}, time.Now, "more than 0 compressed streams"},
		{"time limit", flatePDF(t, textOps(0, "")), generous, clock(2 * time.Hour), "took longer than 1h0m0s"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			text, err := extractPDFWithin(tc.data, tc.lim, tc.now)
			if tc.wantErr == "" {
				if err != nil || !strings.Contains(text, "Kenyan police officers arrived") {
					t.Fatalf("text %q, err %v", text, err)
				}
				return
			}
			if !errors.Is(err, ErrPDFLimit) || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("err = %v, want ErrPDFLimit with %q", err, tc.wantErr)
			}
		})
	}
}
