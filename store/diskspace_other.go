//go:build !linux

package store

// noSpaceLeft is only implemented on Linux; elsewhere SQLite's own message
// stands.
func noSpaceLeft(string) bool { return false }
