package text

import (
	"bufio"
	"bytes"
	"compress/gzip"
	_ "embed"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// lexicon holds, for every English word and collocation WordNet knows, the
// words related to it that a passage may use instead: synonyms, derived
// forms, narrower words. Keys are token sequences as Tokens produces them,
// joined by spaces ("head of stat"), so lookups and passages agree.
type lexicon struct {
	keys  []string // sorted, unique
	pos   []uint8  // per key: posNoun | posVerb | …
	cat   []byte   // per key: the category of its commonest noun sense, or 0
	start []uint32 // related of keys[i]: rel[start[i]:start[i+1]]
	rel   []int32  // indexes into keys; negative (-1-index) for a derived form
}

// Parts of speech a lexicon word can have.
const (
	posNoun uint8 = 1 << iota
	posVerb
	posAdj
	posAdv
	posProper
)

// theLexicon opens the compiled lexicon once, on first use (a few tens
// of milliseconds), and is read-only afterwards. A damaged file yields an
// empty lexicon rather than a panic: searches then match only the words
// they hold (a test keeps the shipped file readable).
var theLexicon = sync.OnceValue(func() *lexicon {
	lx, err := decodeLexicon(lexiconBin)
	if err != nil {
		return &lexicon{start: []uint32{0}}
	}
	return lx
})

// parseLexicon reads the generator's text format, lexicon.gz (the
// English lexicon derived from WordNet 3.0 by internal/lexicongen: see its
// doc comment for the format, the policy of what is kept, and WordNet's
// licence, which the file carries), tokenising every lemma: what
// CompileLexicon compiles.
func parseLexicon(data []byte) (*lexicon, error) {
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("read lexicon source: %w", err)
	}
	type entry struct {
		key string
		pos uint8
		cat byte
		rel []int // line numbers; -1-n for a derived form on line n
	}
	var lines []entry
	sc := bufio.NewScanner(zr)
	sc.Buffer(make([]byte, 1<<16), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") {
			continue
		}
		lemma, rest, ok1 := strings.Cut(line, "\t")
		posText, relText, ok2 := strings.Cut(rest, "\t")
		if !ok1 || !ok2 {
			continue
		}
		e := entry{key: strings.Join(Tokens(lemma), " ")}
		if p, c, ok := strings.Cut(posText, ":"); ok && len(c) == 1 {
			posText, e.cat = p, c[0]
		}
		for _, c := range posText {
			switch c {
			case 'n':
				e.pos |= posNoun
			case 'v':
				e.pos |= posVerb
			case 'a':
				e.pos |= posAdj
			case 'r':
				e.pos |= posAdv
			case 'i':
				e.pos |= posProper
			}
		}
		for _, f := range strings.Split(relText, ",") {
			f, derived := strings.CutSuffix(f, "+")
			if n, err := strconv.ParseInt(f, 36, 32); err == nil {
				if derived {
					n = -1 - n
				}
				e.rel = append(e.rel, int(n))
			}
		}
		lines = append(lines, e)
	}
	// Several lemmas share a key ("pledge", "pledged"): merge them.
	byKey := map[string][]int{}
	for i, e := range lines {
		if e.key != "" {
			byKey[e.key] = append(byKey[e.key], i)
		}
	}
	lx := &lexicon{keys: make([]string, 0, len(byKey))}
	for k := range byKey {
		lx.keys = append(lx.keys, k)
	}
	slices.Sort(lx.keys)
	index := make(map[string]int32, len(lx.keys))
	for i, k := range lx.keys {
		index[k] = int32(i)
	}
	keyOf := make([]int32, len(lines)) // line -> key index, -1 for none
	for li, e := range lines {
		keyOf[li] = -1
		if e.key != "" {
			keyOf[li] = index[e.key]
		}
	}
	lx.pos = make([]uint8, len(lx.keys))
	lx.cat = make([]byte, len(lx.keys))
	lx.start = make([]uint32, 1, len(lx.keys)+1)
	var rel []int32
	for i, k := range lx.keys {
		rel = rel[:0]
		for _, li := range byKey[k] {
			lx.pos[i] |= lines[li].pos
			if lx.cat[i] == 0 {
				lx.cat[i] = lines[li].cat
			}
			for _, r := range lines[li].rel {
				derived := r < 0
				if derived {
					r = -1 - r
				}
				if r < len(lines) && keyOf[r] >= 0 && keyOf[r] != int32(i) {
					if derived {
						rel = append(rel, -1-keyOf[r])
					} else {
						rel = append(rel, keyOf[r])
					}
				}
			}
		}
		slices.Sort(rel)
		rel = slices.Compact(rel) // a word both derived and otherwise related appears twice: harmless
		lx.rel = append(lx.rel, rel...)
		lx.start = append(lx.start, uint32(len(lx.rel)))
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read lexicon source: %w", err)
	}
	return lx, nil
}

