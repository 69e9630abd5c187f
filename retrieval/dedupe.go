package retrieval

import (
	"cmp"
	"math"
	"missionbot/corpus"
	"missionbot/text"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"unicode"
	"unicode/utf8"
)

// Near-duplicate detection. Two outlets often run the same wire story;
// indexing both copies would fill the top-k with one passage and cite the
// story twice. Documents are taken in order of preference (see preferDoc:
// dated, most complete, earliest, best described first), and each is
// compared with the documents before it, at two levels.
//
// Whole documents: a document is a copy of an earlier one, and is folded
// into it (all its chunks dropped, the kept document citing it as also
// reporting the story), when it shares at least dupDocCandidateShare of its
// sampled 3-word shingles with that document and, on full text:
//   - every number it states occurs there,
//   - at least dupDocTerms of its content terms occur there, and
//   - every sentence of at least dupSentenceWords words has at least
//     dupDocSentence of its content terms within three consecutive
//     sentences there, so a copy that adds a sentence with a new fact is
//     never folded away,
//
// and the two are not dated more than dupDocMaxDays apart. Edited wire
// copies (reworded sentences, merged paragraphs, another outlet's
// boilerplate) pass; reports of the same event written independently do
// not (see dedupe_test.go).
//
// Passages: a chunk is dropped when its content is substantially
// contained in the earlier chunks of one other document:
//   - at least dupContainment of its 3-word shingles occur there,
//   - every sentence of at least dupSentenceWords words has at least
//     dupSentenceContainment of its shingles there, and
//   - every number it states occurs there, so "2,000 troops" is never lost
//     to a copy that says "1,000".
//
// The thresholds come from the tests in dedupe_test.go: a copy with
// edited punctuation, quotes and a changed word or two scores above 0.9;
// rewritten paraphrases of the same event (corpus documents 000 and 001)
// score below 0.4 on shingles, below 0.5 per sentence and 0.7 on terms.
const (
	dupContainment         = 0.8
	dupSentenceContainment = 0.5
	dupSentenceWords       = 6
	dupDocCandidateShare   = 0.3
	dupDocTerms            = 0.8
	dupDocSentence         = 0.5
	dupDocMaxDays          = 7
	// dupCandidateShare: a document becomes a candidate when it holds this
	// share of a chunk's sampled shingles; candidates are then verified
	// on full text.
	dupCandidateShare = 0.5
	// dupPostingCap: a shingle found in this many chunks is too common to
	// point at a copy ("the United Nations Security") and is not followed.
	dupPostingCap = 64
	// dupSampleWords: above this many words in all chunks, only one
	// shingle hash in dupSampleMod is indexed, keeping candidate search
	// linear and small for 100k-chunk corpora.
	dupSampleWords = 1_000_000
	dupSampleMod   = 4
)

// docChunks is one document's chunks, in Seq order, as dedupe takes them.
type docChunks struct {
	meta   corpus.Meta
	chunks []Chunk
	// bytes is the length of the chunks' text, set by dedupe.
	bytes int
}

// deduped is what dedupe makes of a corpus's chunks.
type deduped struct {
	// kept are the chunks to index, ordered by DocID then Seq, with the
	// documents of the copies they absorbed in Corroborating.
	kept []Chunk
	// dropped are the chunks folded into kept ones, ordered by DocID then
	// Seq, Corroborating empty: the index keeps them (without vectors) so
	// the next refresh can dedupe again without reading their files.
	dropped []Chunk
	// folds lists the documents none of whose chunks were kept, by
	// Copy.DocID.
	folds []Fold
}

// preferDoc orders documents for dedupe: of two carrying the same
// passage, the one earlier in this order keeps it and cites the other.
// Dated before undated (a date is what time questions rank by), then the
// more complete (more text), then the earlier date (the original rather
// than a re-run), then the one stating more about itself, then by DocID.
func preferDoc(a, b *docChunks) int {
	ad, bd := a.meta.Published != "", b.meta.Published != ""
	if ad != bd {
		if ad {
			return -1
		}
		return 1
	}
	if c := cmp.Compare(b.bytes, a.bytes); c != 0 {
		return c
	}
	if c := cmp.Compare(a.meta.Published, b.meta.Published); c != 0 {
		return c
	}
	if c := cmp.Compare(describedBy(b.meta), describedBy(a.meta)); c != 0 {
		return c
	}
	return cmp.Compare(a.meta.DocID, b.meta.DocID)
}

