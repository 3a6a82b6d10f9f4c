// Package leaktest holds only tests: they run every m3keys command and a scripted TUI
// session against a store whose secrets are unique markers, and fail when a marker, the
// passphrase or a Bearer token shows up where it must not (output, frames, files, $TMPDIR).
package leaktest
