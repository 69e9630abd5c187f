package retrieval

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"math"
	"slices"

	"missionbot/text"
)

// The BM25 index in a snapshot. Building it is a tokenising pass over
// every chunk (two seconds at 100k chunks); reading its arrays back takes
// a few milliseconds, so a snapshot stores it. It is stored with terms in
// sorted order (a term's id is its position) and trusted only when
// lexicalFingerprint matches: any change to how this program tokenises,
// stems, filters stopwords or lays out the postings changes the
// fingerprint, and the index is rebuilt from the chunk texts instead.
//
// encodeLexical and the decoder store every field of bm25; a field added
// to bm25 must be added here too (TestSnapshotStoresEveryBM25Field fails
// until it is).

// lexicalProbe is text on which the fingerprint is taken: inflections,
// stopwords, numbers with separators, currency, possessives, hyphenated
// names, accents and case, so that a change in any of them shows.
var lexicalProbe = [...]string{
	"The Kenyan officers arrived in Port-au-Prince on Tuesday; Kenya's police said 2,000 more would follow.",
	"Officials pledged $300 million and 3.5 tonnes of supplies to the Multinational Security Support mission.",
	"Le Conseil de sécurité a prolongé la mission jusqu'au 2 octobre 2025. O'Neill and D'Souza were deployed.",
	"Gangs control 80 percent of the capital, the UN said. Deployment, deploying, deployed: the U.S. agreed.",
}

// lexicalFingerprint digests text.TokensVersion and the BM25 index this
// program builds over lexicalProbe, as the snapshot would store it: the
// version catches token changes the probe does not show ("l'OMS").
func lexicalFingerprint() string {
	chunks := make([]Chunk, len(lexicalProbe))
	for i, t := range lexicalProbe {
		chunks[i] = Chunk{Text: t}
	}
	h := sha256.New()
	h.Write([]byte("bm25 layout 1\x00" + text.TokensVersion + "\x00"))
	forEachLexical(newBM25(chunks), func(b []byte) { h.Write(b) })
	return hex.EncodeToString(h.Sum(nil)[:12])
}

// encodeLexical writes lx in the snapshot's lexical section.
func encodeLexical(e *snapshotEncoder, lx *bm25) {
	forEachLexical(lx, func(b []byte) { _, _ = e.bw.Write(b) })
}

// forEachLexical serialises lx as the lexical section, renumbering terms
// in sorted order, and hands the bytes to write piece by piece.
func forEachLexical(lx *bm25, write func([]byte)) {
	buf := make([]byte, 0, 1<<16)
	flush := func(force bool) {
		if len(buf) > 0 && (force || len(buf) > 1<<16-16) {
			write(buf)
			buf = buf[:0]
		}
	}
	u32 := func(x uint32) { buf = binary.LittleEndian.AppendUint32(buf, x); flush(false) }
	ids := make([]int32, len(lx.sorted))
	for i, t := range lx.sorted {
		ids[i] = lx.terms[t]
		u32(uint32(len(t)))
	}
	flush(true)
	for _, t := range lx.sorted {
		write([]byte(t))
	}
	var start uint32
	u32(0)
	for _, id := range ids {
		start += uint32(len(lx.postings(id)))
		u32(start)
	}
	for _, id := range ids {
		for _, p := range lx.postings(id) {
			u32(p)
		}
	}
	for _, l := range lx.docLen {
		u32(math.Float32bits(l))
	}
	u32(math.Float32bits(lx.avgLen))
	flush(true)
}

// valid reports whether a BM25 index read from a snapshot is consistent
// enough to search without going out of bounds, and fills its term map:
// terms sorted and distinct, postings runs in range, each in increasing
// chunk order (has relies on it).
func (lx *bm25) valid() bool {
	if len(lx.starts) != len(lx.sorted)+1 || lx.starts[0] != 0 || int(lx.starts[len(lx.sorted)]) != len(lx.post) ||
		len(lx.docLen) != lx.n || math.IsNaN(float64(lx.avgLen)) {
		return false
	}
	if !slices.IsSorted(lx.sorted) {
		return false
	}
	for i := 1; i < len(lx.sorted); i++ {
		if lx.sorted[i-1] == lx.sorted[i] {
			return false
		}
	}
	for i := range lx.sorted {
		if lx.starts[i] > lx.starts[i+1] {
			return false
		}
		prev := int64(-1)
		for _, p := range lx.post[lx.starts[i]:lx.starts[i+1]] {
			c := int64(p >> 8)
			if c <= prev || c >= int64(lx.n) {
				return false
			}
			prev = c
		}
	}
	lx.terms = make(map[string]int32, len(lx.sorted))
	for i, t := range lx.sorted {
		lx.terms[t] = int32(i)
	}
	return true
}
