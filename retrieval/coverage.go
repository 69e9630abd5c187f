package retrieval

import (
	"math"
	"missionbot/text"
	"slices"
	"sort"
	"strings"
)

// Query expansion and coverage tuning.
const (
	// relatedCredit is how much of a term a passage holds when it has only
	// a word the lexicon relates to it (a synonym, a narrower word): less
	// than the term itself, since a related word may carry another sense.
	relatedCredit = 0.75
	// partCredit is how much of a collocation ("head of state") a passage
	// holds with one of its words alone.
	partCredit = 0.4
	// maxRelated caps the related words a term is matched through, the
	// commonest in the corpus first, so a word with many senses cannot
	// make a search slow.
	maxRelated = 24
	// relatedBM25 weighs a related word's BM25 score against the term's.
	relatedBM25 = 0.5
	// surnameCredit is how much of a person's name its last word alone
	// holds.
	surnameCredit = 0.8
	// derivedCredit is how much of a term one of its derived forms holds.
	derivedCredit = 0.9
	// nearBM25 weighs, in ranking only, the BM25 score of a word the
	// lexicon relates to a term the corpus uses ("gift" for "present"): a
	// passage may say the same thing another way, but such a word does not
	// count as holding the term.
	nearBM25 = 0.15
)

// coverageQuery is a query prepared against one generation's vocabulary:
// its content terms, each with the ways a passage can hold it and its
// weight, for ranking and for measuring how much of it each passage holds.
type coverageQuery struct {
	lex    *bm25
	chunks []Chunk // the texts lex indexes, for checking names written as sequences
	terms  []queryTerm
	total  float64
	known  int // how many terms the corpus holds, literally or through related words
	// foreign is set for a question written in French, Creole or Spanish:
	// it holds a glossary word that is no English word.
	foreign bool
}

// queryTerm is one content term of a query.
type queryTerm struct {
	QueryTerm
	alts []alt
	// near are the vocabulary ids of words the lexicon relates to a term
	// the corpus uses, ranked by but not counted as the term.
	near []int32
}

// alt is one way a passage can hold a term: all of ids present, and, for a
// name of several words, seq present as a sequence of tokens.
type alt struct {
	ids    []int32
	seq    []string
	credit float64
}

// QueryTerm describes one content term of a searched query as the corpus
// knows it, so an answerer can match sentences the way the search did and
// see which parts of a question the corpus never mentions.
type QueryTerm struct {
	// Term is the term as text.Terms gives it, or the tokens of a
	// collocation the lexicon knows joined by spaces ("head of stat").
	Term string `json:"term"`
	// Weight is the term's information weight (an IDF); the weights of a
	// query's terms sum to its total information.
	Weight float64 `json:"weight"`
	// Known is true when the corpus uses the term itself, a close variant
	// or a spelling one edit away.
	Known bool `json:"known"`
	// Related lists the words the lexicon relates to the term that the
	// corpus uses, when it does not use the term itself (tokens joined by
	// spaces for a collocation).
	Related []string `json:"related,omitempty"`
	// Derived lists the corpus's words derived from the term or it from
	// them ("die" for "death"), which count nearly as the term.
	Derived []string `json:"derived,omitempty"`

	// Name is true when the question wrote the term as a name (capitalised
	// mid-sentence, or an acronym).
	Name bool `json:"name,omitempty"`
	// Number is true for a figure ("2751", "2025").
	Number bool `json:"number,omitempty"`
	// Frame is true for a word that places the question rather than says
	// what it is about: a date ("September 2024"), a change verb in "how did
	// X grow", "number" in "the number of". It weighs nothing in coverage;
	// the search still ranks by it.
	Frame bool `json:"frame,omitempty"`
	// Tokens are the term's own tokens (one, or a collocation's words).
	Tokens []string `json:"-"`
	// Sequence is true for a name of several words ("Court of Appeal"),
	// which a passage holds only as that sequence of tokens.
	Sequence bool `json:"-"`
	// Surname is the last word of a sequence when it is a proper name
	// ("austin" of "lloyd austin"), which alone stands for the name.
	Surname string `json:"-"`
	// Forms are the tokens that count as the term itself: the term, its
	// close variants in the corpus, or its corrected spelling.
	Forms []string `json:"-"`
}

