package notify

import (
	"context"
	"errors"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/newsmon/newsmon/store"
)

// DefaultFirstPeriod is how far back the very first digest looks.
const DefaultFirstPeriod = 24 * time.Hour

// DigestConfig says what the digest covers and who gets it.
type DigestConfig struct {
	To []string
	// Subject may hold "{date}", replaced by the period's end date.
	Subject   string
	SendEmpty bool
	Location  *time.Location
	// FirstPeriod is how far back the first digest ever sent looks; zero
	// means DefaultFirstPeriod.
	FirstPeriod time.Duration
	// HealthFailures is how many failed runs in a row make a source show
	// in the health block; zero means 1.
	HealthFailures int
	// Observe, when set, is told of each attempt's outcome ("sent",
	// "failed" or "skipped") and its time. It feeds /metrics.
	Observe func(outcome string, at time.Time)
}

// Digest outcomes passed to DigestConfig.Observe (also OutcomeSent).
const (
	OutcomeSkipped = "skipped"
)

// DigestJob builds the digest from the store and sends it, once per Send:
// when to send is the caller's (the daemon's schedule, or `newsmon digest
// --send`). Its settings are fixed: a reloaded config makes a new job.
// Every attempt is
// a digests row; a period is covered once a digest for it is sent, so a
// failed send is covered by the next digest. A digest interrupted by a stop
// (its row left "sending") is sent again for the same period under the
// same Message-ID, derived from its row, by Resume or the next Send: it
// may have been delivered or not, and a second copy of one message, which
// the reader's mail system can discard, is preferred to items that nobody
// saw.
type DigestJob struct {
	store *store.Store
	log   *slog.Logger
	now   func() time.Time
	mail  *Mailer
	cfg   DigestConfig
}

// NewDigestJob returns a job; mailer may be nil for previews only.
func NewDigestJob(st *store.Store, mailer *Mailer, log *slog.Logger, cfg DigestConfig) *DigestJob {
	return &DigestJob{store: st, mail: mailer, log: log, cfg: digestDefaults(cfg), now: time.Now}
}

func digestDefaults(cfg DigestConfig) DigestConfig {
	if cfg.FirstPeriod <= 0 {
		cfg.FirstPeriod = DefaultFirstPeriod
	}
	if cfg.HealthFailures < 1 {
		cfg.HealthFailures = 1
	}
	return cfg
}

// Build assembles the digest of everything fetched since the last sent
// digest, up to end, and the record Send would store for it.
func (j *DigestJob) Build(ctx context.Context, end time.Time) (Digest, store.DigestRecord, error) {
	cfg := j.cfg
	loc := locOrUTC(cfg.Location)
	last, hasLast, err := j.store.LastSentDigest(ctx)
	if err != nil {
		return Digest{}, store.DigestRecord{}, err
	}
	start := end.Add(-cfg.FirstPeriod)
	if hasLast {
		start = last.PeriodEnd
	}
	items, err := j.store.DigestItems(ctx, start, end)
	if err != nil {
		return Digest{}, store.DigestRecord{}, err
	}
	copies, err := j.store.Stories(ctx, storyIDs(items))
	if err != nil {
		return Digest{}, store.DigestRecord{}, err
	}
	d := Digest{
		Subject:     strings.ReplaceAll(cfg.Subject, "{date}", end.In(loc).Format("2006-01-02")),
		PeriodStart: start,
		PeriodEnd:   end,
		Location:    loc,
	}
	rec := store.DigestRecord{PeriodStart: start, PeriodEnd: end, Recipients: cfg.To, Items: len(items),
		Counts: map[string]map[string]int{}}

	d.People = storySections(items, copies)
	for i := range d.People {
		p := &d.People[i]
		if hasLast {
			p.PrevCounts = last.Counts[p.Person]
			if p.PrevCounts == nil {
				p.PrevCounts = map[string]int{}
			}
		}
		rec.Counts[p.Person] = p.Counts
	}

	health, err := j.store.Health(ctx, end)
	if err != nil {
		return Digest{}, store.DigestRecord{}, err
	}
	for _, h := range health {
		if h.ConsecutiveFailures >= cfg.HealthFailures {
			d.Health = append(d.Health, SourceProblem{Source: h.Name,
				Problem: failureText(h.Name, h.ConsecutiveFailures, h.LastCause), Since: h.LastSuccess})
		}
	}

	d.Daily, err = j.daily(ctx, end, loc)
	if err != nil {
		return Digest{}, store.DigestRecord{}, err
	}
	return d, rec, nil
}

// failureText is a failing source's line in the digest: the cause in a word
// or two ("timeout", "HTTP 404"), never the Go error, which is for whoever
// runs newsmon and is one command away.
func failureText(source string, n int, cause string) string {
	s := "failed " + strconv.Itoa(n) + " times in a row"
	if n == 1 {
		s = "failed its last run"
	}
	if cause != "" {
		return s + ": " + cause
	}
	return s + " (newsmon status " + source + " shows why)"
}

