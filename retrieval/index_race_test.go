//go:build race

package retrieval

// raceSlowdown scales wall-clock limits in tests: the race detector makes
// code several times slower.
const raceSlowdown = 5
