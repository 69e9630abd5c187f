// Command briefs writes a synthetic corpus folder of one-paragraph news
// briefs, for measuring ingest, refresh and start-up at scale with the
// real binary:
//
//	go run ./internal/synth/briefs -n 100000 -out /tmp/briefs
//	MISSIONBOT_CORPUS_DIR=/tmp/briefs /usr/bin/time -v missionbot ingest
package main

import (
	"flag"
	"fmt"
	"os"

	"missionbot/internal/synth"
)

func main() {
	n := flag.Int("n", 100_000, "number of briefs")
	out := flag.String("out", "", "folder to write them into (created)")
	seed := flag.Uint64("seed", 1, "random seed; the same seed writes the same files")
	flag.Parse()
	if *out == "" || flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "usage: briefs [-n 100000] [-seed 1] -out DIR")
		os.Exit(2)
	}
	if err := synth.WriteBriefs(*out, *seed, *n); err != nil {
		fmt.Fprintln(os.Stderr, "briefs:", err)
		os.Exit(1)
	}
}