// daily counts stories per day, person and stance over the chart's days,
// in loc.
func (j *DigestJob) daily(ctx context.Context, end time.Time, loc *time.Location) ([]PersonDays, error) {
	e := end.In(loc)
	first := time.Date(e.Year(), e.Month(), e.Day()-(chartDays-1), 0, 0, 0, 0, loc)
	dates, err := j.store.StanceDates(ctx, first, end)
	if err != nil {
		return nil, err
	}
	return dailyStories(dates, first, chartDays, loc), nil
}

// DigestOutcome says what Send did.
type DigestOutcome struct {
	Sent    bool
	Skipped bool // empty period and SendEmpty off
	Items   int
}

// Send builds the digest up to now and sends it. A send error leaves the
// period uncovered (the row says failed) and is returned.
func (j *DigestJob) Send(ctx context.Context) (DigestOutcome, error) {
	cfg := j.cfg
	out, err := j.send(ctx)
	if cfg.Observe != nil {
		switch {
		case out.Sent:
			cfg.Observe(OutcomeSent, j.now())
		case out.Skipped:
			cfg.Observe(OutcomeSkipped, j.now())
		case err != nil:
			cfg.Observe(OutcomeFailed, j.now())
		}
	}
	return out, err
}

func (j *DigestJob) send(ctx context.Context) (DigestOutcome, error) {
	mail, cfg := j.mail, j.cfg
	if err := j.Resume(ctx); err != nil {
		return DigestOutcome{}, err
	}
	if mail == nil {
		return DigestOutcome{}, errors.New("send digest: no smtp server configured")
	}
	if len(cfg.To) == 0 {
		return DigestOutcome{}, errors.New("send digest: digest.to is empty")
	}
	now := j.now()
	d, rec, err := j.Build(ctx, now)
	if err != nil {
		return DigestOutcome{}, err
	}
	out := DigestOutcome{Items: rec.Items}
	if rec.Items == 0 && !cfg.SendEmpty {
		rec.Status = store.DigestSkipped
		_, err = j.store.StartDigest(ctx, rec, now)
		out.Skipped = err == nil
		j.log.Info("digest skipped: nothing new", "period_start", rec.PeriodStart, "period_end", rec.PeriodEnd)
		return out, err
	}
	id, err := j.store.StartDigest(ctx, rec, now)
	if err != nil {
		return out, err
	}
	if err := j.deliver(ctx, id, cfg.To, d); err != nil {
		return out, err
	}
	out.Sent = true
	j.log.Info("digest sent", "items", rec.Items, "to", strings.Join(cfg.To, ","))
	return out, nil
}

// deliver sends d, recorded as digest id, under a Message-ID derived from
// id, and records the outcome.
func (j *DigestJob) deliver(ctx context.Context, id int64, to []string, d Digest) error {
	sendErr := j.mail.sendDigest(ctx, to, d, "digest-"+strconv.FormatInt(id, 10))
	errText := ""
	if sendErr != nil {
		errText = sendErr.Error()
	}
	// The outcome is recorded even if ctx ended during the send.
	if err := j.store.FinishDigest(context.WithoutCancel(ctx), id, errText, j.now()); err != nil {
		return errors.Join(sendErr, err)
	}
	return sendErr
}

// Resume sends again each digest a stopped process left "sending", for its
// period and under its Message-ID; Send does it first, and the daemon at
// start, so that a digest cut short by a crash or a restart does not wait
// for the next scheduled one. One that cannot be sent now is marked failed,
// and the next digest covers its period.
func (j *DigestJob) Resume(ctx context.Context) error {
	left, err := j.store.SendingDigests(ctx)
	if err != nil {
		return err
	}
	for _, rec := range left {
		j.log.Warn("a digest was being sent when newsmon stopped; sending it again under the same Message-ID",
			"digest", rec.ID, "period_end", rec.PeriodEnd)
		if j.mail == nil {
			if err := j.store.FinishDigest(ctx, rec.ID, "interrupted while sending, and no smtp server is configured now", j.now()); err != nil {
				return err
			}
			continue
		}
		// Rebuilt as it was: the last sent digest is still the one before it.
		d, _, err := j.Build(ctx, rec.PeriodEnd)
		if err != nil {
			return err
		}
		to := rec.Recipients
		if len(to) == 0 {
			to = j.cfg.To
		}
		if err := j.deliver(ctx, rec.ID, to, d); err != nil {
			j.log.Error("send interrupted digest again; the next digest covers its period", "digest", rec.ID, "err", err)
		}
	}
	return nil
}
