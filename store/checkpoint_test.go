package store

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/newsmon/newsmon/internal/dbtest"
)

// TestCheckpointerCopiesTheLog writes a few megabytes, far below the
// autocheckpoint backstop: only the store's own checkpointer can move them
// from the log into the database file, and it must do so soon after.
func TestCheckpointerCopiesTheLog(t *testing.T) {
	dbtest.SQLiteOnly(t, "PostgreSQL checkpoints on its own")
	s := openTest(t)
	before, err := os.Stat(s.Path())
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 6, 1, 8, 0, 0, 0, time.UTC)
	for run := range 4 {
		var items []Item
		for i := range 100 {
			items = append(items, Item{GUID: fmt.Sprint(run, "-", i), Title: "Item", Text: strings.Repeat("filler text ", 600), ContentHash: "h"})
		}
		saveItems(t, s, "wire", at.Add(time.Duration(run)*time.Hour), items...)
	}
	const written = 4 * 100 * 7200
	deadline := time.Now().Add(10 * time.Second)
	for {
		fi, err := os.Stat(s.Path())
		if err != nil {
			t.Fatal(err)
		}
		if fi.Size()-before.Size() > written/2 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("database file grew by %d bytes in 10 s after %d bytes were written: the log was not checkpointed",
				fi.Size()-before.Size(), written)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