// InCorpus reports whether the corpus holds the term in some way: itself,
// a close variant or spelling, a translation, or a word the lexicon
// relates to it.
func (t QueryTerm) InCorpus() bool { return t.Known || len(t.Related) > 0 }

// Holds reports whether toks (a sentence's tokens, as text.Tokens gives
// them) hold the term: one of its forms, a related word, or, for a
// collocation, all of its words. The second result is the credit: 1 for
// the term itself, less for a related word or part of a collocation.
func (t QueryTerm) Holds(toks []string) (bool, float64) {
	credit, _ := t.Match(toks)
	return credit > 0, credit
}

// Match is Holds with the related word that holds the term ("pay" for
// "salary"), or "" when the term itself, a variant or part of it does:
// one word of a sentence stands for one word of a question, so a caller
// does not count "paid" as both the "salary" and the "earn" asked about.
func (t QueryTerm) Match(toks []string) (credit float64, related string) {
	has := func(w string) bool {
		if t.Sequence && w == t.Term {
			return containsSeq(toks, t.Tokens)
		}
		if strings.Contains(w, " ") {
			for _, p := range strings.Fields(w) {
				if !slices.Contains(toks, p) {
					return false
				}
			}
			return true
		}
		return slices.Contains(toks, w)
	}
	for _, f := range t.Forms {
		if has(f) {
			return 1, ""
		}
	}
	for _, d := range t.Derived {
		if slices.Contains(toks, d) {
			return derivedCredit, ""
		}
	}
	if t.Surname != "" && slices.Contains(toks, t.Surname) {
		return surnameCredit, ""
	}
	for _, r := range t.Related {
		if has(r) {
			return relatedCredit, r
		}
	}

	if len(t.Tokens) > 1 && !t.Sequence {
		for _, p := range t.Tokens {
			if !text.IsStopword(p) && has(p) {
				return partCredit, ""
			}
		}
	}
	return 0, ""
}

