package corpus

import (
	"strings"
	"testing"
)

func TestFileNameFor(t *testing.T) {
	tests := []struct{ title, ext, want string }{
		{"Kenyan Police Arrive in Haiti!", ".html", "kenyan-police-arrive-in-haiti.html"},
		{"Haïti: l'ONU prolonge", "txt", "haiti-l-onu-prolonge.txt"},
		{"../../etc/passwd", ".txt", "etc-passwd.txt"},
		{"", ".pdf", "document.pdf"},
		{"!!!", ".md", "document.md"},
		{"海地", ".txt", "document.txt"},
		{"CON", ".txt", "con-document.txt"},
		{"title", "", "title"},
		{"title", "./../sh", "title.sh"},
		{strings.Repeat("word ", 40), ".txt", strings.TrimSuffix(strings.Repeat("word-", 12), "-") + ".txt"},
	}
	for _, tc := range tests {
		t.Run(tc.title, func(t *testing.T) {
			got := FileNameFor(tc.title, tc.ext)
			if got != tc.want {
				t.Errorf("FileNameFor(%q, %q) = %q, want %q", tc.title, tc.ext, got, tc.want)
			}
			if strings.ContainsAny(got, `/\ `) || strings.HasPrefix(got, ".") {
				t.Errorf("unsafe file name %q", got)
			}
		})
	}
}
