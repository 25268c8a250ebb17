package main

import (
	"context"
	"fmt"
)

func runBackup(ctx context.Context, e *env, args []string) int {
	fs, path := e.flags("backup", "backup FILE\n\nWrites a consistent copy of the database to FILE (which must not exist),\n"+
		"safe while the daemon runs. The copy is written to FILE.partial and renamed\nwhen complete. To restore: stop the daemon, copy FILE over the database,\n"+
		"delete its -wal and -shm files, start the daemon.")
	pos, code, ok := fs.parse(args)
	if !ok {
		return code
	}
	if len(pos) != 1 {
		return fs.usageError("want exactly one FILE, got %d arguments", len(pos))
	}
	_, st, code := e.openStore(ctx, "backup", *path)
	if st == nil {
		return code
	}
	defer st.Close()
	if err := st.Backup(ctx, pos[0]); err != nil {
		fmt.Fprintln(e.stderr, "newsmon backup:", err)
		return exitFailure
	}
	fmt.Fprintf(e.stdout, "backed up %s to %s\n", st.Path(), pos[0])
	return exitOK
}