// coverageQuery prepares query: its content terms (collocations the
// lexicon knows kept together), each matched through its own forms, a
// corrected spelling, or, when the corpus uses neither, through the words
// the lexicon relates to it. A term weighs its IDF. A term the corpus
// holds in no way weighs the most when it is a name or a figure (the
// question is about something the corpus never mentions) and as much as
// an average term otherwise (a paraphrase may use a word no source does).
func (ix *bm25) coverageQuery(query string, chunks []Chunk) coverageQuery {
	q := coverageQuery{lex: ix, chunks: chunks}
	toks, marks := text.MarkedTokens(query)
	for _, tok := range toks {
		q.foreign = q.foreign || len(text.Translations(tok)) > 0 && !text.IsEnglishToo(tok)
	}
	frame := text.FrameWords(query)
	names := make([]bool, len(toks))
	breaks := make([]bool, len(toks))
	hyphens := make([]bool, len(toks))
	joins := make([]bool, len(toks))
	for i, m := range marks {
		joins[i] = nameConnectors[toks[i]] && m&text.MarkIrregular == 0
		names[i] = m&text.MarkName != 0 && !text.IsDateWord(toks[i])
		breaks[i] = m&text.MarkBreak != 0
		hyphens[i] = m&text.MarkHyphen != 0
	}
	seen := map[string]bool{}
	var unknown []int
	for i := 0; i < len(toks); i++ {
		tok := toks[i]
		n, key := text.Collocation(toks[i:])
		// A French, Haitian Creole or Spanish phrase the glossary translates
		// ("Tribinal Siperyè" for "High Court") is one term, even inside a
		// name.
		gn, gkey := text.TranslatePhrase(toks[i:])
		if gn > n {
			n, key = gn, gkey
		}
		var parts []string
		name := names[i]
		seq := false
		if m := nameRun(names[i:], breaks[i:], joins[i:]); m > 1 && gn == 0 {
			// Names joined by a hyphen that the corpus never writes
			// together are names side by side ("US-Kenya").
			if h := slices.Index(hyphens[i:i+m-1], true); h >= 0 && q.foundSeq(ix.ids(contentWords(toks[i:i+m])), toks[i:i+m]) == nil {
				m = h + 1
			}
			if m > 1 {
				n, key, seq = m, strings.Join(toks[i:i+m], " "), true
			}
		}
		if n > 1 {
			parts = toks[i : i+n]
			for _, f := range names[i : i+n] {
				name = name || f
			}
			i += n - 1
		} else {
			if text.IsStopword(tok) {
				continue
			}
			key, parts = tok, []string{tok}
		}
		if seen[key] {
			continue
		}
		seen[key] = true
		t := q.prepareTerm(key, parts, seq)
		t.Name = name
		t.Number = isNumber(key)
		t.Frame = frame[key] || len(parts) > 1 && allFrame(parts, frame)
		switch {
		case !t.InCorpus():
			unknown = append(unknown, len(q.terms))
		case !t.Frame:
			q.known++
		}
		q.terms = append(q.terms, t)
	}
	// Weights of terms the corpus does not hold: see the doc comment.
	var sum float64
	for _, t := range q.terms {
		if t.InCorpus() && !t.Frame {
			sum += t.Weight
		}
	}
	avg := ix.idf("")
	if q.known > 0 {
		avg = sum / float64(q.known)
	}
	for _, i := range unknown {
		if !q.terms[i].Name && !q.terms[i].Number {
			q.terms[i].Weight = min(avg, q.terms[i].Weight)
		}
	}
	for i := range q.terms {
		if q.terms[i].Frame {
			q.terms[i].Weight = 0
		}
		q.total += q.terms[i].Weight
	}
	return q
}

// nameRun is how many tokens from the start form a name of several words:
// tokens written as names (names), joined by at most one connector (joins:
// "Court of Appeal", "Gang Suppression Force", never the "did" of "Which
// vaccine did Gavi buy?") and not broken by punctuation or a possessive
// (breaks); 0 or 1 when there is none.
func nameRun(names, breaks, joins []bool) int {
	if len(names) == 0 || !names[0] {
		return 0
	}
	n := 1
	for n < len(names) && !breaks[n-1] {
		switch {
		case names[n]:
			n++
		case n+1 < len(names) && names[n+1] && !breaks[n] && joins[n]:
			n += 2
		default:
			return n
		}
	}
	return n
}

// nameConnectors may join the words of a name: "Court of Appeal", "Port
// de Paix", "Bank of the Republic" (one connector at a time).
var nameConnectors = map[string]bool{"of": true, "de": true, "du": true, "la": true, "le": true, "del": true, "da": true, "do": true, "von": true, "van": true}

// containsSeq reports whether seq occurs in toks as a run of tokens.
func containsSeq(toks, seq []string) bool {
	if len(seq) == 0 {
		return false
	}
	for i := 0; i+len(seq) <= len(toks); i++ {
		if slices.Equal(toks[i:i+len(seq)], seq) {
			return true
		}
	}
	return false
}

// maxSequenceScan bounds how many chunks are read to find whether the
// corpus writes a name of several words as a sequence.
const maxSequenceScan = 400

