package store

import "fmt"

// openError wraps an error from opening the database at path, naming a full
// file system when that is the cause SQLite hides behind "disk I/O error".
func openError(path string, err error) error {
	if noSpaceLeft(path) {
		return fmt.Errorf("open database %s: no space left on the file system: %w", path, err)
	}
	return fmt.Errorf("open database %s: %w", path, err)
}
