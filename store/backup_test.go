package store

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A backup is readable by the owner only, leaves no temporary file behind,
// and never writes through a symlink at its name, dangling or not.
func TestBackupFileAndSymlinks(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	dir := t.TempDir()

	dest := filepath.Join(dir, "backup.db")
	if err := s.Backup(ctx, dest); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Lstat(dest)
	if err != nil {
		t.Fatal(err)
	}
	if m := fi.Mode(); m != 0o600 {
		t.Errorf("backup mode %v, want -rw-------", m)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, "*.partial*")); len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}

	elsewhere := t.TempDir()
	for _, tt := range []struct{ name, target string }{
		{"dangling", filepath.Join(elsewhere, "planted.db")},
		{"to a file", dest},
	} {
		link := filepath.Join(dir, tt.name+".db")
		if err := os.Symlink(tt.target, link); err != nil {
			t.Fatal(err)
		}
		before, _ := os.ReadFile(tt.target)
		err := s.Backup(ctx, link)
		if err == nil || !strings.Contains(err.Error(), "file exists") {
			t.Errorf("backup to a symlink %s: %v, want a refusal", tt.name, err)
		}
		after, statErr := os.ReadFile(tt.target)
		if tt.name == "dangling" && !errors.Is(statErr, os.ErrNotExist) {
			t.Errorf("backup through a dangling symlink created its target (%v)", statErr)
		}
		if string(before) != string(after) {
			t.Errorf("backup through a symlink %s changed its target", tt.name)
		}
	}
	if left, _ := filepath.Glob(filepath.Join(dir, "*.partial*")); len(left) > 0 {
		t.Errorf("temporary files left after refusals: %v", left)
	}
}

// Two backups to one file at once: the second is refused rather than
// writing into the first one's partial file.
func TestBackupRefusesASecondAtOnce(t *testing.T) {
	s := openTest(t)
	dest := filepath.Join(t.TempDir(), "backup.db")
	f, err := openPartial(dest + ".partial")
	if err != nil {
		t.Fatal(err)
	}
	err = s.Backup(context.Background(), dest)
	f.Close()
	if err == nil || !strings.Contains(err.Error(), "another backup") {
		t.Errorf("backup while another runs: %v", err)
	}
	if err := s.Backup(context.Background(), dest); err != nil {
		t.Errorf("backup once the other ended: %v", err)
	}
}
