package config

import (
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
)

// Stances a source prior or an alert rule may name.
var stances = map[string]bool{"supportive": true, "critical": true, "neutral": true, "unclear": true}

// scheduleParser accepts 5-field cron specs and descriptors such as
// "@every 30m", "@hourly" and "@daily".
var scheduleParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// MaxBodyBytes is the largest fetch.max_body_bytes: every body is read into
// memory, and a feed or page of more than a gigabyte is not news.
const MaxBodyBytes = 1 << 30

// ParseSchedule parses a cron spec or descriptor. A spec that names no
// date that exists ("0 0 31 2 *", the 31st of February) is an error: it
// would never fire.
func ParseSchedule(spec string) (cron.Schedule, error) {
	s, err := scheduleParser.Parse(spec)
	if err != nil {
		return nil, fmt.Errorf("bad schedule %q: expected 5 cron fields (\"*/30 * * * *\") or a descriptor (\"@every 30m\", \"@hourly\"): %w", spec, err)
	}
	// The cron library looks five years ahead and gives the zero time when
	// it finds nothing: February 29 fires, February 30 does not.
	if s.Next(time.Now()).IsZero() {
		return nil, fmt.Errorf("schedule %q never fires: no date matches its day and month fields", spec)
	}
	return s, nil
}

// JobSchedule parses a schedule as the daemon runs it. On PostgreSQL,
// where several workers must agree on when each run is due, "@every D"
// fires at the multiples of D counted from midnight UTC of year 1 (so a D
// that divides a day fires at the same times every day), not D after the
// worker started.
func (c *Config) JobSchedule(spec string) (cron.Schedule, error) {
	s, err := ParseSchedule(spec)
	if err != nil {
		return nil, err
	}
	if every, ok := s.(cron.ConstantDelaySchedule); ok && c.IsPostgres() {
		return alignedEvery{every.Delay}, nil
	}
	return s, nil
}

// alignedEvery fires at the multiples of d.
type alignedEvery struct{ d time.Duration }

func (a alignedEvery) Next(t time.Time) time.Time { return t.Truncate(a.d).Add(a.d) }

// ScheduleOf returns the source's schedule spec, or the daemon default.
func (c *Config) ScheduleOf(s Source) string {
	if s.Schedule != "" {
		return s.Schedule
	}
	return c.Daemon.DefaultSchedule
}