// prepareTerm finds how the corpus holds one term (key, made of parts);
// seq marks a name of several words, held only as a sequence.
func (q coverageQuery) prepareTerm(key string, parts []string, seq bool) queryTerm {
	ix := q.lex
	t := queryTerm{QueryTerm: QueryTerm{Term: key, Tokens: parts, Sequence: seq}}
	addForms := func(tok string) bool {
		ids, words := ix.forms(tok)
		for _, id := range ids {
			t.alts = append(t.alts, alt{ids: []int32{id}, credit: 1})
		}
		t.Forms = append(t.Forms, words...)
		return len(ids) > 0
	}
	maxDF := 0
	if len(parts) == 1 {
		if addForms(key) || addForms(ix.correct(key)) {
			t.Known = true
		}
		// Across languages, both ways: a French, Creole or Spanish word
		// is matched through its English equivalents even where a
		// foreign document uses it ("décès" finds "deaths"), and an
		// English word through its renderings ("deaths" finds a French
		// report's "décès"). A foreign word that is also English ("lac",
		// "lace") is translated in a foreign question, or where the
		// corpus does not use it.
		if (!t.Known || q.foreign || !text.IsEnglishToo(key)) && q.translate(&t) {
			t.Known = true
		}
		for _, r := range text.Renderings(key) {
			if addForms(r) {
				t.Known = true
			}
		}
		for _, a := range t.alts {
			maxDF = max(maxDF, ix.df(a.ids[0]))
		}
	} else {
		// A collocation: all of its content words together, or any one
		// of them for part of the credit.
		all, minDF := ix.contentIDs(parts)
		found := parts
		if len(all) > 0 && seq {
			found = q.foundSeq(all, parts)
			all = ix.ids(contentWords(found))
		}
		if len(all) > 0 && found != nil {
			a := alt{ids: all, credit: 1}
			form := strings.Join(contentWords(parts), " ")
			if seq {
				a.seq, form = found, strings.Join(found, " ")
				t.Tokens = found
				// A person's surname alone stands for the name: "Austin"
				// for "Lloyd Austin".
				if last := found[len(found)-1]; text.IsProperName(last) {
					t.alts = append(t.alts, alt{ids: ix.ids([]string{last}), credit: surnameCredit})
					t.Surname = last
				}
			}
			t.alts = append(t.alts, a)
			t.Forms = append(t.Forms, form)
			t.Known = true
			maxDF = minDF
		}
		for _, p := range contentWords(parts) {
			if id, ok := ix.terms[p]; ok && !seq {
				t.alts = append(t.alts, alt{ids: []int32{id}, credit: partCredit})
			}
		}
		if !t.Known && q.translate(&t) {
			t.Known = true
			for _, a := range t.alts {
				if a.credit == 1 {
					maxDF = max(maxDF, ix.df(rarestOf(ix, a.ids)))
				}
			}
		}
	}
	if t.Known && len(parts) == 1 {
		// Derived forms say the same thing another way ("died" for
		// "death").
		for _, d := range text.Derived(key) {
			if id, ok := ix.terms[d]; ok && !slices.Contains(t.Forms, d) {
				t.alts = append(t.alts, alt{ids: []int32{id}, credit: derivedCredit})
				t.Derived = append(t.Derived, d)
			}
		}
	}
	if t.Known && len(parts) == 1 {
		for _, r := range ix.relatedInCorpus(key) {
			if len(r.ids) == 1 && !slices.Contains(t.Forms, r.word) && !slices.Contains(t.Derived, r.word) {
				t.near = append(t.near, r.ids[0])
			}
		}
	}
	if !t.Known {
		rels := ix.relatedInCorpus(key)
		// Words the lexicon relates to the term stand for it.
		for _, r := range rels {
			t.alts = append(t.alts, alt{ids: r.ids, credit: relatedCredit})
			t.Related = append(t.Related, r.word)
			maxDF = max(maxDF, r.df)
		}
	}
	t.Weight = ix.idfOf(maxDF)
	return t
}

