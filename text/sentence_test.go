package text

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

func TestSplitSentences(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"empty", " \n ", nil},
		{"two sentences", "Police arrived. Gangs fled.", []string{"Police arrived.", "Gangs fled."}},
		{"abbreviation title", "Dr. Henry met Mr. Ruto. They talked.", []string{"Dr. Henry met Mr. Ruto.", "They talked."}},
		{"month abbreviation", "On Feb. 21 and Jan. 3 talks began. Nothing changed.", []string{"On Feb. 21 and Jan. 3 talks began.", "Nothing changed."}},
		{"saint", "They met at St. Louis cathedral. It rained.", []string{"They met at St. Louis cathedral.", "It rained."}},
		{"acronym mid sentence", "The U.S. Secretary of State arrived.", []string{"The U.S. Secretary of State arrived."}},
		{"acronym ends sentence", "Aid came from the U.S. The mission began.", []string{"Aid came from the U.S.", "The mission began."}},
		{"decimal and figures", "The US gave $1.5 million to 2,000 officers. Kenya sent 1,000.", []string{"The US gave $1.5 million to 2,000 officers.", "Kenya sent 1,000."}},
		{"initials", "Written by J. K. Rowling today. Next.", []string{"Written by J. K. Rowling today.", "Next."}},
		{"quote closes after period", `He said, "We will go." Then he left.`, []string{`He said, "We will go."`, "Then he left."}},
		{"curly quote closes", "“We are ready.” Ruto said it twice.", []string{"“We are ready.”", "Ruto said it twice."}},
		{"exclamation in quote then lowercase", "“Go home!” he shouted at them.", []string{"“Go home!” he shouted at them."}},
		{"question and exclamation", "Will it work? Nobody knows! Wait.", []string{"Will it work?", "Nobody knows!", "Wait."}},
		{"ellipsis", "They waited... Then the convoy came.", []string{"They waited...", "Then the convoy came."}},
		{"line break ends sentence", "Key Takeaways\nKenya leads the force\nUS pays", []string{"Key Takeaways", "Kenya leads the force", "US pays"}},
		{"lowercase after period", "The deal, approx. five pages, was signed.", []string{"The deal, approx. five pages, was signed."}},
		{"no final punctuation", "A headline without a stop", []string{"A headline without a stop"}},
		{"number abbreviation", "Resolution No. 2699 passed. It was historic.", []string{"Resolution No. 2699 passed.", "It was historic."}},
		{"year then digit", "It began in 2023. 65 groups objected.", []string{"It began in 2023.", "65 groups objected."}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := SplitSentences(tc.in)
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("SplitSentences(%q)\n got %q\nwant %q", tc.in, got, tc.want)
			}
		})
	}
}

// TestSplitSentencesBound: text without sentence punctuation (a
// transcript) is still cut so that no sentence exceeds MaxSentenceWords,
// at clause punctuation where there is some, and no word is lost.
func TestSplitSentencesBound(t *testing.T) {
	words := func(n int, sep func(i int) string) string {
		var b strings.Builder
		for i := range n {
			if i > 0 {
				b.WriteString(sep(i - 1))
			}
			fmt.Fprintf(&b, "w%d", i)
		}
		return b.String()
	}
	space := func(int) string { return " " }
	tests := []struct {
		name string
		in   string
		// cutAfter, when set, must end every piece but the last.
		cutAfter string
	}{
		{"no punctuation at all", words(5000, space), ""},
		{"just over the bound", words(MaxSentenceWords+1, space), ""},
		{"commas every 25 words", words(400, func(i int) string {
			if i%25 == 24 {
				return ", "
			}
			return " "
		}), ","},
		{"semicolons beat commas", words(300, func(i int) string {
			switch {
			case i%40 == 39:
				return "; "
			case i%7 == 6:
				return ", "
			}
			return " "
		}), ";"},
		{"dashes", words(300, func(i int) string {
			if i%30 == 29 {
				return " — "
			}
			return " "
		}), "—"},
		{"one long line among normal ones", "A short sentence. " + words(200, space) + " and then it ends. Another one.", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := SplitSentences(tc.in)
			if len(got) < 2 {
				t.Fatalf("got %d sentence(s), want the run cut", len(got))
			}
			for i, s := range got {
				if n := WordCount(s); n > MaxSentenceWords {
					t.Errorf("sentence %d has %d words, more than %d", i, n, MaxSentenceWords)
				}
				if tc.cutAfter != "" && i < len(got)-1 && !strings.HasSuffix(s, tc.cutAfter) {
					t.Errorf("piece %d ends %q, want a cut after %q", i, s[max(0, len(s)-20):], tc.cutAfter)
				}
			}
			if joined, want := strings.Join(got, " "), strings.Join(strings.Fields(tc.in), " "); joined != want {
				t.Errorf("pieces do not reassemble the text")
			}
		})
	}
	// A long but ordinary sentence under the bound stays whole.
	long := words(MaxSentenceWords-1, func(i int) string {
		if i%10 == 9 {
			return ", "
		}
		return " "
	}) + "."
	if got := SplitSentences(long); len(got) != 1 {
		t.Errorf("a %d-word sentence was cut into %d", MaxSentenceWords-1, len(got))
	}
}

func ExampleSplitSentences() {
	for _, s := range SplitSentences("Kenya pledged 1,000 officers. The U.S. pledged $200 million.\nKey Takeaways") {
		fmt.Println(s)
	}
	// Output:
	// Kenya pledged 1,000 officers.
	// The U.S. pledged $200 million.
	// Key Takeaways
}

func FuzzSplitSentences(f *testing.F) {
	f.Add("Dr. Henry met Mr. Ruto. They talked.")
	f.Add("“Go!” he said... Then\nKey")
	f.Fuzz(func(t *testing.T, s string) {
		for _, sent := range SplitSentences(s) {
			if sent == "" {
				t.Fatal("empty sentence")
			}
			if n := WordCount(sent); n > MaxSentenceWords {
				t.Fatalf("sentence of %d words", n)
			}
		}
	})
}

func TestLeansBack(t *testing.T) {
	for s, want := range map[string]bool{
		"This designation allows Kenya to buy weapons.": true,
		"He said the mission would succeed.":            true,
		"“They will arrive soon,” Ruto said.":           true,
		"Kenya leads the mission.":                      false,
		"Thistle is a plant.":                           false,
		"":                                              false,
	} {
		if got := LeansBack(s); got != want {
			t.Errorf("LeansBack(%q) = %v, want %v", s, got, want)
		}
	}
}
