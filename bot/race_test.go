//go:build race

package bot

import "time"

// ackP99Budget is the acknowledgement p99 asserted under the race
// detector, which slows the handlers several times over; the issue's
// 100 ms bar is asserted without it.
const ackP99Budget = 500 * time.Millisecond
