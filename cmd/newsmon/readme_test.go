package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The README's quick start, as written: its config, its feed and its
// newsmon commands, in order, end with a digest that shows the person's
// coverage. Only the feed server differs: an httptest server serves the
// folder the README serves with python3, and stands in for its port.
func TestReadmeQuickStart(t *testing.T) {
	readme := string(readFile(t, "../../README.md"))
	_, quick, ok := strings.Cut(readme, "## Quick start")
	if !ok {
		t.Fatal("README has no quick start")
	}
	_, block, _ := strings.Cut(quick, "```sh\n")
	block, _, _ = strings.Cut(block, "```")

	var config []string
	var commands [][]string
	inConfig := false
	for _, line := range strings.Split(block, "\n") {
		switch {
		case strings.HasPrefix(line, "cat > my.yaml <<'EOF'"):
			inConfig = true
		case inConfig && line == "EOF":
			inConfig = false
		case inConfig:
			config = append(config, line)
		case strings.HasPrefix(line, "./newsmon "):
			cmd, _, _ := strings.Cut(line, "#")
			commands = append(commands, strings.Fields(cmd)[1:])
		}
	}
	if len(config) == 0 || len(commands) < 3 || !strings.Contains(block, "--directory docs/quickstart") {
		t.Fatalf("quick start not understood: config %q, commands %q", config, commands)
	}

	srv := httptest.NewServer(http.FileServer(http.Dir("../../docs/quickstart")))
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	yaml := strings.ReplaceAll(strings.Join(config, "\n")+"\n", "http://127.0.0.1:8000", srv.URL)
	if yaml == strings.Join(config, "\n")+"\n" {
		t.Fatal("the quick start's config does not use the feed server at 127.0.0.1:8000")
	}
	if err := os.WriteFile(filepath.Join(dir, "my.yaml"), []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	var out string
	for _, args := range commands {
		code, stdout, stderr := runCmdIn(t, dir, nil, args...)
		if code != exitOK {
			t.Fatalf("newsmon %s: exit %d\n%s%s", strings.Join(args, " "), code, stdout, stderr)
		}
		out = stdout
	}
	for _, want := range []string{"== Ali Aarrass ==", "Supporters renew the call to free Ali Aarrass",
		"Editorial: the Aarrass campaign ignores the verdict"} {
		if !strings.Contains(out, want) {
			t.Errorf("the last command's output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "Harbour") {
		t.Errorf("the digest shows an item that names no one:\n%s", out)
	}
}
