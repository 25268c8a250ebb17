package store

import (
	"path/filepath"
	"syscall"
)

// noSpaceLeft reports whether the file system holding path has no blocks
// left for an unprivileged writer. SQLite reports a full disk at open as a
// bare "disk I/O error" (it cannot grow the -shm file), so Open checks this
// to say what is really wrong.
func noSpaceLeft(path string) bool {
	var st syscall.Statfs_t
	if err := syscall.Statfs(filepath.Dir(path), &st); err != nil {
		return false
	}
	return st.Bavail == 0
}
