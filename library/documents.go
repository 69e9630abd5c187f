package library

import "missionbot/corpus"

// Documents lists the files in the corpus folder that can hold documents,
// sorted by file name, each with its manifest metadata: indexed or not, so
// that a saved file that failed to load can still be found and removed.
// It returns ErrReadOnly for the built-in corpus.
func (l *Library) Documents() ([]corpus.Meta, error) {
	if l.folder == nil {
		return nil, ErrReadOnly
	}
	return l.folder.Entries()
}
