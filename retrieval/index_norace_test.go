//go:build !race

package retrieval

// raceSlowdown scales wall-clock limits in tests; 1 without the race
// detector.
const raceSlowdown = 1
