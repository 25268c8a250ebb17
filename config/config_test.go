package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestLoadGood(t *testing.T) {
	cfg, err := Load("testdata/good.yaml")
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if abs, _ := filepath.Abs("testdata/test.db"); cfg.Database != abs || cfg.Location.String() != "Europe/Brussels" {
		t.Errorf("database/timezone = %q/%v", cfg.Database, cfg.Location)
	}
	if cfg.Fetch.Timeout.D() != 10*time.Second || cfg.Fetch.MaxBodyBytes != 5<<20 || cfg.Fetch.Concurrency != 4 {
		t.Errorf("fetch = %+v", cfg.Fetch)
	}
	if len(cfg.Tracked) != 2 || cfg.Tracked[0].Aliases[1] != "علي أعراس" {
		t.Errorf("tracked = %+v", cfg.Tracked)
	}
	if len(cfg.Sources) != 2 || cfg.Sources[1].IsEnabled() || !cfg.Sources[0].IsEnabled() || !cfg.Sources[0].WantsFullText() {
		t.Errorf("sources = %+v", cfg.Sources)
	}
	// Defaults survive for keys the file leaves out.
	if cfg.Alerts.MaxAge.D() != 48*time.Hour || cfg.Digest.Schedule != "0 7 * * *" {
		t.Errorf("defaults lost: alerts=%+v digest=%+v", cfg.Alerts, cfg.Digest)
	}
	if got := cfg.Line("sources[1].articles"); got != 20 {
		t.Errorf("Line(sources[1].articles) = %d, want 20", got)
	}
}

const base = `database: x.db
tracked:
  - name: Ali Aarrass
sources:
  - name: a
    type: feed
    url: https://a.example.org/rss
`