// validate checks values that decoded but make no sense, and resolves
// derived fields (Location).
func (c *Config) validate() Problems {
	var ps Problems
	bad := func(path, format string, args ...any) { ps = append(ps, c.Problem(path, format, args...)) }

	if strings.TrimSpace(c.Database) == "" {
		bad("database", "required: the SQLite file path, e.g. newsmon.db, or a PostgreSQL URL, e.g. postgres://newsmon@db.example.org/newsmon")
	}
	c.validatePostgres(bad)
	loc, err := time.LoadLocation(c.Timezone)
	if err != nil {
		bad("timezone", "unknown time zone %q: expected an IANA name such as Europe/Brussels or UTC", c.Timezone)
		loc = time.UTC
	}
	c.Location = loc
	if c.Listen != "" {
		if _, _, err := net.SplitHostPort(c.Listen); err != nil {
			bad("listen", "expected host:port such as 127.0.0.1:9090, got %q", c.Listen)
		}
	}
	if c.Log.Format != "text" && c.Log.Format != "json" {
		bad("log.format", "expected text or json, got %q", c.Log.Format)
	}
	switch c.Log.Level {
	case "debug", "info", "warn", "error":
	default:
		bad("log.level", "expected debug, info, warn or error, got %q", c.Log.Level)
	}

	if c.Fetch.UserAgent == "" {
		bad("fetch.user_agent", "required: servers need to know who is fetching")
	}
	if c.Fetch.Timeout <= 0 {
		bad("fetch.timeout", "must be positive, e.g. 30s")
	}
	if c.Fetch.MaxBodyBytes > MaxBodyBytes {
		bad("fetch.max_body_bytes", "at most 1GB: a body is held in memory whole, got %d bytes", c.Fetch.MaxBodyBytes)
	}
	if c.Fetch.Concurrency < 1 || c.Fetch.Concurrency > 256 {
		bad("fetch.concurrency", "expected 1 to 256, got %d", c.Fetch.Concurrency)
	}
	if _, err := ParseSchedule(c.Daemon.DefaultSchedule); err != nil {
		bad("daemon.default_schedule", "%v", err)
	}

	if len(c.Tracked) == 0 {
		bad("tracked", "required: at least one person to track, e.g. - name: Ali Aarrass")
	}
	people := map[string]bool{}
	for i, p := range c.Tracked {
		path := fmt.Sprintf("tracked[%d]", i)
		name := strings.TrimSpace(p.Name)
		switch {
		case name == "":
			bad(path+".name", "required: the person's canonical name")
		case people[strings.ToLower(name)]:
			bad(path+".name", "duplicate person %q", name)
		}
		people[strings.ToLower(name)] = true
		for j, a := range p.Aliases {
			if strings.TrimSpace(a) == "" {
				bad(fmt.Sprintf("%s.aliases[%d]", path, j), "empty alias")
			}
		}
	}

	names := map[string]bool{}
	for i, s := range c.Sources {
		path := fmt.Sprintf("sources[%d]", i)
		switch {
		case s.Name == "":
			bad(path+".name", "required: a unique name for the source")
		case names[s.Name]:
			bad(path+".name", "duplicate source name %q", s.Name)
		}
		names[s.Name] = true
		switch s.Type {
		case SourceFeed:
			checkURL(bad, path+".url", s.URL, true)
		case SourcePage:
			if s.URL == "" && len(s.StartURLs) == 0 {
				bad(path+".start_urls", "required for type page: at least one start URL")
			}
			if s.URL != "" {
				checkURL(bad, path+".url", s.URL, true)
			}
			for j, u := range s.StartURLs {
				checkURL(bad, fmt.Sprintf("%s.start_urls[%d]", path, j), u, true)
			}
			for _, list := range []struct {
				key string
				res []string
			}{{"follow", s.Follow}, {"articles", s.Articles}} {
				for j, re := range list.res {
					if _, err := regexp.Compile(re); err != nil {
						bad(fmt.Sprintf("%s.%s[%d]", path, list.key, j), "bad regular expression: %v", err)
					}
				}
			}
			if s.MaxDepth < 0 {
				bad(path+".max_depth", "must not be negative")
			}
			if s.MaxPages < 0 {
				bad(path+".max_pages", "must not be negative")
			}
			if s.Parallelism < 0 {
				bad(path+".parallelism", "must not be negative")
			}
		case "":
			bad(path+".type", "required: feed or page")
		default:
			bad(path+".type", "expected feed or page, got %q", s.Type)
		}
		if s.Schedule != "" {
			if _, err := ParseSchedule(s.Schedule); err != nil {
				bad(path+".schedule", "%v", err)
			}
		}
		if s.StancePrior != "" && (!stances[s.StancePrior] || s.StancePrior == "unclear") {
			bad(path+".stance_prior", "expected supportive, critical or neutral, got %q", s.StancePrior)
		}
	}

	for i, cue := range c.Classify.StanceCues.Add {
		path := fmt.Sprintf("classify.stance_cues.add[%d]", i)
		if strings.TrimSpace(cue.Phrase) == "" {
			bad(path+".phrase", "required")
		}
		switch cue.Side {
		case "supportive", "critical", "neutral", "opinion":
		default:
			bad(path+".side", "expected supportive, critical, neutral or opinion, got %q", cue.Side)
		}
	}
	for i, tp := range c.Classify.TopicPhrases.Add {
		path := fmt.Sprintf("classify.topic_phrases.add[%d]", i)
		if strings.TrimSpace(tp.Topic) == "" {
			bad(path+".topic", "required")
		}
		if strings.TrimSpace(tp.Phrase) == "" {
			bad(path+".phrase", "required")
		}
	}
	if c.Classify.MinWords < 0 {
		bad("classify.min_words", "must not be negative")
	}

	ps = append(ps, c.validateNotify(people, names)...)
	return ps
}

// validatePostgres checks a PostgreSQL URL and the postgres section.
func (c *Config) validatePostgres(bad func(path, format string, args ...any)) {
	pg := c.Postgres
	if !c.IsPostgres() {
		if _, set := c.lines["postgres"]; set {
			bad("postgres", "only for a PostgreSQL database (database: postgres://...); database is the SQLite file %s", c.Database)
		}
		return
	}
	u, err := url.Parse(c.Database)
	switch {
	case err != nil:
		// url.Parse quotes the URL in its error; it may hold a password.
		bad("database", "not a valid PostgreSQL URL (postgres://USER@HOST:PORT/DATABASE?sslmode=...)")
	case u.User != nil && hasPassword(u.User):
		bad("database", "the URL holds a password, which newsmon would print with the URL: "+
			"put it in postgres.password_file or postgres.password_env")
	case u.Query().Has("password"):
		bad("database", "the URL holds a password parameter, which newsmon would print with the URL: "+
			"put it in postgres.password_file or postgres.password_env")
	case strings.Trim(u.Path, "/") == "":
		bad("database", "the URL names no database: postgres://USER@HOST/DATABASE")
	}
	if err == nil {
		switch m := u.Query().Get("sslmode"); m {
		case "", "disable", "allow", "prefer", "require", "verify-ca", "verify-full":
		default:
			bad("database", "sslmode: expected disable, allow, prefer, require, verify-ca or verify-full, got %q", m)
		}
	}
	if pg.PasswordEnv != "" && pg.PasswordFile != "" {
		bad("postgres.password_file", "set password_env or password_file, not both")
	}
	if pg.Lease.D() < time.Second || pg.Lease.D() > time.Hour {
		bad("postgres.lease", "expected 1s to 1h, got %s", pg.Lease.D())
	}
}

