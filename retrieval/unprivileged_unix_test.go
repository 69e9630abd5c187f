//go:build unix

package retrieval

import "syscall"

// unprivileged runs a child process as the conventional "nobody" user.
func unprivileged() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
}