func TestProblems(t *testing.T) {
	tests := []struct {
		name, yaml string
		want       []string // each must appear in the error, in order of lines
	}{
		{"unknown top-level key", base + "databse: y.db\n", []string{"test.yaml:8: databse: unknown key"}},
		{"password in the database URL", strings.Replace(base, "x.db", "postgres://newsmon:s3cret@db.example.org/newsmon", 1),
			[]string{"test.yaml:1: database: the URL holds a password, which newsmon would print with the URL: put it in postgres.password_file or postgres.password_env"}},
		{"password parameter in the database URL", strings.Replace(base, "x.db", "postgres://db.example.org/newsmon?password=s3cret", 1),
			[]string{"test.yaml:1: database: the URL holds a password parameter"}},
		{"no database in the URL", strings.Replace(base, "x.db", "postgres://newsmon@db.example.org", 1),
			[]string{"test.yaml:1: database: the URL names no database"}},
		{"bad sslmode", strings.Replace(base, "x.db", "postgres://newsmon@db.example.org/n?sslmode=maybe", 1),
			[]string{`test.yaml:1: database: sslmode: expected disable, allow, prefer, require, verify-ca or verify-full, got "maybe"`}},
		{"postgres section with SQLite", base + "postgres: {password_env: PGPW}\n",
			[]string{"test.yaml:8: postgres: only for a PostgreSQL database (database: postgres://...); database is the SQLite file x.db"}},
		{"both passwords and a short lease", strings.Replace(base, "x.db", "postgres://newsmon@db.example.org/n", 1) +
			"postgres:\n  password_env: PGPW\n  password_file: pw.txt\n  lease: 100ms\n",
			[]string{"test.yaml:10: postgres.password_file: set password_env or password_file, not both", "test.yaml:11: postgres.lease: expected 1s to 1h, got 100ms"}},
		{"unknown nested key", base + "    shedule: '@hourly'\n", []string{"test.yaml:8: sources[0].shedule: unknown key (expected one of:"}},
		{"missing required fields", "database: x.db\ntracked:\n  - aliases: [x]\nsources:\n  - type: feed\n",
			[]string{"test.yaml:3: tracked[0].name: required", "test.yaml:5: sources[0].name: required", "test.yaml:5: sources[0].url: required"}},
		{"duplicate source", base + "  - name: a\n    type: feed\n    url: https://b.example.org/rss\n", []string{`test.yaml:8: sources[1].name: duplicate source name "a"`}},
		{"bad URL", "database: x.db\ntracked: [{name: A B}]\nsources:\n  - name: a\n    type: feed\n    url: ftp://x\n", []string{`test.yaml:6: sources[0].url: expected an http or https URL, got "ftp://x"`}},
		{"bad cron", base + "    schedule: '*/5 * *'\n", []string{`test.yaml:8: sources[0].schedule: bad schedule "*/5 * *"`}},
		{"cron that never fires", base + "    schedule: '0 0 31 2 *'\ndigest:\n  schedule: '0 7 30 2 *'\n", []string{
			`test.yaml:8: sources[0].schedule: schedule "0 0 31 2 *" never fires`, `test.yaml:10: digest.schedule: schedule "0 7 30 2 *" never fires`}},
		{"bad duration", base + "fetch:\n  timeout: 10 seconds\n", []string{`test.yaml:9: fetch.timeout: bad duration "10 seconds"`}},
		{"bad size", base + "fetch:\n  max_body_bytes: lots\n", []string{`test.yaml:9: fetch.max_body_bytes: bad size`}},
		// 9000000000 GiB wraps around int64 to a negative size, which the
		// fetcher would silently replace with its 10 MB default.
		{"size that overflows", base + "fetch:\n  max_body_bytes: 9000000000GB\n", []string{`test.yaml:9: fetch.max_body_bytes: bad size "9000000000GB": too large`}},
		{"size above the limit", base + "fetch:\n  max_body_bytes: 2GB\n", []string{`fetch.max_body_bytes: at most 1GB`}},
		{"days that overflow", base + "alerts:\n  max_age: 999999999d\n", []string{`test.yaml:9: alerts.max_age: bad duration "999999999d": at most 106751d`}},
		{"empty tracked", "database: x.db\ntracked: []\n", []string{"tracked: required: at least one person"}},
		{"wrong type", base + "fetch:\n  concurrency: many\n", []string{"test.yaml:9: fetch.concurrency: expected a different type"}},
		{"bad regexp", base + "  - name: p\n    type: page\n    start_urls: [https://x.example.org/]\n    articles: ['(unclosed']\n",
			[]string{"test.yaml:11: sources[1].articles[0]: bad regular expression"}},
		{"bad timezone", base + "timezone: Mars/Olympus\n", []string{`test.yaml:8: timezone: unknown time zone "Mars/Olympus"`}},
		{"every problem at once", base + "databse: y\n    \nfetch:\n  timeout: x\n  concurrency: 0\n",
			[]string{"test.yaml:8: databse", "test.yaml:11: fetch.timeout", "fetch.concurrency: expected 1 to 256"}},
		{"alert rule references", base + "alerts:\n  rules:\n    - name: r\n      person: Nobody\n      stance: angry\n      notify: [pager]\n",
			[]string{`alerts.rules[0].person: "Nobody" is not in tracked`, `alerts.rules[0].stance: expected`, `alerts.rules[0].notify[0]: expected email, webhook or log`}},
		{"not yaml", "database: [unclosed\n", []string{"test.yaml:1: did not find expected"}},
		// yaml.v3 counts a line break after the unclosed quote and reports
		// line 2 of this one-line file.
		{"unclosed quote at the end", "database: \"x.db\n", []string{"test.yaml:1: a quoted value that starts on this line is never closed"}},
		// yaml.v3 names the line where the enclosing block starts (0-based);
		// the problem is on the line that breaks it.
		{"list item out of line", "database: x.db\ntracked:\n  - name: A B\n    aliases: [a, b]\n   bogus: 1\nsources: []\n",
			[]string{"test.yaml:5: this line's indentation does not fit the list above it"}},
		{"key out of line", "database: x.db\nfetch:\n  timeout: 3s\n concurrency: 2\n",
			[]string{"test.yaml:4: this line's indentation does not fit the keys above it"}},
		{"key indented too far", "database: x.db\nfetch:\n  timeout: 3s\n    concurrency: 2\n",
			[]string{`test.yaml:4: a "key:" is not expected here: check this line's indentation`}},
		{"layout error after a flow list over two lines", "database: x.db\ntracked:\n  - name: A B\n    aliases: [a,\n      b]\n  - name: C\n   aliases: [c]\n",
			[]string{"test.yaml:7: this line's indentation does not fit the list above it"}},
		{"tab before a list item", "database: x.db\ntracked:\n\t- name: A B\n", []string{"test.yaml:3: tabs are not allowed for indentation: indent with spaces"}},
		{"tab after spaces", "database: x.db\ntracked:\n  - name: A B\n  \taliases: [a]\n", []string{"test.yaml:4: tabs are not allowed for indentation"}},
		{"other character that cannot start a token", "database: `x`\n", []string{"test.yaml:1: found character that cannot start any token"}},
		// U+2028 and U+0085 are line breaks to yaml.v3 but not to editors.
		{"Unicode line separators", "database: \"x\u2028y\u0085z.db\"\ntracked: [{name: A B}]\nbogus: 1\n", []string{"test.yaml:3: bogus: unknown key"}},
		{"no break at the end", "database: x.db\ntracked: [{name: A B}]\nbogus: 1", []string{"test.yaml:3: bogus: unknown key"}},
		{"old Mac line ends", "database: x.db\rtracked: [{name: A B}]\rbogus: 1\r", []string{"test.yaml:3: bogus: unknown key"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(strings.NewReader(tt.yaml), "test.yaml")
			var ps Problems
			if !errors.As(err, &ps) {
				t.Fatalf("err = %v, want Problems", err)
			}
			msg := err.Error()
			pos := 0
			for _, w := range tt.want {
				i := strings.Index(msg[pos:], w)
				if i < 0 {
					t.Fatalf("error does not contain %q (in order); got:\n%s", w, msg)
				}
				pos += i + len(w)
			}
		})
	}
}

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{{"30s", 30 * time.Second, true}, {"7d", 7 * 24 * time.Hour, true}, {"48h", 48 * time.Hour, true}, {"-1h", 0, false}, {"d", 0, false}, {"soon", 0, false}}
	for _, tt := range tests {
		got, err := ParseDuration(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v, ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func TestWarnings(t *testing.T) {
	tests := []struct {
		name, yaml string
		want       []string
	}{
		{"sensible schedules", base + "    schedule: '@every 1m'\n  - {name: b, type: feed, url: 'https://b.example.org/', schedule: '* * * * *'}\n", nil},
		{"a leap day fires", base + "    schedule: '0 0 29 2 *'\n", nil},
		{"every second", base + "    schedule: '@every 1s'\n", []string{`test.yaml:8: sources[0].schedule: schedule "@every 1s" runs every 1s`}},
		{"default schedule", base + "daemon:\n  default_schedule: '@every 30s'\n", []string{`test.yaml:9: daemon.default_schedule: schedule "@every 30s" runs every 30s`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := Parse(strings.NewReader(tt.yaml), "test.yaml")
			if err != nil {
				t.Fatal(err)
			}
			ws := cfg.Warnings()
			if len(ws) != len(tt.want) {
				t.Fatalf("warnings = %v, want %d", ws, len(tt.want))
			}
			for i, w := range tt.want {
				if !strings.HasPrefix(ws[i].String(), w) {
					t.Errorf("warning %d = %q, want it to start with %q", i, ws[i], w)
				}
			}
		})
	}
}

// Relative file paths in a config mean the same file whatever folder
// newsmon runs from: they are taken from the config file's folder. Absolute
// ones are kept.
func TestLoadResolvesPathsAgainstTheConfigFolder(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body+"tracked: [{name: A B}]\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		name, body         string
		wantDB, wantSecret string
	}{
		{"relative", "database: data/news.db\nsmtp: {password_file: secret.txt}\n",
			filepath.Join(dir, "data/news.db"), filepath.Join(dir, "secret.txt")},
		{"default", "", filepath.Join(dir, "newsmon.db"), ""},
		{"dot-dot", "database: ../elsewhere/news.db\n", filepath.Join(filepath.Dir(dir), "elsewhere/news.db"), ""},
		{"absolute", "database: /var/lib/newsmon/news.db\nsmtp: {password_file: /run/secrets/smtp}\n",
			"/var/lib/newsmon/news.db", "/run/secrets/smtp"},
		{"postgres URL", "database: postgres://newsmon@db.example.org/newsmon?sslmode=require\n",
			"postgres://newsmon@db.example.org/newsmon?sslmode=require", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := write(tt.name+".yaml", tt.body)
			// From another folder, with the config named relatively.
			t.Chdir(filepath.Dir(dir))
			cfg, err := Load(filepath.Join(filepath.Base(dir), tt.name+".yaml"))
			if err != nil {
				t.Fatalf("Load %s: %v", path, err)
			}
			if cfg.Database != tt.wantDB || cfg.SMTP.PasswordFile != tt.wantSecret {
				t.Errorf("database %q, password_file %q; want %q, %q", cfg.Database, cfg.SMTP.PasswordFile, tt.wantDB, tt.wantSecret)
			}
		})
	}
}