func textBytes(cs []Chunk) int {
	n := 0
	for _, c := range cs {
		n += len(c.Text)
	}
	return n
}

// describedBy counts what a document states about itself besides its date.
func describedBy(m corpus.Meta) int {
	n := 0
	for _, s := range []string{m.Publisher, m.Author, m.URL} {
		if s != "" {
			n++
		}
	}
	return n
}

// dedupe folds copies of documents and near-duplicate passages into the
// preferred document's chunks (see the rules above). The Corroborating
// fields of the input are ignored; the kept chunks' are recomputed.
func dedupe(docs []docChunks) deduped {
	ordered := make([]*docChunks, len(docs))
	for i := range docs {
		docs[i].bytes = textBytes(docs[i].chunks)
		ordered[i] = &docs[i]
	}
	slices.SortStableFunc(ordered, preferDoc)

	var chunks []Chunk
	var docOf []int32
	docStart := make([]int, 0, len(ordered)+1)
	totalWords := 0
	for d, dc := range ordered {
		docStart = append(docStart, len(chunks))
		for _, c := range dc.chunks {
			c.Corroborating = nil
			chunks = append(chunks, c)
			docOf = append(docOf, int32(d))
			totalWords += len(c.Text) / 6 // cheap estimate
		}
	}
	docStart = append(docStart, len(chunks))
	if len(ordered) < 2 {
		return splitDeduped(chunks, nil, nil)
	}
	mod := uint64(1)
	if totalWords > dupSampleWords {
		mod = dupSampleMod
	}

	// Shingling is the costly part of reading a chunk and needs nothing
	// but its text: do it for all chunks up front, on every core.
	hashesOf := make([][]uint64, len(chunks))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), max(len(chunks)/1024, 1)) {
		wg.Go(func() {
			var tokens []uint64
			for {
				lo := int(next.Add(256)) - 256
				if lo >= len(chunks) {
					return
				}
				for i := lo; i < min(lo+256, len(chunks)); i++ {
					tokens = tokenHashes(tokens[:0], chunks[i].Text)
					hashesOf[i] = sampledShingles(nil, tokens, mod)
				}
			}
		})
	}
	wg.Wait()

	numDocs := len(ordered)
	index := newShingleIndex(totalWords / int(mod))
	var post []int32
	dropped := make([]bool, len(chunks))
	dropDoc := make([]int32, len(chunks)) // for a dropped chunk, the document it went into
	var folds []Fold
	var (
		hits      = make([]int32, len(chunks)) // shared shingles per earlier chunk
		hitList   []int32                      // chunks with hits > 0
		docHits   = make([]int32, numDocs)     // shared shingles per earlier document
		docMark   = make([]int32, numDocs)     // last shingle stamp counted per document
		docList   []int32                      // documents with docHits > 0
		docShared = make([]int32, numDocs)     // shared shingles of the current document
		sharedIn  []int32                      // documents with docShared > 0
		stamp     int32
		cands     []int32
		chunkBuf  []int32
		resetHits = func() {
			for _, a := range hitList {
				hits[a] = 0
			}
			for _, d := range docList {
				docHits[d] = 0
			}
			hitList, docList = hitList[:0], docList[:0]
		}
	)
	var pend []pendingDrop
	for d := 0; d < numDocs; d++ {
		lo, hi := docStart[d], docStart[d+1]
		pend = pend[:0]
		for _, e := range sharedIn {
			docShared[e] = 0
		}
		sharedIn = sharedIn[:0]
		effTotal := 0
		for i := lo; i < hi; i++ {
			hs := hashesOf[i]
			resetHits()
			effective := 0
			for _, h := range hs {
				post = index.postings(h, post[:0])
				if len(post) >= dupPostingCap {
					continue
				}
				effective++
				stamp++
				for _, a := range post {
					e := docOf[a]
					if hits[a] == 0 {
						hitList = append(hitList, a)
					}
					hits[a]++
					if docMark[e] != stamp {
						docMark[e] = stamp
						if docHits[e] == 0 {
							docList = append(docList, e)
						}
						docHits[e]++
					}
				}
			}
			effTotal += effective
			for _, e := range docList {
				if docShared[e] == 0 {
					sharedIn = append(sharedIn, e)
				}
				docShared[e] += docHits[e]
			}
			if effective == 0 || len(docList) == 0 {
				continue
			}
			need := int32(max(int(dupCandidateShare*float64(effective)+0.5), 1))
			cands = candidates(cands[:0], docList, docHits, need)
			for _, e := range cands {
				chunkBuf = chunkBuf[:0]
				for _, a := range hitList {
					if docOf[a] == e {
						chunkBuf = append(chunkBuf, a)
					}
				}
				slices.Sort(chunkBuf)
				if !containedIn(chunks[i].Text, chunks, chunkBuf) {
					continue
				}
				best := chunkBuf[0]
				for _, a := range chunkBuf {
					if hits[a] > hits[best] {
						best = a
					}
				}
				var targets []int32
				for _, a := range chunkBuf {
					if a == best || float64(hits[a]) >= 0.25*float64(effective) {
						targets = append(targets, a)
					}
				}
				pend = append(pend, pendingDrop{chunk: i, into: e, targets: targets})
				break
			}
		}

		into := int32(-1)
		if effTotal > 0 {
			need := int32(math.Ceil(dupDocCandidateShare * float64(effTotal)))
			cands = candidates(cands[:0], sharedIn, docShared, need)
			for _, e := range cands {
				// When every passage already repeats one of e's, the
				// passage checks have said it; otherwise compare the
				// texts.
				if allInto(pend, e, hi-lo) || isCopyOf(ordered[d], ordered[e]) {
					into = e
					break
				}
			}
		}
		if into >= 0 {
			// The whole document is a copy: every chunk goes, and each
			// passage of the kept document it shares cites it.
			cited := false
			for i := lo; i < hi; i++ {
				dropped[i], dropDoc[i] = true, into
				if a, ok := bestChunkIn(hashesOf[i], index, docOf, into); ok {
					chunks[a].Corroborating = addCorroborating(chunks[a], chunks[i].Meta)
					cited = true
				}
			}
			if !cited {
				a := docStart[into]
				chunks[a].Corroborating = addCorroborating(chunks[a], ordered[d].meta)
			}
			folds = append(folds, Fold{Copy: ordered[d].meta, Into: ordered[into].meta})
			continue
		}
		for _, p := range pend {
			dropped[p.chunk], dropDoc[p.chunk] = true, p.into
			for _, a := range p.targets {
				chunks[a].Corroborating = addCorroborating(chunks[a], chunks[p.chunk].Meta)
			}
		}
		all := hi > lo
		for i := lo; i < hi; i++ {
			if dropped[i] {
				continue
			}
			all = false
			for _, h := range hashesOf[i] {
				index.add(h, int32(i))
			}
		}
		if all {
			// Every passage repeats another document's: the document
			// vanishes from the index, so say where it went.
			count := map[int32]int{}
			for i := lo; i < hi; i++ {
				count[dropDoc[i]]++
			}
			best := int32(-1)
			for e, n := range count {
				if best < 0 || n > count[best] || n == count[best] && e < best {
					best = e
				}
			}
			folds = append(folds, Fold{Copy: ordered[d].meta, Into: ordered[best].meta})
		}
	}
	return splitDeduped(chunks, dropped, folds)
}

