package corpus

import (
	"slices"
	"testing"
)

// TestAlsoReportedBy: each outlet once, case and spacing aside, never the
// document's own, the title standing in for a missing publisher.
func TestAlsoReportedBy(t *testing.T) {
	copies := []Meta{
		{Publisher: "Reuters"},
		{Publisher: "Harbour  Gazette"},
		{Publisher: "reuters"},
		{Title: "Ferry link approved"},
		{Publisher: "Coast Mail"},
		{},
	}
	got := AlsoReportedBy("Coast Mail", copies)
	want := []string{"Reuters", "Harbour Gazette", "Ferry link approved"}
	if !slices.Equal(got, want) {
		t.Errorf("AlsoReportedBy = %q, want %q", got, want)
	}
	if got := AlsoReportedBy("Reuters", []Meta{{Publisher: "REUTERS"}}); len(got) != 0 {
		t.Errorf("the document's own outlet listed: %q", got)
	}
}
