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

const module = "github.com/newsmon/newsmon/"

// The stages form a line: config → fetch → extract → classify → store →
// notify. A stage may import only stages before it, and not all of those:
// some earlier stages are siblings rather than suppliers. store keeps what
// the classifier found but never classifies, so it does not import
// classify; notify delivers what store holds, and fetching or extracting
// web content is none of its business (webhooks share only the address
// guard, which lives in internal/netguard for that reason). Only the
// orchestrators (pipeline, daemon, cmd) see every stage. Packages under
// internal/ are small helpers any stage may use; they import no stage.
// This test reads the import lists from source, so a back edge fails the
// build of the test suite, not a review.
func TestStagesImportOnlyEarlierStages(t *testing.T) {
	stages := []string{"config", "fetch", "extract", "classify", "store", "notify"}
	sideways := map[string][]string{"store": {"classify"}, "notify": {"fetch", "extract"}}
	order := map[string]int{}
	for i, s := range stages {
		order[s] = i
	}
	for i, stage := range stages {
		for _, imp := range projectImports(t, stage) {
			f, path := imp.file, imp.path
			top, _, _ := strings.Cut(path, "/")
			if top == "internal" {
				continue
			}
			j, isStage := order[top]
			if !isStage || j >= i {
				t.Errorf("%s imports %s: a stage may import only earlier stages (%s)", f, module+path, strings.Join(stages[:i], ", "))
			}
			if slices.Contains(sideways[stage], top) {
				t.Errorf("%s imports %s: %s and %s are siblings, not supplier and user", f, module+path, stage, top)
			}
		}
	}
	helpers, err := filepath.Glob(filepath.Join("..", "internal", "*"))
	if err != nil || len(helpers) == 0 {
		t.Fatalf("no internal packages: %v", err)
	}
	for _, dir := range helpers {
		pkg, _ := filepath.Rel("..", dir)
		for _, imp := range projectImports(t, pkg) {
			if !strings.HasPrefix(imp.path, "internal/") {
				t.Errorf("%s imports %s: a helper under internal/ imports no stage", imp.file, module+imp.path)
			}
		}
	}
}

// projectImport is an import of one of the module's packages, its path
// relative to the module's.
type projectImport struct{ file, path string }

// projectImports returns the module's packages imported by the non-test Go
// files of pkg (a directory relative to the module root).
func projectImports(t *testing.T, pkg string) []projectImport {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("..", pkg, "*.go"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no Go files for %s: %v", pkg, err)
	}
	var out []projectImport
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
			if rest, ok := strings.CutPrefix(path, module); ok {
				out = append(out, projectImport{f, rest})
			}
		}
	}
	return out
}
