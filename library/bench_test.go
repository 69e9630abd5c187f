package library

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"missionbot/internal/synth"
	"missionbot/retrieval"
)

// benchDocs is the size of the corpus the refresh benchmarks run on: a
// community that saves every short article about the mission.
const benchDocs = 100_000

// benchCorpus is a folder of benchDocs briefs and a data directory
// holding their index, built once per test binary run (writing and
// ingesting them takes about half a minute) and removed by TestMain.
var benchCorpus struct {
	once      sync.Once
	base      string
	dir, data string
	err       error
	buildTook time.Duration
}

// corpusForBench returns the folder and a data directory with its index.
func corpusForBench(b *testing.B) (dir, data string) {
	b.Helper()
	benchCorpus.once.Do(func() {
		base, err := os.MkdirTemp("", "missionbot-bench")
		if err != nil {
			benchCorpus.err = err
			return
		}
		benchCorpus.base = base
		benchCorpus.dir, benchCorpus.data = filepath.Join(base, "corpus"), filepath.Join(base, "data")
		if err := synth.WriteBriefs(benchCorpus.dir, 1, benchDocs); err != nil {
			benchCorpus.err = err
			return
		}
		start := time.Now()
		l, err := benchLibrary(benchCorpus.dir, benchCorpus.data)
		if err == nil {
			_, err = l.Refresh(context.Background(), RefreshOptions{})
		}
		benchCorpus.err, benchCorpus.buildTook = err, time.Since(start)
	})
	if benchCorpus.err != nil {
		b.Fatal(benchCorpus.err)
	}
	b.Logf("%d briefs indexed in %v (once per run)", benchDocs, benchCorpus.buildTook.Round(time.Millisecond))
	return benchCorpus.dir, benchCorpus.data
}

func benchLibrary(dir, data string) (*Library, error) {
	return Open(context.Background(), Options{DataDir: data, CorpusDir: dir, Embedder: retrieval.NewLocalEmbedder(retrieval.DefaultLocalDim)})
}

// BenchmarkRefresh measures what `missionbot ingest` does on a corpus of
// 100,000 one-paragraph documents that is already indexed: open the index
// and refresh it, with nothing changed and with 1% of the files edited
// (each iteration edits another 1%, outside the timer).
func BenchmarkRefresh(b *testing.B) {
	for _, changed := range []float64{0, 0.01} {
		b.Run(fmt.Sprintf("docs=%d/changed=%g%%", benchDocs, changed*100), func(b *testing.B) {
			dir, data := corpusForBench(b)
			round := 0
			b.ReportAllocs()
			for b.Loop() {
				b.StopTimer()
				round++
				edited := editBriefs(b, dir, changed, round)
				b.StartTimer()
				l, err := benchLibrary(dir, data)
				if err != nil {
					b.Fatal(err)
				}
				st, err := l.Refresh(context.Background(), RefreshOptions{})
				if err != nil || st.FilesRead != edited || st.DocsUpdated != edited {
					b.Fatalf("refresh read %d files, updated %d documents (%v); want %d", st.FilesRead, st.DocsUpdated, err, edited)
				}
			}
		})
	}
}

// editBriefs appends a sentence to share of the briefs, a different set
// each round, and returns how many it edited.
func editBriefs(b *testing.B, dir string, share float64, round int) int {
	b.Helper()
	if share == 0 {
		return 0
	}
	step := int(1 / share)
	n := 0
	for i := round % step; i < benchDocs; i += step {
		p := filepath.Join(dir, fmt.Sprintf("%03d", i/1000), fmt.Sprintf("brief_%06d.txt", i))
		f, err := os.OpenFile(p, os.O_APPEND|os.O_WRONLY, 0)
		if err != nil {
			b.Fatal(err)
		}
		_, err = fmt.Fprintf(f, "Officials said on round %d that patrols in district %d would continue.\n", round, i)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			b.Fatal(err)
		}
		n++
	}
	return n
}

// BenchmarkOpen measures opening the index of 100,000 documents, what a
// cold `missionbot ask` does before it answers: read and verify the
// snapshot, build the chromem-go collection, read the BM25 index.
func BenchmarkOpen(b *testing.B) {
	b.Run(fmt.Sprintf("docs=%d", benchDocs), func(b *testing.B) {
		dir, data := corpusForBench(b)
		b.ReportAllocs()
		for b.Loop() {
			l, err := benchLibrary(dir, data)
			if err != nil || l.Stats().Chunks < benchDocs {
				b.Fatalf("open: %d chunks, %v", l.Stats().Chunks, err)
			}
		}
	})
}
