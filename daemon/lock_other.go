//go:build !unix

package daemon

import "errors"

// FileLock is not available on this platform.
type FileLock struct{}

// LockedError says another process holds the lock.
type LockedError struct {
	Path string
	PID  int
}

func (e *LockedError) Error() string { return e.Path + " is held by another newsmon daemon" }

var errNoLock = errors.New("daemon lock needs flock(2), which this platform lacks")

// Lock is not available on this platform.
func Lock(path string) (*FileLock, error) { return nil, errNoLock }

// Unlock does nothing.
func (l *FileLock) Unlock() error { return nil }

// Holder is not available on this platform.
func Holder(path string) (bool, int, error) { return false, 0, errNoLock }
