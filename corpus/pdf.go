package corpus

import (
	"bytes"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/ledongthuc/pdf"
)

// errPDFNoText is returned for a PDF without a text layer (a scan).
var errPDFNoText = errors.New("no text layer (scanned PDF?)")

// ErrPDFLimit is returned, wrapped with the limit that was reached, for a
// PDF whose streams inflate to more than a document may (a compression
// bomb: a 100 KB file can inflate to gigabytes) or whose text takes too
// long to extract.
var ErrPDFLimit = errors.New("PDF exceeds a limit")

// pdfLimits bound the work one PDF may cause. The pdf library inflates
// streams itself, without a size limit, and its content interpreter keeps
// every operand on a stack until an operator consumes it (memory grows by
// about 65 bytes per byte of a stream of bare numbers), so the limits are
// checked before the library interprets anything:
//
//   - Inflated: the decompressed size of all the streams text extraction
//     may read (page contents, character maps, object streams; not images
//     or embedded fonts), summed, measured by inflating them into nothing
//     (constant memory) straight from the file's bytes;
//   - Page: the decompressed size of one page's content streams and its
//     fonts' character maps, measured through the library (so encrypted
//     files are covered too) before the page is interpreted; it bounds
//     the interpreter's memory;
//   - Streams: how many streams the raw scan looks at;
//   - Time: the whole extraction, checked between pages.
type pdfLimits struct {
	Inflated int64
	Page     int64
	Streams  int
	Time     time.Duration
}

// defaultPDFLimits are generous for real reports (a text page inflates
// to a few kilobytes, a page of vector drawings to a few hundred) and
// keep a bomb to a fraction of a second and well under 200 MB.
var defaultPDFLimits = pdfLimits{Inflated: 64 << 20, Page: 2 << 20, Streams: 50000, Time: 20 * time.Second}

// extractPDF returns the text layer of a PDF, pages separated by blank
// lines, within defaultPDFLimits.
func extractPDF(data []byte) (string, error) {
	return extractPDFWithin(data, defaultPDFLimits, time.Now)
}

// extractPDFWithin is extractPDF with explicit limits and clock. The pdf
// library panics on some malformed files instead of returning an error;
// the panic is recovered and returned as an error so one bad file cannot
// stop a load.
func extractPDFWithin(data []byte, lim pdfLimits, now func() time.Time) (text string, err error) {
	defer func() {
		if r := recover(); r != nil {
			text, err = "", fmt.Errorf("read PDF: malformed file (%v)", r)
		}
	}()
	start := now()
	if err := checkPDFStreams(data, lim); err != nil {
		return "", err
	}
	r, err := pdf.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return "", fmt.Errorf("read PDF: %w", err)
	}
	var b strings.Builder
	var inflated int64
	for i := 1; i <= r.NumPage(); i++ {
		if elapsed := now().Sub(start); elapsed > lim.Time {
			return "", fmt.Errorf("read PDF: %w: text extraction took longer than %v (at page %d)", ErrPDFLimit, lim.Time, i)
		}
		p := r.Page(i)
		n := pageInflatedBytes(p, lim.Page)
		if n > lim.Page {
			return "", fmt.Errorf("read PDF: %w: page %d inflates to more than %d MiB", ErrPDFLimit, i, lim.Page>>20)
		}
		if inflated += n; inflated > lim.Inflated {
			return "", fmt.Errorf("read PDF: %w: its pages inflate to more than %d MiB", ErrPDFLimit, lim.Inflated>>20)
		}
		s, err := p.GetPlainText(nil)
		if err != nil {
			return "", fmt.Errorf("read PDF page %d: %w", i, err)
		}
		if b.Len()+len(s) > MaxDocumentBytes {
			return "", fmt.Errorf("read PDF: %w: its text is larger than %d MiB", ErrPDFLimit, MaxDocumentBytes>>20)
		}
		b.WriteString(s)
		b.WriteString("\n\n")
	}
	if strings.TrimSpace(b.String()) == "" {
		return "", errPDFNoText
	}
	return b.String(), nil
}

