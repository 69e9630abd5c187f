// Command lexicongen derives the compact English lexicon that text/ embeds
// (text/lexicon.gz) from the WordNet 3.0 database files, so query terms a
// corpus never uses can be matched through words it does use.
//
// Usage (Debian: apt-get install wordnet-base):
//
//	go run ./internal/lexicongen -wordnet /usr/share/wordnet -out text/lexicon.gz -irregular text/irregular.txt
//	go run ./internal/lexicongen -compile
//
// The second step compiles text/lexicon.gz, with the lemmas read by the
// current text.Tokens, into text/lexicon.bin.gz, the form text embeds. It
// is a separate run because tokenising reads text/irregular.txt, which the
// first step may have just rewritten. Run it alone whenever text.Tokens
// changes (TestCompiledLexiconIsCurrent says when).
//
// For every lemma it keeps, from the lemma's three commonest senses in each
// part of speech: the other words of the same sense (synonyms), the words
// derived from it ("announce" → "announcement"), the words of the senses
// directly below it (hyponyms and troponyms: "beverage" → "tea", "promise"
// → "pledge", capped per lemma), similar adjectives and pertainyms. It never
// keeps broader senses (hypernyms) or siblings: a question about an
// "allowance" is not answered by a passage about "money", nor one about
// Japan by a passage about Canada. It also keeps the irregular inflections
// ("brought" → "bring") whose form is not a noun or verb of its own, in a
// second, small file that tokenising reads without the rest.
//
// Output formats (UTF-8 text, one record per line; the lexicon gzipped):
//
//	lexicon:   # comment lines, including WordNet's licence notice
//	           <lemma> TAB <pos letters>[:<category>] TAB <related lemma ids, comma separated, base 36, "+" after a derived form>
//
// The pos letters are n, v, a, r, and i for a proper name (every sense an
// instance: "austin", "kenya"); the category, of the lemma's commonest
// noun sense, is p (a person), l (a location), t (a time), q (a quantity)
// or g (a group), from WordNet's lexicographer files.
//
//	irregular: # comment lines
//	           <inflected form> TAB <lemma>
//
// Lemma ids count the L lines from 0. Lemmas are lower case with spaces
// between the words of a collocation ("head of state"). WordNet 3.0 is
// © 2006 Princeton University and may be redistributed under its licence,
// whose notice the output carries.
package main

