//go:build !race

package bot

import "time"

// ackP99Budget is the bar: acknowledgement p99 under 100 ms with a
// 100 ms-latency Discord at 100 concurrent questions.
const ackP99Budget = 100 * time.Millisecond