// find returns the position of key, and whether the lexicon has it.
func (lx *lexicon) find(key string) (int, bool) { return slices.BinarySearch(lx.keys, key) }

// Related returns the words and collocations the lexicon relates to term
// (a term as Terms gives it, or several tokens joined by spaces for a
// collocation such as "head of stat"): its synonyms, derived forms and
// narrower words, as token sequences joined by spaces. A French or Haitian
// Creole word is read through its English equivalent (see Translations).
// It returns nil for a term the lexicon does not know. The result must not
// be modified.
func Related(term string) []string {
	lx := theLexicon()
	i, ok := lx.english(term)
	if !ok {
		return nil
	}
	ids := lx.rel[lx.start[i]:lx.start[i+1]]
	out := make([]string, len(ids))
	for j, id := range ids {
		if id < 0 {
			id = -1 - id
		}
		out[j] = lx.keys[id]
	}
	return out
}

// Derived returns the forms the lexicon derives from term or term from
// ("death" for "die", "announcement" for "announce"), as token sequences
// joined by spaces; nil when it knows none.
func Derived(term string) []string {
	lx := theLexicon()
	i, ok := lx.english(term)
	if !ok {
		return nil
	}
	var out []string
	for _, id := range lx.rel[lx.start[i]:lx.start[i+1]] {
		if id < 0 {
			out = append(out, lx.keys[-1-id])
		}
	}
	return out
}

// IsWord reports whether term (as Terms gives it) is an English word or
// collocation the lexicon knows.
func IsWord(term string) bool {
	_, ok := theLexicon().english(term)
	return ok
}

// IsNoun reports whether the lexicon knows term as a noun.
func IsNoun(term string) bool {
	lx := theLexicon()
	i, ok := lx.english(term)
	return ok && lx.pos[i]&posNoun != 0
}

// Noun categories, as NounCategory reports them.
const (
	CategoryPerson   = 'p'
	CategoryLocation = 'l'
	CategoryTime     = 't'
	CategoryQuantity = 'q'
	CategoryGroup    = 'g'
)

// NounCategory returns the kind of thing the commonest sense of noun term
// names, when it is one a question can ask for by instance (a person, a
// location, a time, a quantity, a group), or 0.
func NounCategory(term string) byte {
	lx := theLexicon()
	if i, ok := lx.english(term); ok {
		return lx.cat[i]
	}
	return 0
}

// IsProperName reports whether term is a name rather than a common word:
// the lexicon knows it only as a named person, place or thing ("austin"),
// or not at all ("kabiru").
func IsProperName(term string) bool {
	lx := theLexicon()
	i, ok := lx.english(term)
	return !ok || lx.pos[i] == posNoun|posProper
}

// IsVerb reports whether the lexicon knows term as a verb.
func IsVerb(term string) bool {
	lx := theLexicon()
	i, ok := lx.english(term)
	return ok && lx.pos[i]&posVerb != 0
}

// Collocation returns how many tokens, from the start of toks, form a
// collocation the lexicon knows ("head of state", "hold back"), up to
// three, and its key; 0 and "" when none does. The collocation must start
// and end with a content word.
func Collocation(toks []string) (int, string) {
	lx := theLexicon()
	for n := min(3, len(toks)); n >= 2; n-- {
		if IsStopword(toks[0]) || IsStopword(toks[n-1]) {
			continue
		}
		key := strings.Join(toks[:n], " ")
		if _, ok := lx.find(key); ok {
			return n, key
		}
	}
	return 0, ""
}
