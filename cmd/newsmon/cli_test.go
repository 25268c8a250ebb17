package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// The command-line tests run the newsmon binary, built once from this
// package, as a user runs it: what they check includes main's exit status,
// the build information and everything written to stdout and stderr.
var (
	buildOnce sync.Once
	binDir    string
	binPath   string
	buildErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// newsmonBinary builds the binary on first use. -buildvcs=auto stamps the
// git revision when the package is in a git checkout, whatever GOFLAGS says.
func newsmonBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		if binDir, buildErr = os.MkdirTemp("", "newsmon-cli-"); buildErr != nil {
			return
		}
		binPath = filepath.Join(binDir, "newsmon")
		cmd := exec.Command("go", "build", "-buildvcs=auto", "-o", binPath, ".")
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// runCmd runs the binary with args, in this package's directory (paths
// such as testdata/... work), with no NEWSMON_* variables from the
// caller's environment.
func runCmd(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	return runCmdIn(t, "", nil, args...)
}

// runCmdIn runs the binary in dir ("" for this package's directory), with
// extra environment variables.
func runCmdIn(t *testing.T, dir string, env []string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, newsmonBinary(t), args...)
	cmd.Dir = dir
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "NEWSMON_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exit) && exit.ExitCode() >= 0:
		code = exit.ExitCode()
	default:
		t.Fatalf("newsmon %s: %v\nstderr:\n%s", strings.Join(args, " "), err, errb.String())
	}
	return code, out.String(), errb.String()
}
