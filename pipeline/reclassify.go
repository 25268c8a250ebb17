package pipeline

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/newsmon/newsmon/classify"
	"github.com/newsmon/newsmon/config"
	"github.com/newsmon/newsmon/store"
)

// DefaultReclassifyBatch is how many items Reclassify relabels per
// transaction unless told otherwise.
const DefaultReclassifyBatch = 500

// ReclassifyOptions say which stored items Reclassify labels again, and how.
type ReclassifyOptions struct {
	// Since limits the run to items published (or else fetched) on or after
	// it; zero means every item.
	Since time.Time
	// Batch is the number of items relabelled per transaction.
	Batch int
	// StancePriors are the sources' stance_prior settings, by source name.
	StancePriors map[string]string
	// People are the tracked people the classifier was built for. With the
	// rules version and the priors they name the job: an interrupted run is
	// resumed only by a run of the same job whose Since is no earlier (its
	// items are among the interrupted run's).
	People []classify.Person
	// Progress, when set, is told of the progress at the start and after
	// each committed batch.
	Progress func(ReclassifyProgress)
}

// ReclassifyOptionsFor are the options cfg implies.
func ReclassifyOptionsFor(cfg config.Config) ReclassifyOptions {
	priors := map[string]string{}
	for _, s := range cfg.Sources {
		if s.StancePrior != "" {
			priors[s.Name] = s.StancePrior
		}
	}
	return ReclassifyOptions{Batch: DefaultReclassifyBatch, StancePriors: priors, People: People(cfg)}
}

// ReclassifyProgress is how far Reclassify got.
type ReclassifyProgress struct {
	Done    int // items done, including those of an interrupted run resumed
	Total   int // items to do in all
	Resumed int // items an interrupted run had done before this one started
	Changed int // labels changed
	// Kept counts the items whose text retention dropped: their labels are
	// kept, since they cannot be worked out again.
	Kept int
}

// Reclassify labels stored items again with c, the way ingest labels new
// ones (mentions, stances, topics, fingerprint and story), in batches of
// one transaction each. Each batch records the progress with it: when ctx
// is cancelled, or the process dies, the next Reclassify of the same job
// resumes after the last committed batch. Only the labels the classifier
// writes are replaced; revisions, and anything stored apart from them,
// are left alone.
func Reclassify(ctx context.Context, c *classify.Classifier, st *store.Store, opts ReclassifyOptions) (ReclassifyProgress, error) {
	batch := opts.Batch
	if batch < 1 {
		batch = DefaultReclassifyBatch
	}
	job := reclassifyJob(c.RulesVersion(), opts)
	prog, ok, err := st.ReclassifyProgress(ctx)
	if err != nil {
		return ReclassifyProgress{}, err
	}
	if !ok || !resumes(prog, job, opts.Since) {
		prog = store.ReclassifyProgress{Job: job, Started: time.Now()}
	}
	prog.Since = opts.Since
	remaining, err := st.CountItemsAfter(ctx, prog.AfterID, opts.Since)
	if err != nil {
		return ReclassifyProgress{}, err
	}
	rep := ReclassifyProgress{Done: prog.Done, Resumed: prog.Done, Total: prog.Done + remaining, Changed: prog.Changed}
	report := func() {
		if opts.Progress != nil {
			opts.Progress(rep)
		}
	}
	report()
	for {
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		list, err := st.ItemsAfter(ctx, prog.AfterID, opts.Since, batch)
		if err != nil {
			return rep, err
		}
		if len(list) == 0 {
			break
		}
		labels := make([]store.Labels, 0, len(list))
		for _, it := range list {
			if it.TextPruned {
				rep.Kept++
				continue
			}
			si := store.Item{Title: it.Title, Text: it.Text}
			label(c, &si, opts.StancePriors[it.Source])
			labels = append(labels, store.Labels{ItemID: it.ID, Mentions: si.Mentions, Stances: si.Stances,
				Topics: si.Topics, Fingerprint: si.Fingerprint, StoryKeys: si.StoryKeys})
		}
		next := prog
		next.AfterID = list[len(list)-1].ID
		next.Done += len(list)
		if _, err := st.ReplaceLabels(ctx, labels, &next); err != nil {
			return rep, err
		}
		prog = next
		rep.Done, rep.Changed = prog.Done, prog.Changed
		// Items stored while the run goes on are done too.
		rep.Total = max(rep.Total, rep.Done)
		report()
	}
	rep.Total = rep.Done
	if err := st.EndReclassify(ctx); err != nil {
		return rep, err
	}
	return rep, nil
}

// resumes reports whether a run of job over the items since since can take
// up prog: the same job, and no item that prog's run left out. A relative
// --since ("7d") moves on with the clock and still resumes.
func resumes(prog store.ReclassifyProgress, job string, since time.Time) bool {
	return prog.Job == job && !since.Before(prog.Since)
}

// reclassifyJob names how a reclassification labels: the same rules,
// people and priors give the same name.
func reclassifyJob(rulesVersion string, opts ReclassifyOptions) string {
	var b strings.Builder
	fmt.Fprintf(&b, "rules %s\n", rulesVersion)
	for _, p := range opts.People {
		fmt.Fprintf(&b, "person %q %q\n", p.Name, p.Aliases)
	}
	sources := make([]string, 0, len(opts.StancePriors))
	for s := range opts.StancePriors {
		sources = append(sources, s)
	}
	slices.Sort(sources)
	for _, s := range sources {
		fmt.Fprintf(&b, "prior %q %q\n", s, opts.StancePriors[s])
	}
	sum := sha256.Sum256([]byte(b.String()))
	return rulesVersion + "/" + hex.EncodeToString(sum[:8])
}
