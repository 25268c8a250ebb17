//go:build unix

package store

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// openPartial opens (creating, mode 0600) the file a backup is written to,
// never through a symlink, and locks it so that a second backup to the same
// name fails instead of writing into the same file. The lock goes with the
// process, so a killed backup leaves none.
func openPartial(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|syscall.O_NOFOLLOW, 0o600)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, errors.New("another backup to this file is running")
		}
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	return f, nil
}