// pageInflatedBytes returns the decompressed size of a page's content
// streams and of its fonts' ToUnicode maps, reading at most limit+1
// bytes, so a result above limit means "too large".
func pageInflatedBytes(p pdf.Page, limit int64) int64 {
	var n int64
	read := func(v pdf.Value) {
		if v.Kind() != pdf.Stream || n > limit {
			return
		}
		rd := v.Reader()
		m, _ := io.Copy(io.Discard, io.LimitReader(rd, limit-n+1))
		_ = rd.Close()
		n += m
	}
	if c := p.V.Key("Contents"); c.Kind() == pdf.Array {
		for i := 0; i < c.Len() && n <= limit; i++ {
			read(c.Index(i))
		}
	} else {
		read(c)
	}
	fonts := p.Resources().Key("Font")
	for _, k := range fonts.Keys() {
		read(fonts.Key(k).Key("ToUnicode"))
	}
	return n
}

// pdfSkipKeys mark stream dictionaries whose data text extraction never
// inflates: images, embedded font programs, embedded files.
var pdfSkipKeys = [][]byte{[]byte("/Image"), []byte("/Length1"), []byte("/Length2"), []byte("/Type1C"),
	[]byte("/CIDFontType0C"), []byte("/OpenType"), []byte("/EmbeddedFile")}

// checkPDFStreams inflates, into nothing, every Flate stream of data that
// text extraction may read, and fails when together they exceed
// lim.Inflated bytes or there are more than lim.Streams of them. It reads
// the file's bytes directly, before any parser trusts the file: the
// dictionary before each "stream" keyword says whether the stream is
// Flate-compressed and what it holds. Encrypted streams do not inflate
// here; pageInflatedBytes measures their pages through the library.
func checkPDFStreams(data []byte, lim pdfLimits) error {
	const dictWindow = 512 // a stream dictionary is short
	var total int64
	streams := 0
	for i := 0; i < len(data); {
		k := bytes.Index(data[i:], []byte("stream"))
		if k < 0 {
			return nil
		}
		k += i
		i = k + len("stream")
		if k >= 3 && string(data[k-3:k]) == "end" {
			continue
		}
		begin := i
		if begin < len(data) && data[begin] == '\r' {
			begin++
		}
		if begin >= len(data) || data[begin] != '\n' {
			continue
		}
		begin++
		window := data[max(0, k-dictWindow):k]
		if !bytes.HasSuffix(bytes.TrimRight(window, " \t\r\n"), []byte(">>")) {
			continue
		}
		o := bytes.LastIndex(window, []byte("obj"))
		if o < 0 {
			continue
		}
		dict := window[o:]
		if !bytes.Contains(dict, []byte("/Fl")) || containsAny(dict, pdfSkipKeys) {
			continue
		}
		if streams++; streams > lim.Streams {
			return fmt.Errorf("read PDF: %w: more than %d compressed streams", ErrPDFLimit, lim.Streams)
		}
		zr, err := zlib.NewReader(bytes.NewReader(data[begin:]))
		if err != nil {
			continue // not Flate data after all, or encrypted
		}
		n, _ := io.Copy(io.Discard, io.LimitReader(zr, lim.Inflated-total+1))
		_ = zr.Close()
		if total += n; total > lim.Inflated {
			return fmt.Errorf("read PDF: %w: its streams inflate to more than %d MiB (a %d KB file)", ErrPDFLimit, lim.Inflated>>20, len(data)>>10)
		}
	}
	return nil
}

// containsAny reports whether b contains any of subs.
func containsAny(b []byte, subs [][]byte) bool {
	for _, s := range subs {
		if bytes.Contains(b, s) {
			return true
		}
	}
	return false
}
