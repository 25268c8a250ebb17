package store

import (
	"context"
	"errors"
	"fmt"
	"os"
)

// Backup writes a consistent copy of the database to dest with VACUUM INTO:
// it reads one snapshot, so the daemon may go on writing meanwhile, and the
// copy is compacted and has no -wal file to go with it. dest must not exist.
//
// To restore: stop the daemon, copy the backup over the database file,
// delete the database's -wal and -shm files, start the daemon.
func (s *Store) Backup(ctx context.Context, dest string) error {
	if _, err := os.Stat(dest); err == nil {
		return fmt.Errorf("back up to %s: file exists", dest)
	} else if !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("back up to %s: %w", dest, err)
	}
	if _, err := s.db.ExecContext(ctx, "VACUUM INTO ?", dest); err != nil {
		return fmt.Errorf("back up to %s: %w", dest, err)
	}
	return nil
}
