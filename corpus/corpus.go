// Package corpus owns what a document is and what it says about itself:
// the default documents the bot answers from (embedded in the binary, so it
// works from any directory), a moderator's folder on disk in the same
// layout (Dir), the manifest that names titles, publishers, authors, dates
// and addresses, the loaders for .txt, .md, .html and .pdf files, the
// removal of page boilerplate, and the metadata a document states in its
// own text (Meta).
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