// translate adds to t, a French, Haitian Creole or Spanish term, the English
// equivalents the glossary gives that the corpus uses, as forms of the term
// itself: "jij" is held by a passage saying "judge". It reports whether the
// corpus uses any.
func (q coverageQuery) translate(t *queryTerm) bool {
	ix := q.lex
	found := false
	for _, e := range text.Translations(t.Term) {
		words := strings.Fields(e)
		ids, _ := ix.contentIDs(words)
		if len(ids) == 0 {
			continue
		}
		if len(ids) == 1 {
			// With the corpus's close variants of the English word, as for
			// a word of the query itself.
			fids, forms := ix.forms(contentWords(words)[0])
			for _, id := range fids {
				t.alts = append(t.alts, alt{ids: []int32{id}, credit: 1})
			}
			t.Forms = append(t.Forms, forms...)
		} else {
			t.alts = append(t.alts, alt{ids: ids, credit: 1})
			t.Forms = append(t.Forms, strings.Join(contentWords(words), " "))
		}
		found = true
	}
	return found
}

// rarestOf returns the id among ids held by the fewest chunks.
func rarestOf(ix *bm25, ids []int32) int32 {
	r := ids[0]
	for _, id := range ids[1:] {
		if ix.df(id) < ix.df(r) {
			r = id
		}
	}
	return r
}

// contentIDs returns the vocabulary ids of the content words of words and
// the smallest of their document frequencies; nil when one is not in the
// vocabulary.
func (ix *bm25) contentIDs(words []string) ([]int32, int) {
	var ids []int32
	df := math.MaxInt
	for _, w := range words {
		if text.IsStopword(w) {
			continue
		}
		id, ok := ix.terms[w]
		if !ok {
			return nil, 0
		}
		ids = append(ids, id)
		df = min(df, ix.df(id))
	}
	return ids, df
}

// relatedWord is a word the lexicon relates to a term, as the corpus holds
// it.
type relatedWord struct {
	word string  // tokens joined by spaces
	ids  []int32 // its content tokens' vocabulary ids
	df   int     // chunks holding its rarest token
}

// relatedInCorpus returns the words the lexicon relates to key that the
// corpus uses, commonest first, at most maxRelated.
func (ix *bm25) relatedInCorpus(key string) []relatedWord {
	var rels []relatedWord
	for _, r := range text.Related(key) {
		ws := strings.Fields(r)
		ids, df := ix.contentIDs(ws)
		if len(ids) > 0 {
			rels = append(rels, relatedWord{strings.Join(contentWords(ws), " "), ids, df})
		}
	}
	sort.SliceStable(rels, func(i, j int) bool { return rels[i].df > rels[j].df })
	return rels[:min(len(rels), maxRelated)]
}

// foundSeq returns the sequence the corpus writes a name of several words
// as: the name itself, or, for a name of three words or more, the name
// without a leading or trailing word ("Haitian President Jovenel Moïse"
// is written "President Jovenel Moïse"); nil when it writes neither.
func (q coverageQuery) foundSeq(ids []int32, seq []string) []string {
	if len(ids) == 0 {
		return nil
	}
	if q.anyHasSeq(ids, seq) {
		return seq
	}
	if len(contentWords(seq)) < 3 {
		return nil
	}
	for _, cut := range [][]string{seq[1:], seq[:len(seq)-1]} {
		if q.anyHasSeq(ids, cut) {
			return cut
		}
	}
	return nil
}

// anyHasSeq reports whether some chunk holding all of ids holds seq as a
// sequence, reading at most maxSequenceScan chunks.
func (q coverageQuery) anyHasSeq(ids []int32, seq []string) bool {
	rarest := ids[0]
	for _, id := range ids[1:] {
		if q.lex.df(id) < q.lex.df(rarest) {
			rarest = id
		}
	}
	for i, p := range q.lex.postings(rarest) {
		if i == maxSequenceScan {
			break
		}
		c := int32(p >> 8)
		if int(c) < len(q.chunks) && containsSeq(text.Tokens(q.chunks[c].Text), seq) {
			return true
		}
	}
	return false
}

