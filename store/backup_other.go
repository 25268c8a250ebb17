//go:build !unix

package store

import "os"

// openPartial opens (creating) the file a backup is written to. Without
// flock(2), two backups to the same name at once are not told apart.
func openPartial(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
}
