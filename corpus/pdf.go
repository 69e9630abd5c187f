package corpus

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"github.com/ledongthuc/pdf"
)

// errPDFNoText is returned for a PDF without a text layer (a scan).
var errPDFNoText = errors.New("no text layer (scanned PDF?)")

// extractPDF returns the text layer of a PDF, pages separated by blank
// lines. The pdf library panics on some malformed files instead of
// returning an error; the panic is recovered and returned as an error so
// one bad file cannot stop a load.
func extractPDF(data []byte) (text string, err error) {
	defer func() {
		if r := recover(); r != nil {
			text, err = "", fmt.Errorf("read PDF: malformed file (%v)", r)
		}
	}()
	r, err := pdf.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return "", fmt.Errorf("read PDF: %w", err)
	}
	var b strings.Builder
	for i := 1; i <= r.NumPage(); i++ {
		p := r.Page(i)
		s, err := p.GetPlainText(nil)
		if err != nil {
			return "", fmt.Errorf("read PDF page %d: %w", i, err)
		}
		b.WriteString(s)
		b.WriteString("\n\n")
	}
	if strings.TrimSpace(b.String()) == "" {
		return "", errPDFNoText
	}
	return b.String(), nil
}