// ids returns the vocabulary ids of toks, nil when one is not in it.
func (ix *bm25) ids(toks []string) []int32 {
	out := make([]int32, 0, len(toks))
	for _, t := range toks {
		id, ok := ix.terms[t]
		if !ok {
			return nil
		}
		out = append(out, id)
	}
	return out
}

// allFrame reports whether every content token of parts is a frame word.
func allFrame(parts []string, frame map[string]bool) bool {
	for _, p := range contentWords(parts) {
		if !frame[p] {
			return false
		}
	}
	return true
}

// contentWords drops stopwords from toks.
func contentWords(toks []string) []string {
	var out []string
	for _, t := range toks {
		if !text.IsStopword(t) {
			out = append(out, t)
		}
	}
	return out
}

func isNumber(t string) bool {
	if t == "" {
		return false
	}
	for i := 0; i < len(t); i++ {
		if !isDigit(t[i]) {
			return false
		}
	}
	return true
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// holds is the credit with which chunk holds term t: the best of its
// alternatives, 0 when it holds none.
func (q coverageQuery) holds(t queryTerm, chunk int32) float64 {
	best := 0.0
	for _, a := range t.alts {
		if a.credit <= best {
			continue
		}
		all := true
		for _, id := range a.ids {
			if !q.lex.has(id, chunk) {
				all = false
				break
			}
		}
		if all && a.seq != nil {
			all = int(chunk) < len(q.chunks) && containsSeq(text.Tokens(q.chunks[chunk].Text), a.seq)
		}
		if all {
			best = a.credit
		}
	}
	return best
}

// coverage is the weighted share of the query's terms that chunk holds: 1
// when it holds them all, near 0 when it holds only the commonest ones.
func (q coverageQuery) coverage(chunk int32) float64 {
	if q.total == 0 {
		return 0
	}
	var got float64
	for _, t := range q.terms {
		got += t.Weight * q.holds(t, chunk)
	}
	return got / q.total
}

// support is the best coverage of the query by a single sentence of
// passage that holds at least two of its terms together (one, when the
// corpus holds only one). A passage that says "the capital" in one
// sentence and "Benin" in another says nothing about Benin's capital.
func (q coverageQuery) support(passage string) float64 {
	if q.total == 0 {
		return 0
	}
	need := max(min(2, q.known), 1)
	best := 0.0
	for _, s := range text.SplitSentences(passage) {
		toks := text.Tokens(s)
		var got float64
		hits := 0
		for _, t := range q.terms {
			if ok, credit := t.Holds(toks); ok && t.Weight > 0 {
				got += t.Weight * credit
				hits++
			}
		}
		// One term alone supports the question only when it carries most
		// of it: "Who is the administrator of the Canal Authority?" in a
		// corpus about that authority is answered by "Administrator Jo
		// Vass said…".
		if hits >= need || got/q.total >= soleSupport {
			best = max(best, got/q.total)
		}
	}
	return best
}

// soleSupport is the share of a query's information one term must carry
// for a sentence holding only it to support the query.
const soleSupport = 0.6

// public returns the query's terms for Results.
func (q coverageQuery) public() []QueryTerm {
	out := make([]QueryTerm, len(q.terms))
	for i, t := range q.terms {
		out[i] = t.QueryTerm
	}
	return out
}

// bm25Terms lists the vocabulary ids BM25 scores the query by, with their
// weights: a term's forms fully, related words at relatedBM25.
func (q coverageQuery) bm25Terms() []weightedTerm {
	var out []weightedTerm
	for _, t := range q.terms {
		for _, a := range t.alts {
			w := 1.0
			switch {
			case a.credit == relatedCredit || a.credit == derivedCredit:
				w = relatedBM25

			case a.credit < 1:
				continue // a collocation's words are scored as its whole
			}
			for _, id := range a.ids {
				out = append(out, weightedTerm{id: id, weight: w})
			}
		}
		for _, id := range t.near {
			out = append(out, weightedTerm{id: id, weight: nearBM25})
		}
	}
	return out
}
