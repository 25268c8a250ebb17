// Package config reads newsmon's YAML configuration strictly and validates it.
//
// Loading never guesses: an unknown key, a value of the wrong type or a value
// out of range is a Problem naming the file, the line and the field, and every
// problem in a file is reported at once. Defaults are applied before decoding,
// so a key left out keeps its documented default.
//
// The package does not touch the network or the database; the loaded Config is
// a plain value passed down to the stages that need it, never a global.
package config

import (
	"fmt"
	"path/filepath"
	"strings"
	"time"
)

// Config is the whole configuration file.
type Config struct {
	// Path is the file the config was read from (not a YAML key).
	Path string `yaml:"-"`

	Database string    `yaml:"database"`
	Postgres Postgres  `yaml:"postgres"`
	Timezone string    `yaml:"timezone"`
	Listen   string    `yaml:"listen"`
	Log      Log       `yaml:"log"`
	Fetch    Fetch     `yaml:"fetch"`
	Daemon   Daemon    `yaml:"daemon"`
	Tracked  []Person  `yaml:"tracked"`
	Sources  []Source  `yaml:"sources"`
	Classify Classify  `yaml:"classify"`
	SMTP     SMTP      `yaml:"smtp"`
	Alerts   Alerts    `yaml:"alerts"`
	Digest   Digest    `yaml:"digest"`
	Retain   Retention `yaml:"retention"`

	// Location is Timezone resolved (not a YAML key).
	Location *time.Location `yaml:"-"`

	// lines maps field paths such as "sources[2].url" to their line.
	lines map[string]int
}

// Line returns the line of the field at path ("sources[2].url"), or of its
// nearest parent present in the file, or 0.
func (c *Config) Line(path string) int {
	for path != "" {
		if n, ok := c.lines[path]; ok {
			return n
		}
		i := strings.LastIndexAny(path, ".[")
		if i < 0 {
			break
		}
		path = path[:i]
	}
	return 0
}

// Problem builds a Problem about the field at path.
func (c *Config) Problem(path, format string, args ...any) Problem {
	return Problem{File: c.Path, Line: c.Line(path), Field: path, Msg: fmt.Sprintf(format, args...)}
}

// Resolve returns path as a file name to open: a relative path is taken
// from the config file's folder, as paths in a config file are read by
// whoever wrote it, not from wherever newsmon happens to run.
func (c *Config) Resolve(path string) string {
	if path == "" || filepath.IsAbs(path) || c.Path == "" {
		return path
	}
	return filepath.Join(filepath.Dir(c.Path), path)
}

// Postgres holds what a PostgreSQL database (database: postgres://...)
// needs besides its URL: the password, kept out of the URL (which newsmon
// prints), and how the workers sharing the database hand work over.
type Postgres struct {
	// PasswordEnv or PasswordFile holds the password; with neither,
	// PGPASSWORD or the password file (~/.pgpass, PGPASSFILE) is read, as
	// by libpq.
	PasswordEnv  string `yaml:"password_env"`
	PasswordFile string `yaml:"password_file"`
	// Worker names this process in fetch_runs and `newsmon status`;
	// empty means host:pid.
	Worker string `yaml:"worker"`
	// Lease is how long a worker's hold on a scheduled run outlives the
	// worker: a worker killed mid-run has its runs taken over by another
	// after this long.
	Lease Duration `yaml:"lease"`
}

// IsPostgres reports whether the database is PostgreSQL.
func (c *Config) IsPostgres() bool { return IsPostgresURL(c.Database) }

// IsPostgresURL reports whether a database location is a PostgreSQL URL
// (postgres:// or postgresql://) rather than a SQLite file.
func IsPostgresURL(location string) bool {
	l := strings.ToLower(location)
	return strings.HasPrefix(l, "postgres://") || strings.HasPrefix(l, "postgresql://")
}

// Log configures logging.
type Log struct {
	Format string `yaml:"format"` // text | json
	Level  string `yaml:"level"`  // debug | info | warn | error
}

