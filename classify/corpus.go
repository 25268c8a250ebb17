package classify

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
)

// LabelledDoc is one file of a labelled corpus: a text, the tracked people
// it mentions (the main one first), the stance towards the main person and
// the topics, as a person judged them. `newsmon export --format eval`
// writes the same shape.
type LabelledDoc struct {
	File   string   `json:"-"` // the file's name, for reports
	Title  string   `json:"title"`
	Text   string   `json:"text"`
	People []string `json:"people"`
	Person string   `json:"person"`
	Stance string   `json:"stance"`
	Topics []string `json:"topics"`           // null: not labelled, so neither scored nor fitted
	Outlet string   `json:"outlet,omitempty"` // for counting outlets when suggesting cues
	URL    string   `json:"url,omitempty"`
}

// document is the document the classifier reads of d.
func (d LabelledDoc) document() Document { return Document{Title: d.Title, Text: d.Text} }

// ReadCorpus reads every labelled *.json file of dir (people.json, the
// tracked people, is skipped), sorted by name. Each needs a text, a main
// person and a stance of supportive, critical or neutral.
func ReadCorpus(dir string) ([]LabelledDoc, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return nil, fmt.Errorf("list corpus %s: %w", dir, err)
	}
	sort.Strings(files)
	var docs []LabelledDoc
	for _, f := range files {
		if filepath.Base(f) == "people.json" {
			continue
		}
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("read corpus file: %w", err)
		}
		var d LabelledDoc
		if err := json.Unmarshal(data, &d); err != nil {
			return nil, fmt.Errorf("parse corpus file %s: %w", f, err)
		}
		switch {
		case d.Stance != Supportive && d.Stance != Critical && d.Stance != Neutral:
			return nil, fmt.Errorf("corpus file %s: stance %q is not supportive, critical or neutral", f, d.Stance)
		case d.Person == "":
			return nil, fmt.Errorf("corpus file %s: no main person (\"person\")", f)
		}
		d.File = filepath.Base(f)
		docs = append(docs, d)
	}
	if len(docs) == 0 {
		return nil, fmt.Errorf("corpus %s: no labelled files", dir)
	}
	return docs, nil
}

// ReadPeople reads a corpus folder's people.json: [{"name", "aliases"}].
// A folder without one gives (nil, nil).
func ReadPeople(dir string) ([]Person, error) {
	data, err := os.ReadFile(filepath.Join(dir, "people.json"))
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read people: %w", err)
	}
	var raw []struct {
		Name    string   `json:"name"`
		Aliases []string `json:"aliases"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("parse %s: %w", filepath.Join(dir, "people.json"), err)
	}
	people := make([]Person, len(raw))
	for i, r := range raw {
		people[i] = Person{Name: r.Name, Aliases: r.Aliases}
	}
	return people, nil
}
