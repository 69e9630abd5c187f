// Package corpus holds the default documents the bot answers from and the
// manifest format that names their titles, publishers, authors, dates and
// addresses. The default documents are embedded in the binary, so it works
// from any directory; Dir manages a moderator-maintained folder on disk in
// the same layout.
package corpus

import (
	"embed"
	"io/fs"
)

// files holds the default documents and their manifest.
//
//go:embed *.txt manifest.json
var files embed.FS

// Embedded returns the default corpus: the documents at its root and
// manifest.json. The file system is read-only.
func Embedded() fs.FS {
	return files
}