// Fetch holds the HTTP identity and limits shared by every source.
type Fetch struct {
	UserAgent    string   `yaml:"user_agent"`
	Timeout      Duration `yaml:"timeout"`
	MaxBodyBytes ByteSize `yaml:"max_body_bytes"`
	Concurrency  int      `yaml:"concurrency"`
	// AllowPrivate lets every source reach loopback and private addresses
	// (testing against a server on this machine, or an intranet).
	AllowPrivate bool `yaml:"allow_private_addresses"`
}

// Daemon configures `newsmon run`.
type Daemon struct {
	DefaultSchedule string   `yaml:"default_schedule"`
	Jitter          Duration `yaml:"jitter"`
	ShutdownGrace   Duration `yaml:"shutdown_grace"`
	MaxBackoff      Duration `yaml:"max_backoff"`
}

// Person is someone newsmon tracks.
type Person struct {
	Name    string   `yaml:"name"`
	Aliases []string `yaml:"aliases"`
}

// Source types.
const (
	SourceFeed = "feed"
	SourcePage = "page"
)

// Source is one feed or crawled site.
type Source struct {
	Name     string `yaml:"name"`
	Type     string `yaml:"type"`
	URL      string `yaml:"url"`
	Schedule string `yaml:"schedule"`
	Enabled  *bool  `yaml:"enabled"`
	// FullText fetches each new feed item's page and extracts its text.
	FullText *bool `yaml:"full_text"`
	// StancePrior nudges the classifier toward this outlet's known line.
	StancePrior  string `yaml:"stance_prior"`
	AllowPrivate bool   `yaml:"allow_private_addresses"`

	// Crawl settings, for type: page.
	StartURLs      []string `yaml:"start_urls"`
	AllowedDomains []string `yaml:"allowed_domains"`
	Follow         []string `yaml:"follow"`
	Articles       []string `yaml:"articles"`
	MaxDepth       int      `yaml:"max_depth"`
	MaxPages       int      `yaml:"max_pages"`
	Parallelism    int      `yaml:"parallelism"`
	Delay          Duration `yaml:"delay"`
	RandomDelay    Duration `yaml:"random_delay"`
	Robots         *bool    `yaml:"robots_txt"`
}

// IsEnabled reports whether the source runs (enabled unless said otherwise).
func (s Source) IsEnabled() bool { return s.Enabled == nil || *s.Enabled }

// WantsFullText reports whether feed items get their page fetched (on unless said otherwise).
func (s Source) WantsFullText() bool { return s.FullText == nil || *s.FullText }

// ObeysRobots reports whether robots.txt is honoured (on unless said otherwise).
func (s Source) ObeysRobots() bool { return s.Robots == nil || *s.Robots }

// Classify holds user changes to the built-in classifier rules.
type Classify struct {
	// Weights is a weights file written by `newsmon rules fit`; empty: the
	// weights built into the binary. A relative path is resolved against
	// the config file's folder.
	Weights         string             `yaml:"weights"`
	MinWords        int                `yaml:"min_words"`
	StanceCues      StanceCueEdits     `yaml:"stance_cues"`
	TopicPhrases    TopicPhraseEdits   `yaml:"topic_phrases"`
	TopicThresholds map[string]float64 `yaml:"topic_thresholds"`
}

// StanceCueEdits adds and removes stance cue phrases.
type StanceCueEdits struct {
	Add    []StanceCue `yaml:"add"`
	Remove []string    `yaml:"remove"`
}

// StanceCue is one weighted stance phrase.
type StanceCue struct {
	Phrase string  `yaml:"phrase"`
	Side   string  `yaml:"side"`
	Weight float64 `yaml:"weight"`
}

// TopicPhraseEdits adds and removes topic phrases.
type TopicPhraseEdits struct {
	Add    []TopicPhrase `yaml:"add"`
	Remove []string      `yaml:"remove"`
}

