package retrieval

import (
	"missionbot/corpus"
	"missionbot/text"
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Near-duplicate detection. Two outlets often run the same wire story;
// indexing both copies would fill the top-k with one passage. A later
// chunk (by DocID, then Seq) is dropped when its content is substantially
// contained in the earlier chunks of one other document:
//   - at least dupContainment of its 3-word shingles occur there,
//   - every sentence of at least dupSentenceWords words has at least
//     dupSentenceContainment of its shingles there, so a copy that adds a
//     sentence with a new fact is kept, and
//   - every number it states occurs there, so "2,000 troops" is never lost
//     to a copy that says "1,000".
//
// The thresholds come from the tests in dedupe_test.go: a copy with
// edited punctuation, quotes and a changed word or two scores above 0.9;
// rewritten paraphrases of the same event (corpus documents 000 and 001)
// score below 0.4.
const (
	dupContainment         = 0.8
	dupSentenceContainment = 0.5
	dupSentenceWords       = 6
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

// dedupeChunks drops near-duplicate chunks across documents, keeping the
// earliest (by DocID, then Seq) and listing the dropped copies' documents
// in the Corroborating field of the kept chunks they repeat. chunks must
// be ordered by DocID, then Seq.
func dedupeChunks(chunks []Chunk) []Chunk {
	if len(chunks) < 2 {
		return chunks
	}
	totalWords := 0
	for _, c := range chunks {
		totalWords += len(c.Text) / 6 // cheap estimate
	}
	mod := uint64(1)
	if totalWords > dupSampleWords {
		mod = dupSampleMod
	}

	docOf := make([]int32, len(chunks))
	doc := int32(-1)
	for i, c := range chunks {
		if i == 0 || c.Meta.DocID != chunks[i-1].Meta.DocID {
			doc++
		}
		docOf[i] = doc
	}

	numDocs := int(doc) + 1
	index := make(map[uint64][]int32, totalWords/int(mod))
	dropped := make([]bool, len(chunks))
	var (
		hashes    []uint64
		tokens    []uint64
		hits      = make([]int32, len(chunks)) // shared shingles per earlier chunk
		hitList   []int32                      // chunks with hits > 0
		docHits   = make([]int32, numDocs)     // shared shingles per earlier document
		docMark   = make([]int32, numDocs)     // last shingle stamp counted per document
		docList   []int32                      // documents with docHits > 0
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
	for i := range chunks {
		tokens = tokenHashes(tokens[:0], chunks[i].Text)
		hashes = sampledShingles(hashes[:0], tokens, mod)
		resetHits()
		effective := 0
		for _, h := range hashes {
			post := index[h]
			if len(post) >= dupPostingCap {
				continue
			}
			effective++
			stamp++
			for _, a := range post {
				d := docOf[a]
				if d == docOf[i] {
					continue
				}
				if hits[a] == 0 {
					hitList = append(hitList, a)
				}
				hits[a]++
				if docMark[d] != stamp {
					docMark[d] = stamp
					if docHits[d] == 0 {
						docList = append(docList, d)
					}
					docHits[d]++
				}
			}
		}
		if effective > 0 && len(docList) > 0 {
			need := int32(max(int(dupCandidateShare*float64(effective)+0.5), 1))
			cands = cands[:0]
			for _, d := range docList {
				if docHits[d] >= need {
					cands = append(cands, d)
				}
			}
			sort.Slice(cands, func(a, b int) bool {
				if docHits[cands[a]] != docHits[cands[b]] {
					return docHits[cands[a]] > docHits[cands[b]]
				}
				return cands[a] < cands[b]
			})
			for _, d := range cands {
				chunkBuf = chunkBuf[:0]
				for _, a := range hitList {
					if docOf[a] == d {
						chunkBuf = append(chunkBuf, a)
					}
				}
				sort.Slice(chunkBuf, func(x, y int) bool { return chunkBuf[x] < chunkBuf[y] })
				if !containedIn(chunks[i].Text, chunks, chunkBuf) {
					continue
				}
				dropped[i] = true
				best := chunkBuf[0]
				for _, a := range chunkBuf {
					if hits[a] > hits[best] {
						best = a
					}
				}
				for _, a := range chunkBuf {
					if a == best || float64(hits[a]) >= 0.25*float64(effective) {
						chunks[a].Corroborating = addCorroborating(chunks[a], chunks[i].Meta, chunks[i].Corroborating)
					}
				}
				break
			}
		}
		if dropped[i] {
			continue
		}
		for _, h := range hashes {
			if post := index[h]; len(post) < dupPostingCap {
				index[h] = append(post, int32(i))
			}
		}
	}
	out := chunks[:0:0]
	for i, c := range chunks {
		if !dropped[i] {
			out = append(out, c)
		}
	}
	return out
}

// addCorroborating returns kept's Corroborating list with m (and the
// documents in extra) added, skipping kept's own document and documents
// already listed.
func addCorroborating(kept Chunk, m corpus.Meta, extra []corpus.Meta) []corpus.Meta {
	out := kept.Corroborating
	for _, add := range append([]corpus.Meta{m}, extra...) {
		if add.DocID == kept.Meta.DocID {
			continue
		}
		dup := false
		for _, have := range out {
			if have.DocID == add.DocID {
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, add)
		}
	}
	return out
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
	const (
		offset = 14695981039346656037
		prime  = 1099511628211
	)
	h := uint64(offset)
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
				h, in = offset, false
			}
			continue
		}
		in = true
		h ^= uint64(r)
		h *= prime
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
	mix := func(h uint64) uint64 { // splitmix64 finaliser
		h ^= h >> 30
		h *= 0xbf58476d1ce4e5b9
		h ^= h >> 27
		h *= 0x94d049bb133111eb
		return h ^ h>>31
	}
	start := len(dst)
	if len(toks) > 0 && len(toks) < 3 {
		h := uint64(0)
		for _, t := range toks {
			h = mix(h ^ t)
		}
		if h%mod == 0 {
			dst = append(dst, h)
		}
		return dst
	}
	for i := 0; i+3 <= len(toks); i++ {
		h := mix(mix(mix(toks[i])^toks[i+1]) ^ toks[i+2])
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
