package pipeline

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// The stages form a line: config → fetch → extract → classify → store →
// notify. A stage may import only stages before it; only the orchestrators
// (pipeline, daemon, cmd) see them all. Some earlier stages are siblings
// rather than suppliers, and may not be imported either: store keeps what
// the classifier found but never classifies, so it does not import
// classify. This test reads the import lists from source, so a back edge
// fails the build of the test suite, not a review.
func TestStagesImportOnlyEarlierStages(t *testing.T) {
	const module = "github.com/newsmon/newsmon/"
	stages := []string{"config", "fetch", "extract", "classify", "store", "notify"}
	sideways := map[string][]string{"store": {"classify"}}
	order := map[string]int{}
	for i, s := range stages {
		order[s] = i
	}
	for i, stage := range stages {
		files, err := filepath.Glob(filepath.Join("..", stage, "*.go"))
		if err != nil || len(files) == 0 {
			t.Fatalf("no Go files for %s: %v", stage, err)
		}
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			parsed, err := parser.ParseFile(token.NewFileSet(), f, src, parser.ImportsOnly)
			if err != nil {
				t.Fatal(err)
			}
			for _, imp := range parsed.Imports {
				path, _ := strconv.Unquote(imp.Path.Value)
				rest, ok := strings.CutPrefix(path, module)
				if !ok {
					continue
				}
				top, _, _ := strings.Cut(rest, "/")
				j, isStage := order[top]
				if !isStage || j >= i {
					t.Errorf("%s imports %s: a stage may import only earlier stages (%s)", f, path, strings.Join(stages[:i], ", "))
				}
				if slices.Contains(sideways[stage], top) {
					t.Errorf("%s imports %s: %s and %s are siblings, not supplier and user", f, path, stage, top)
				}
			}
		}
	}
}