// shingleIndex maps shingle hashes to the kept chunks holding them, at
// most dupPostingCap per hash, in flat arrays: a map of slices costs about
// a hundred bytes per shingle, which at 100k chunks is most of a refresh's
// memory beyond the index itself.
type shingleIndex struct {
	heads []int32 // per bucket, the newest entry; -1 when empty
	shift uint    // 64 - log2(len(heads))
	ents  []shingleEntry
}

type shingleEntry struct {
	h     uint64
	chunk int32
	next  int32 // the next older entry of the bucket; -1 at the end
}

func newShingleIndex(expect int) *shingleIndex {
	x := &shingleIndex{}
	x.grow(max(expect, 1024))
	return x
}

// grow rebuilds the buckets for about n entries.
func (x *shingleIndex) grow(n int) {
	bits := uint(10)
	for 1<<bits < n {
		bits++
	}
	x.heads = make([]int32, 1<<bits)
	for i := range x.heads {
		x.heads[i] = -1
	}
	x.shift = 64 - bits
	for i := range x.ents {
		b := x.bucket(x.ents[i].h)
		x.ents[i].next, x.heads[b] = x.heads[b], int32(i)
	}
}

// bucket spreads hashes over the buckets by Fibonacci hashing: sampled
// shingle hashes share their low bits.
func (x *shingleIndex) bucket(h uint64) int { return int((h * 0x9E3779B97F4A7C15) >> x.shift) }

