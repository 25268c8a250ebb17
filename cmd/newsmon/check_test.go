package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	tests := []struct {
		name   string
		config string
		code   int
		stdout []string
		stderr []string
	}{
		{
			name: "valid",
			config: `timezone: Europe/Brussels
tracked: [{name: Ali Aarrass}]
sources:
  - {name: hourly, type: feed, url: "https://a.example.org/rss", schedule: "0 * * * *"}
  - {name: off, type: feed, url: "https://b.example.org/rss", enabled: false}
`,
			code:   exitOK,
			stdout: []string{"ok (1 person, 2 sources)", "NEXT RUNS (Europe/Brussels)", "hourly", "0 * * * *", ":00, ", "off", "disabled"},
		},
		{
			name: "every mistake at once",
			config: `tracked: []
sources:
  - {name: a, type: feed, url: "ftp://x", schedule: "61 * * * *"}
  - {name: a, type: feeed, url: "https://b.example.org/rss"}
fetch: {timeout: soon, concurency: 3}
`,
			code: exitUsage,
			stderr: []string{
				"config.yaml:1: tracked: required",
				`config.yaml:3: sources[0].url: expected an http or https URL, got "ftp://x"`,
				`config.yaml:3: sources[0].schedule: bad schedule "61 * * * *"`,
				`config.yaml:4: sources[1].name: duplicate source name "a"`,
				`config.yaml:4: sources[1].type: expected feed or page, got "feeed"`,
				`config.yaml:5: fetch.timeout: bad duration "soon"`,
				`config.yaml:5: fetch.concurency: unknown key`,
			},
		},
		{
			name: "bad classifier rule",
			config: `tracked: [{name: Ali Aarrass}]
classify:
  stance_cues:
    remove: ["no such phrase anywhere"]
`,
			code:   exitUsage,
			stderr: []string{"config.yaml:4: classify.stance_cues.remove[0]:"},
		},
	}
	const smtp = "smtp: {host: mail.example.org, from: \"newsmon <n@example.org>\", username: newsmon, password_env: NEWSMON_SMTP_PASSWORD}\n"
	tests = append(tests, []struct {
		name   string
		config string
		code   int
		stdout []string
		stderr []string
	}{
		{
			name:   "an alias that is a number",
			config: "tracked: [{name: Ali Aarrass, aliases: [\"#1\"]}]\n",
			code:   exitUsage,
			stderr: []string{`spelling "#1" has no letters`},
		},
		{
			name:   "an alias that is one letter",
			config: "tracked: [{name: Ali Aarrass, aliases: [A.]}]\n",
			code:   exitUsage,
			stderr: []string{`spelling "A." is a single letter`},
		},
		{
			name:   "smtp password variable not set",
			config: "tracked: [{name: Ali Aarrass}]\n" + smtp,
			code:   exitUsage,
			stderr: []string{"config.yaml: smtp.password_env: environment variable NEWSMON_SMTP_PASSWORD is not set"},
		},
		{
			name:   "smtp password file missing",
			config: "tracked: [{name: Ali Aarrass}]\nsmtp: {host: mail.example.org, from: n@example.org, username: n, password_file: nowhere.txt}\n",
			code:   exitUsage,
			stderr: []string{"read smtp password file", "nowhere.txt"},
		},
	}...)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "config.yaml")
			if err := os.WriteFile(path, []byte(tt.config), 0o644); err != nil {
				t.Fatal(err)
			}
			// Relative path, so the problems name "config.yaml" as a user would see it.
			t.Chdir(dir)
			code, stdout, stderr := runCmd(t, "check", "--config", "config.yaml")
			if code != tt.code {
				t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.code, stdout, stderr)
			}
			for _, want := range tt.stdout {
				if !strings.Contains(stdout, want) {
					t.Errorf("stdout lacks %q:\n%s", want, stdout)
				}
			}
			for _, want := range tt.stderr {
				if !strings.Contains(stderr, want) {
					t.Errorf("stderr lacks %q:\n%s", want, stderr)
				}
			}
		})
	}
}

func TestHelp(t *testing.T) {
	code, out, _ := runCmd(t, "help")
	if code != exitOK || !strings.Contains(out, "check") || !strings.Contains(out, "fetch") {
		t.Errorf("help: %d\n%s", code, out)
	}
	code, out, _ = runCmd(t, "fetch", "-h")
	if code != exitOK || !strings.Contains(out, "--source NAME") || !strings.Contains(out, "--config FILE") || !strings.Contains(out, "--quiet") {
		t.Errorf("fetch -h: %d\n%s", code, out)
	}
	if code, _, _ := runCmd(t, "nonsense"); code != exitUsage {
		t.Errorf("unknown command: exit %d", code)
	}
}

// The sample config users start from must always pass check.
func TestSampleConfigIsValid(t *testing.T) {
	code, stdout, stderr := runCmd(t, "check", "--config", "../../config.yaml")
	if code != exitOK {
		t.Fatalf("check config.yaml: exit %d\n%s%s", code, stdout, stderr)
	}
	for _, want := range []string{"Ali Aarrass", "Mohamed Hajib"} {
		cfg, _ := os.ReadFile("../../config.yaml")
		if !strings.Contains(string(cfg), want) {
			t.Errorf("config.yaml does not track %s", want)
		}
	}
}

// With the password variable set, check passes.
func TestCheckSMTPPasswordFromEnvironment(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.yaml")
	cfg := "tracked: [{name: Ali Aarrass}]\nsmtp: {host: mail.example.org, from: n@example.org, username: n, password_env: NEWSMON_SMTP_PASSWORD}\n"
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	e := &env{stdout: &out, stderr: &errb, getenv: func(k string) string {
		if k == "NEWSMON_SMTP_PASSWORD" {
			return "secret"
		}
		return ""
	}}
	if code := dispatch(context.Background(), e, []string{"check", "--config", path}); code != exitOK {
		t.Errorf("check with the password set: exit %d\n%s", code, errb.String())
	}
}