import (
	"bufio"
	"compress/gzip"
	"flag"
	"fmt"
	"log"
	"missionbot/text"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// Policy knobs: how much of WordNet is kept.
const (
	sensesPerPOS   = 3  // commonest senses of a lemma that are expanded
	maxHyponyms    = 40 // hyponym words kept per lemma
	maxPhraseWords = 3  // longer collocations are dropped
)

const licence = `WordNet Release 3.0 This software and database is being provided to you, the LICENSEE, by Princeton University under the following license. By obtaining, using and/or copying this software and database, you agree that you have read, understood, and will comply with these terms and conditions.: Permission to use, copy, modify and distribute this software and database and its documentation for any purpose and without fee or royalty is hereby granted, provided that you agree to comply with the following copyright notice and statements, including the disclaimer, and that the same appear on ALL copies of the software, database and documentation, including modifications that you make for internal use or for distribution. WordNet 3.0 Copyright 2006 by Princeton University. All rights reserved. THIS SOFTWARE AND DATABASE IS PROVIDED "AS IS" AND PRINCETON UNIVERSITY MAKES NO REPRESENTATIONS OR WARRANTIES, EXPRESS OR IMPLIED. BY WAY OF EXAMPLE, BUT NOT LIMITATION, PRINCETON UNIVERSITY MAKES NO REPRESENTATIONS OR WARRANTIES OF MERCHANT- ABILITY OR FITNESS FOR ANY PARTICULAR PURPOSE OR THAT THE USE OF THE LICENSED SOFTWARE, DATABASE OR DOCUMENTATION WILL NOT INFRINGE ANY THIRD PARTY PATENTS, COPYRIGHTS, TRADEMARKS OR OTHER RIGHTS. The name of Princeton University or Princeton may not be used in advertising or publicity pertaining to distribution of the software and/or database. Title to copyright in this software, database and any associated documentation shall at all times remain with Princeton University and LICENSEE agrees to preserve same.`

// pointer is one relation of a synset.
type pointer struct {
	symbol string
	target string // "<pos><offset>"
	src    int    // 1-based word number in this synset, 0 for the whole synset
	dst    int    // 1-based word number in the target, 0 for the whole synset
}

type synset struct {
	words []string
	ptrs  []pointer
	lex   int // lexicographer file number (noun.person is 18, …)
}

// isInstance reports whether s is an instance of another synset (a named
// person, place or thing).
func (s *synset) isInstance() bool {
	for _, p := range s.ptrs {
		if p.symbol == "@i" {
			return true
		}
	}
	return false
}

// categories are the lexicographer files whose nouns name a kind of thing a
// question can ask for by instance ("which officer" asks for a person), by
// the letter the lexicon records them with.
var categories = map[int]string{15: "l", 18: "p", 28: "t", 23: "q", 14: "g"}

var posFiles = []struct{ letter, name string }{{"n", "noun"}, {"v", "verb"}, {"a", "adj"}, {"r", "adv"}}

func main() {
	dir := flag.String("wordnet", "/usr/share/wordnet", "folder holding WordNet 3.0's data.* and index.* files")
	out := flag.String("out", "text/lexicon.gz", "lexicon file to write")
	irregular := flag.String("irregular", "text/irregular.txt", "irregular inflections file to write")
	compile := flag.Bool("compile", false, "compile -out into text/lexicon.bin.gz instead of reading WordNet")
	bin := flag.String("bin", "text/lexicon.bin.gz", "compiled lexicon to write with -compile")
	flag.Parse()
	var err error
	if *compile {
		err = compileLexicon(*out, *bin)
	} else {
		err = run(*dir, *out, *irregular)
	}
	if err != nil {
		log.Fatal(err)
	}
}

// compileLexicon writes the compiled form of the text lexicon src to dst.
func compileLexicon(src, dst string) error {
	data, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	bin, err := text.CompileLexicon(data)
	if err != nil {
		return err
	}
	return os.WriteFile(dst, bin, 0o644)
}

func run(dir, out, irregular string) error {
	synsets := map[string]*synset{}
	for _, p := range posFiles {
		if err := readData(filepath.Join(dir, "data."+p.name), p.letter, synsets); err != nil {
			return err
		}
	}
	// senses[lemma][pos] lists the lemma's synsets, commonest first.
	senses := map[string]map[string][]string{}
	for _, p := range posFiles {
		if err := readIndex(filepath.Join(dir, "index."+p.name), p.letter, senses); err != nil {
			return err
		}
	}
	// related[lemma][word] is true for a derived form of the lemma
	// ("death" of "die"), false for another relation.
	related := map[string]map[string]bool{}
	addKind := func(from, to string, derived bool) {
		to = norm(to)
		if to == from || !keep(to) {
			return
		}
		if related[from] == nil {
			related[from] = map[string]bool{}
		}
		related[from][to] = related[from][to] || derived
	}
	add := func(from, to string) { addKind(from, to, false) }
	for lemma, byPOS := range senses {
		if !keep(lemma) {
			continue
		}
		hyponyms := 0
		for _, pos := range []string{"n", "v", "a", "r"} {
			ids := byPOS[pos]
			for i, id := range ids {
				if i == sensesPerPOS {
					break
				}
				s := synsets[id]
				if s == nil {
					continue
				}
				self := 0
				for j, w := range s.words {
					if norm(w) == lemma {
						self = j + 1
					} else {
						add(lemma, w)
					}
				}
				for _, p := range s.ptrs {
					t := synsets[p.target]
					if t == nil {
						continue
					}
					switch {
					case p.symbol == "+" || p.symbol == `\`:
						// Lexical: derivations and pertainyms of this word only.
						if p.src == self && p.dst > 0 && p.dst <= len(t.words) {
							addKind(lemma, t.words[p.dst-1], p.symbol == "+")
						}
					case p.symbol == "&" && p.src == 0:
						for _, w := range t.words {
							add(lemma, w)
						}
					case p.symbol == "~" && p.src == 0:
						for _, w := range t.words {
							if hyponyms < maxHyponyms {
								add(lemma, w)
								hyponyms++
							}
						}
					}
				}
			}
		}
	}
	lemmas := make([]string, 0, len(senses))
	for l := range senses {
		if keep(l) {
			lemmas = append(lemmas, l)
		}
	}
	sort.Strings(lemmas)
	ids := make(map[string]int, len(lemmas))
	for i, l := range lemmas {
		ids[l] = i
	}
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	zw, err := gzip.NewWriterLevel(f, gzip.BestCompression)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(zw)
	fmt.Fprintln(w, "# English lexicon derived from WordNet 3.0 by missionbot's internal/lexicongen; see its doc comment for the format.")
	fmt.Fprintln(w, "# "+licence)
	for _, l := range lemmas {
		pos := ""
		for _, p := range []string{"n", "v", "a", "r"} {
			if len(senses[l][p]) > 0 {
				pos += p
			}
		}
		// "i" for a proper name: every sense is an instance of a noun
		// (Austin, Kenya), the lemma no common word.
		if ns := senses[l]["n"]; len(ns) > 0 && pos == "n" {
			instance := true
			for _, id := range ns {
				if s := synsets[id]; s == nil || !s.isInstance() {
					instance = false
				}
			}
			if instance {
				pos += "i"
			}
		}
		// The category of the commonest noun sense, after a colon.
		if ns := senses[l]["n"]; len(ns) > 0 && synsets[ns[0]] != nil {
			if c, ok := categories[synsets[ns[0]].lex]; ok {
				pos += ":" + c
			}
		}
		var rel []string
		for r, derived := range related[l] {
			if id, ok := ids[r]; ok {
				mark := ""
				if derived {
					mark = "+"
				}
				rel = append(rel, strconv.FormatInt(int64(id), 36)+mark)
			}
		}
		sort.Strings(rel)
		fmt.Fprintf(w, "%s\t%s\t%s\n", l, pos, strings.Join(rel, ","))
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	xf, err := os.Create(irregular)
	if err != nil {
		return err
	}
	xw := bufio.NewWriter(xf)
	fmt.Fprintln(xw, "# Irregular English inflections from WordNet 3.0 (verb.exc, noun.exc) by missionbot's internal/lexicongen.")
	fmt.Fprintln(xw, "# WordNet 3.0 Copyright 2006 by Princeton University. All rights reserved. Redistributed under its licence; see text/lexicon.gz.")
	for _, p := range []string{"verb", "noun"} {
		if err := writeExceptions(xw, filepath.Join(dir, p+".exc"), senses); err != nil {
			return err
		}
	}
	if err := xw.Flush(); err != nil {
		return err
	}
	return xf.Close()
}

// norm turns a WordNet word ("head_of_state", "Prime_Minister", "take(a)")
// into a lemma: lower case, spaces, no syntactic marker.
func norm(w string) string {
	if i := strings.IndexByte(w, '('); i >= 0 {
		w = w[:i]
	}
	return strings.ToLower(strings.ReplaceAll(w, "_", " "))
}

// keep drops collocations of more than maxPhraseWords words and words with
// digits or punctuation other than hyphens, apostrophes and dots.
func keep(l string) bool {
	if l == "" || strings.Count(l, " ") >= maxPhraseWords {
		return false
	}
	for _, r := range l {
		if !(r >= 'a' && r <= 'z' || r == ' ' || r == '-' || r == '\'' || r == '.') {
			return false
		}
	}
	return true
}

// eachLine calls fn with every line of a WordNet file but its licence
// header (lines starting with two spaces), stopping at fn's first error.
func eachLine(path string, fn func(line string) error) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if line := sc.Text(); !strings.HasPrefix(line, "  ") {
			if err := fn(line); err != nil {
				return err
			}
		}
	}
	return sc.Err()
}

func readData(path, pos string, synsets map[string]*synset) error {
	return eachLine(path, func(line string) error {
		if i := strings.Index(line, " | "); i >= 0 {
			line = line[:i]
		}
		f := strings.Fields(line)
		if len(f) < 4 {
			return nil
		}
		s := &synset{}
		s.lex, _ = strconv.Atoi(f[1])
		n, err := strconv.ParseInt(f[3], 16, 32)
		if err != nil {
			return fmt.Errorf("%s: %q: %w", path, f[0], err)
		}
		i := 4
		for j := 0; j < int(n); j++ {
			s.words = append(s.words, f[i])
			i += 2
		}
		pc, err := strconv.Atoi(f[i])
		if err != nil {
			return fmt.Errorf("%s: %q: pointer count: %w", path, f[0], err)
		}
		i++
		for j := 0; j < pc; j++ {
			st := f[i+3]
			src, _ := strconv.ParseInt(st[:2], 16, 32)
			dst, _ := strconv.ParseInt(st[2:], 16, 32)
			tpos := f[i+2]
			if tpos == "s" {
				tpos = "a"
			}
			s.ptrs = append(s.ptrs, pointer{symbol: f[i], target: tpos + f[i+1], src: int(src), dst: int(dst)})
			i += 4
		}
		synsets[pos+f[0]] = s
		return nil
	})
}

func readIndex(path, pos string, senses map[string]map[string][]string) error {
	return eachLine(path, func(line string) error {
		f := strings.Fields(line)
		if len(f) < 6 {
			return nil
		}
		lemma := norm(f[0])
		count, _ := strconv.Atoi(f[2])
		pc, _ := strconv.Atoi(f[3])
		offsets := f[4+pc+2:]
		if len(offsets) > count {
			offsets = offsets[:count]
		}
		if senses[lemma] == nil {
			senses[lemma] = map[string][]string{}
		}
		for _, o := range offsets {
			senses[lemma][pos] = append(senses[lemma][pos], pos+o)
		}
		return nil
	})
}

// writeExceptions writes the irregular inflections of a .exc file whose
// form is not itself a noun or verb (so "brought" → "bring" and "paid" →
// "pay", but not "found" → "find", since "found" is a verb of its own, nor
// "left" → "leave", a noun).
func writeExceptions(w *bufio.Writer, path string, senses map[string]map[string][]string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fs := strings.Fields(sc.Text())
		if len(fs) < 2 {
			continue
		}
		form, base := norm(fs[0]), norm(fs[1])
		if s := senses[form]; len(s["n"])+len(s["v"]) > 0 || !keep(form) || !keep(base) || strings.Contains(form+base, " ") {
			continue
		}
		fmt.Fprintf(w, "%s\t%s\n", form, base)
	}
	return sc.Err()
}