// postings appends the chunks holding h to dst, newest first.
func (x *shingleIndex) postings(h uint64, dst []int32) []int32 {
	for e := x.heads[x.bucket(h)]; e >= 0; e = x.ents[e].next {
		if x.ents[e].h == h {
			dst = append(dst, x.ents[e].chunk)
		}
	}
	return dst
}

// add records that chunk holds h, unless dupPostingCap chunks already do.
func (x *shingleIndex) add(h uint64, chunk int32) {
	b := x.bucket(h)
	n := 0
	for e := x.heads[b]; e >= 0; e = x.ents[e].next {
		if x.ents[e].h == h {
			if n++; n >= dupPostingCap {
				return
			}
		}
	}
	x.ents = append(x.ents, shingleEntry{h: h, chunk: chunk, next: x.heads[b]})
	x.heads[b] = int32(len(x.ents) - 1)
	if len(x.ents) > 2*len(x.heads) {
		x.grow(2 * len(x.ents))
	}
}

// candidates appends to dst the documents of docs whose count reaches
// need, most shared first (then by position), and returns it.
func candidates(dst, docs, count []int32, need int32) []int32 {
	for _, e := range docs {
		if count[e] >= need {
			dst = append(dst, e)
		}
	}
	slices.SortFunc(dst, func(a, b int32) int {
		if c := cmp.Compare(count[b], count[a]); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	return dst
}

// pendingDrop is a passage-level decision of dedupe, applied unless the
// whole document is folded.
type pendingDrop struct {
	chunk   int
	into    int32   // the document it repeats
	targets []int32 // the kept chunks that gain it as corroborating
}

// allInto reports whether the pending decisions drop all n chunks of a
// document into document e.
func allInto(pend []pendingDrop, e int32, n int) bool {
	if len(pend) != n {
		return false
	}
	for _, p := range pend {
		if p.into != e {
			return false
		}
	}
	return true
}

// splitDeduped sorts chunks into kept and dropped, each by DocID then Seq,
// and the folds by Copy.DocID.
func splitDeduped(chunks []Chunk, dropped []bool, folds []Fold) deduped {
	// Sort positions, not the 160-byte chunks.
	order := make([]int32, len(chunks))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(a, b int32) int {
		if c := cmp.Compare(chunks[a].Meta.DocID, chunks[b].Meta.DocID); c != 0 {
			return c
		}
		if c := cmp.Compare(chunks[a].Seq, chunks[b].Seq); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	var out deduped
	out.kept = make([]Chunk, 0, len(chunks))
	for _, i := range order {
		c := chunks[i]
		if dropped != nil && dropped[i] {
			c.Corroborating = nil
			out.dropped = append(out.dropped, c)
		} else {
			out.kept = append(out.kept, c)
		}
	}
	slices.SortFunc(folds, func(a, b Fold) int { return cmp.Compare(a.Copy.DocID, b.Copy.DocID) })
	out.folds = folds
	return out
}

// bestChunkIn returns the kept chunk of document doc that shares the most
// of hashes, the sampled shingles of a chunk being folded.
func bestChunkIn(hashes []uint64, index *shingleIndex, docOf []int32, doc int32) (int32, bool) {
	count := map[int32]int{}
	best, found := int32(0), false
	var post []int32
	for _, h := range hashes {
		post = index.postings(h, post[:0])
		for _, a := range post {
			if docOf[a] != doc {
				continue
			}
			count[a]++
			if !found || count[a] > count[best] || count[a] == count[best] && a < best {
				best, found = a, true
			}
		}
	}
	return best, found
}

// isCopyOf verifies on full text that document c is a copy of document k
// (see the rules above): nothing c states is missing from k.
func isCopyOf(c, k *docChunks) bool {
	if cd, ok := c.meta.Date(); ok {
		if kd, ok := k.meta.Date(); ok && math.Abs(cd.Sub(kd).Hours()) > dupDocMaxDays*24 {
			return false
		}
	}
	ct, kt := joinChunks(c.chunks), joinChunks(k.chunks)
	nums := map[string]bool{}
	for _, n := range numbersIn(kt) {
		nums[n] = true
	}
	for _, n := range numbersIn(ct) {
		if !nums[n] {
			return false
		}
	}
	if newTermSet(text.Terms(kt)).share(text.Terms(ct)) < dupDocTerms {
		return false
	}
	ks := text.SplitSentences(kt)
	kTerms := make([][]string, len(ks))
	for i, s := range ks {
		kTerms[i] = text.Terms(s)
	}
	windows := make([]termSet, len(ks))
	for i := range ks {
		windows[i] = newTermSet(slices.Concat(kTerms[max(0, i-1):min(len(ks), i+2)]...))
	}
	for _, s := range text.SplitSentences(ct) {
		if text.WordCount(s) < dupSentenceWords {
			continue
		}
		terms := text.Terms(s)
		best := 0.0
		for _, w := range windows {
			if best = max(best, w.share(terms)); best >= dupDocSentence {
				break
			}
		}
		if best < dupDocSentence {
			return false
		}
	}
	return true
}

// joinChunks is a document's text as its chunks hold it (overlapping
// sentences repeated, which containment does not mind).
func joinChunks(cs []Chunk) string {
	var b strings.Builder
	for i, c := range cs {
		if i > 0 {
			b.WriteString("\n\n")
		}
		b.WriteString(c.Text)
	}
	return b.String()
}

// termSet is a set of content terms that also answers for their close
// variants (see text.IsVariant) without comparing every pair.
type termSet struct {
	terms map[string]bool
	// stems holds the shorter forms that count as variants of a term:
	// its prefixes of at least five letters missing at most three.
	stems map[string]bool
}

func newTermSet(terms []string) termSet {
	s := termSet{terms: make(map[string]bool, len(terms)), stems: map[string]bool{}}
	for _, t := range terms {
		s.terms[t] = true
		for k := max(5, len(t)-3); k < len(t); k++ {
			s.stems[t[:k]] = true
		}
	}
	return s
}

// has reports whether the set holds t or a close variant of it.
func (s termSet) has(t string) bool {
	if s.terms[t] || s.stems[t] {
		return true // t itself, or a longer form of it
	}
	for k := max(5, len(t)-3); k < len(t); k++ {
		if s.terms[t[:k]] {
			return true // a shorter form
		}
	}
	return false
}

// share returns the share of the distinct terms found in s; 1 when there
// are none.
func (s termSet) share(terms []string) float64 {
	seen := make(map[string]bool, len(terms))
	n := 0
	for _, t := range terms {
		if seen[t] {
			continue
		}
		seen[t] = true
		if s.has(t) {
			n++
		}
	}
	if len(seen) == 0 {
		return 1
	}
	return float64(n) / float64(len(seen))
}

// addCorroborating returns kept's Corroborating list with m added, unless
// m is kept's own document or already listed.
func addCorroborating(kept Chunk, m corpus.Meta) []corpus.Meta {
	if m.DocID == kept.Meta.DocID {
		return kept.Corroborating
	}
	for _, have := range kept.Corroborating {
		if have.DocID == m.DocID {
			return kept.Corroborating
		}
	}
	return append(kept.Corroborating, m)
}

// containedIn verifies on full text that b is substantially contained in
// the chunks named by idx (one document's earlier chunks).
func containedIn(b string, chunks []Chunk, idx []int32) bool {
	have := make(map[uint64]struct{}, 256)
	nums := make(map[string]struct{})
	var toks []uint64
	for _, a := range idx {
		toks = tokenHashes(toks[:0], chunks[a].Text)
		for _, h := range sampledShingles(nil, toks, 1) {
			have[h] = struct{}{}
		}
		for _, n := range numbersIn(chunks[a].Text) {
			nums[n] = struct{}{}
		}
	}
	for _, n := range numbersIn(b) {
		if _, ok := nums[n]; !ok {
			return false
		}
	}
	toks = tokenHashes(toks[:0], b)
	all := sampledShingles(nil, toks, 1)
	if len(all) == 0 || containment(all, have) < dupContainment {
		return false
	}
	for _, s := range text.SplitSentences(b) {
		toks = tokenHashes(toks[:0], s)
		if len(toks) < dupSentenceWords {
			continue
		}
		if containment(sampledShingles(nil, toks, 1), have) < dupSentenceContainment {
			return false
		}
	}
	return true
}

// containment returns the share of hs found in have.
func containment(hs []uint64, have map[uint64]struct{}) float64 {
	if len(hs) == 0 {
		return 0
	}
	n := 0
	for _, h := range hs {
		if _, ok := have[h]; ok {
			n++
		}
	}
	return float64(n) / float64(len(hs))
}

// tokenHashes appends a hash of each normalised word of s to dst: runs
// of letters and digits, lower-cased, so punctuation, quotes and case do
// not matter. Hashing as it scans avoids allocating the words.
func tokenHashes(dst []uint64, s string) []uint64 {
	h := uint64(fnvOffset)
	in := false
	for i := 0; i < len(s); {
		c := s[i]
		var r rune
		size := 1
		if c < 0x80 {
			r = rune(c)
			if 'A' <= c && c <= 'Z' {
				r += 'a' - 'A'
			}
			if !('a' <= r && r <= 'z' || '0' <= r && r <= '9') {
				r = -1
			}
		} else {
			r, size = utf8.DecodeRuneInString(s[i:])
			if unicode.IsLetter(r) || unicode.IsDigit(r) {
				r = unicode.ToLower(r)
			} else {
				r = -1
			}
		}
		i += size
		if r < 0 {
			if in {
				dst = append(dst, h)
				h, in = fnvOffset, false
			}
			continue
		}
		in = true
		h ^= uint64(r)
		h *= fnvPrime
	}
	if in {
		dst = append(dst, h)
	}
	return dst
}

// sampledShingles appends the distinct hashes of the 3-word shingles of
// the word hashes toks (one shingle of all words when there are fewer
// than three) whose value is divisible by mod, sorted.
func sampledShingles(dst []uint64, toks []uint64, mod uint64) []uint64 {
	start := len(dst)
	if len(toks) > 0 && len(toks) < 3 {
		h := uint64(0)
		for _, t := range toks {
			h = mix64(h ^ t)
		}
		if h%mod == 0 {
			dst = append(dst, h)
		}
		return dst
	}
	for i := 0; i+3 <= len(toks); i++ {
		h := mix64(mix64(mix64(toks[i])^toks[i+1]) ^ toks[i+2])
		if h%mod == 0 {
			dst = append(dst, h)
		}
	}
	s := dst[start:]
	slices.Sort(s)
	return dst[:start+len(slices.Compact(s))]
}

// numbersIn returns the numbers stated in s, without thousands
// separators ("2,000" → "2000").
func numbersIn(s string) []string {
	var out []string
	for i := 0; i < len(s); {
		if s[i] < '0' || s[i] > '9' {
			i++
			continue
		}
		j := i
		var b strings.Builder
		for j < len(s) {
			c := s[j]
			if c >= '0' && c <= '9' {
				b.WriteByte(c)
				j++
				continue
			}
			if (c == ',' || c == '.') && j+1 < len(s) && s[j+1] >= '0' && s[j+1] <= '9' {
				if c == '.' {
					b.WriteByte('.')
				}
				j++
				continue
			}
			break
		}
		out = append(out, b.String())
		i = j
	}
	return out
}
