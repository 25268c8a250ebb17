package main

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
)

func runVersion(ctx context.Context, e *env, args []string) int {
	fs, _ := e.flags("version", "version\n\nPrints newsmon's module version, the VCS revision and time it was built\nfrom (\"modified\" when the working tree had changes) and the Go version.")
	if code, ok := fs.parseNone(args, ""); !ok {
		return code
	}
	info, _ := debug.ReadBuildInfo()
	fmt.Fprintln(e.stdout, versionLine(info))
	return exitOK
}

// versionLine describes the build: "newsmon v0.0.0-…-3bcfe4c1a2b3 (revision
// 3bcfe4c1a2b3…, 2026-12-03T06:10:00Z, modified) go1.26.8". Go stamps the
// revision when it builds from a git checkout; a build from elsewhere
// (a source tarball, -buildvcs=false) says so.
func versionLine(info *debug.BuildInfo) string {
	version := "(unknown)"
	var vcs []string
	if info != nil {
		if info.Main.Version != "" {
			version = info.Main.Version
		}
		settings := map[string]string{}
		for _, s := range info.Settings {
			settings[s.Key] = s.Value
		}
		if rev := settings["vcs.revision"]; rev != "" {
			vcs = append(vcs, "revision "+rev)
		}
		if t := settings["vcs.time"]; t != "" {
			vcs = append(vcs, t)
		}
		if settings["vcs.modified"] == "true" {
			vcs = append(vcs, "modified")
		}
	}
	if len(vcs) == 0 {
		vcs = append(vcs, "no VCS information")
	}
	return fmt.Sprintf("newsmon %s (%s) %s", version, strings.Join(vcs, ", "), runtime.Version())
}
