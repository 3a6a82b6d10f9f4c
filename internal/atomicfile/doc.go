// Package atomicfile replaces a file so that a reader (or a crash) sees the old content or
// the new, never part of either.
package atomicfile

// Pending is the temp file that becomes path, as Write's prepare sees it.
type Pending interface {
	Chown(uid, gid int) error
}