func hasPassword(u *url.Userinfo) bool {
	_, ok := u.Password()
	return ok
}

func (c *Config) validateNotify(people, sources map[string]bool) Problems {
	var ps Problems
	bad := func(path, format string, args ...any) { ps = append(ps, c.Problem(path, format, args...)) }
	switch c.SMTP.Security {
	case "starttls", "tls", "none":
	default:
		bad("smtp.security", "expected starttls, tls or none, got %q", c.SMTP.Security)
	}
	if c.SMTP.Host != "" {
		if c.SMTP.Port < 1 || c.SMTP.Port > 65535 {
			bad("smtp.port", "expected 1 to 65535, got %d", c.SMTP.Port)
		}
		if _, err := mail.ParseAddress(c.SMTP.From); err != nil {
			bad("smtp.from", "expected an address such as \"newsmon <monitor@example.org>\", got %q", c.SMTP.From)
		}
	}
	if _, err := ParseSchedule(c.Digest.Schedule); err != nil {
		bad("digest.schedule", "%v", err)
	}
	for i, to := range c.Digest.To {
		if _, err := mail.ParseAddress(to); err != nil {
			bad(fmt.Sprintf("digest.to[%d]", i), "bad email address %q", to)
		}
	}
	if len(c.Digest.To) > 0 && c.SMTP.Host == "" {
		bad("smtp.host", "required when digest.to is set")
	}
	if c.Alerts.MaxAttempts < 1 {
		bad("alerts.max_attempts", "must be at least 1")
	}
	if c.Alerts.FailuresToAlert < 1 {
		bad("alerts.source_failures", "must be at least 1")
	}
	validateHealthAlerts(c, bad)
	rules := map[string]bool{}
	for i, r := range c.Alerts.Rules {
		path := fmt.Sprintf("alerts.rules[%d]", i)
		switch {
		case r.Name == "":
			bad(path+".name", "required: a unique rule name")
		case rules[r.Name]:
			bad(path+".name", "duplicate rule name %q", r.Name)
		case r.Name == HealthRuleName:
			bad(path+".name", "%q is reserved for source-health alerts", r.Name)
		}
		rules[r.Name] = true
		if r.Person != "" && !people[strings.ToLower(r.Person)] {
			bad(path+".person", "%q is not in tracked", r.Person)
		}
		if r.Source != "" && !sources[r.Source] {
			bad(path+".source", "%q is not a source name", r.Source)
		}
		if r.Stance != "" && !stances[r.Stance] {
			bad(path+".stance", "expected supportive, critical, neutral or unclear, got %q", r.Stance)
		}
		if len(r.Notify) == 0 {
			bad(path+".notify", "required: one or more of email, webhook, log")
		}
		for j, ch := range r.Notify {
			switch ch {
			case "email":
				if len(r.Email) == 0 {
					bad(path+".email", "required when notify has email")
				}
				if c.SMTP.Host == "" {
					bad("smtp.host", "required by alert rule %q (notify: email)", r.Name)
				}
			case "webhook":
				checkURL(bad, path+".webhook", r.Webhook, true)
			case "log":
			default:
				bad(fmt.Sprintf("%s.notify[%d]", path, j), "expected email, webhook or log, got %q", ch)
			}
		}
		for j, to := range r.Email {
			if _, err := mail.ParseAddress(to); err != nil {
				bad(fmt.Sprintf("%s.email[%d]", path, j), "bad email address %q", to)
			}
		}
	}
	if c.Retain.TextDays < 0 {
		bad("retention.text_days", "must not be negative")
	}
	return ps
}

func checkURL(bad func(path, format string, args ...any), path, raw string, required bool) {
	if raw == "" {
		if required {
			bad(path, "required: an http or https URL")
		}
		return
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		bad(path, "expected an http or https URL, got %q", raw)
	}
}
