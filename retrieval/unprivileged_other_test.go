//go:build !unix

package retrieval

import "syscall"

// unprivileged is nil where there are no user IDs to switch to.
func unprivileged() *syscall.SysProcAttr { return nil }