// TopicPhrase is one weighted topic phrase.
type TopicPhrase struct {
	Topic  string  `yaml:"topic"`
	Phrase string  `yaml:"phrase"`
	Weight float64 `yaml:"weight"`
}

// SMTP is the mail server used for alerts and digests.
type SMTP struct {
	Host         string   `yaml:"host"`
	Port         int      `yaml:"port"`
	Security     string   `yaml:"security"` // starttls | tls | none
	Username     string   `yaml:"username"`
	PasswordEnv  string   `yaml:"password_env"`
	PasswordFile string   `yaml:"password_file"`
	From         string   `yaml:"from"`
	Timeout      Duration `yaml:"timeout"`
}

// Alerts configures alert rules and delivery.
type Alerts struct {
	MaxAge          Duration    `yaml:"max_age"`
	GroupWindow     Duration    `yaml:"group_window"`
	MaxAttempts     int         `yaml:"max_attempts"`
	FailuresToAlert int         `yaml:"source_failures"`
	Rules           []AlertRule `yaml:"rules"`
	// Source-health notices (failing, silent, recovered) go to these
	// channels and targets, not to the rules'.
	HealthNotify  []string `yaml:"health_notify"` // email | webhook | log; empty: none
	HealthEmail   []string `yaml:"health_email"`
	HealthWebhook string   `yaml:"health_webhook"`
	// A source is silent after SilentFactor × its median gap between items,
	// and at least SilentMin, without a new item; 0 turns the check off.
	SilentFactor float64  `yaml:"silent_factor"`
	SilentMin    Duration `yaml:"silent_min"`
}

// AlertRule says which new items alert, and how.
type AlertRule struct {
	Name      string   `yaml:"name"`
	Person    string   `yaml:"person"`
	Stance    string   `yaml:"stance"`
	TopicsAny []string `yaml:"topics_any"`
	TopicsAll []string `yaml:"topics_all"`
	Source    string   `yaml:"source"`
	MinScore  float64  `yaml:"min_score"`
	Query     string   `yaml:"query"`
	Notify    []string `yaml:"notify"` // email | webhook | log
	Email     []string `yaml:"email"`
	Webhook   string   `yaml:"webhook"`
}

// Digest configures the daily digest email.
type Digest struct {
	Schedule  string   `yaml:"schedule"`
	To        []string `yaml:"to"`
	Subject   string   `yaml:"subject"`
	SendEmpty bool     `yaml:"send_empty"`
}

// Retention says how long full text is kept.
type Retention struct {
	// TextDays drops items' full text after this many days; 0 keeps it forever.
	TextDays int `yaml:"text_days"`
}

// Default returns the configuration every file starts from.
func Default() Config {
	return Config{
		Database: "newsmon.db",
		Postgres: Postgres{Lease: Duration(time.Minute)},
		Timezone: "UTC",
		Log:      Log{Format: "text", Level: "info"},
		Fetch: Fetch{
			UserAgent:    "newsmon/0.1 (+https://github.com/newsmon/newsmon)",
			Timeout:      Duration(30 * time.Second),
			MaxBodyBytes: 10 << 20,
			Concurrency:  8,
		},
		Daemon: Daemon{
			DefaultSchedule: "@every 1h",
			Jitter:          Duration(30 * time.Second),
			ShutdownGrace:   Duration(30 * time.Second),
			MaxBackoff:      Duration(6 * time.Hour),
		},
		Classify: Classify{MinWords: 60},
		SMTP:     SMTP{Port: 587, Security: "starttls", Timeout: Duration(30 * time.Second)},
		Alerts: Alerts{
			MaxAge:          Duration(48 * time.Hour),
			GroupWindow:     Duration(10 * time.Minute),
			MaxAttempts:     8,
			FailuresToAlert: 3,
			HealthNotify:    []string{"log"},
			SilentFactor:    4,
			SilentMin:       Duration(72 * time.Hour),
		},
		Digest: Digest{Schedule: "0 7 * * *", Subject: "newsmon digest {date}"},
	}
}
