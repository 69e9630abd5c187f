package bot

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"missionbot/answer"
	"missionbot/corpus"
	"missionbot/fetch"
	"missionbot/library"
	"missionbot/store"
)

// Errors the handlers return for the user-facing mapping in ErrorMessage.
var (
	errUnknownCommand = errors.New("unknown command")
	errNoStore        = errors.New("no store configured")
)

// msgShuttingDown is the reply to interactions that arrive during shutdown.
const msgShuttingDown = "The bot is shutting down for a moment — please try again shortly."

// userError is an error whose message is written for the user.
type userError struct{ msg string }

func (e *userError) Error() string { return e.msg }

// userErrorf returns an error whose text is shown to the user as is.
func userErrorf(format string, args ...any) error {
	return &userError{msg: fmt.Sprintf(format, args...)}
}

// notModeratorError says why a member may not use a moderator command.
type notModeratorError struct{ reason string }

func (e *notModeratorError) Error() string { return "not a moderator: " + e.reason }

// rateLimitedError is returned when a user asks too often.
type rateLimitedError struct{ retryAfter time.Duration }

func (e *rateLimitedError) Error() string {
	return fmt.Sprintf("rate limited; retry after %s", e.retryAfter)
}

// ErrorMessage maps an error to a short message that is safe to show in
// Discord. Errors the user can act on get a specific message and an empty
// ref; anything unexpected gets "Something went wrong" with ref, a short
// random reference that the caller logs beside the full error so an
// operator can find it.
func ErrorMessage(err error) (msg, ref string) {
	var (
		ue *userError
		nm *notModeratorError
		rl *rateLimitedError
	)
	switch {
	case err == nil:
		return "", ""
	case errors.As(err, &ue):
		return ue.msg, ""
	case isFetchError(err):
		return fetchMessage(err), ""
	case errors.As(err, &nm):
		return "Sorry, only moderators can use this command: " + nm.reason + ".", ""
	case errors.As(err, &rl):
		secs := int(rl.retryAfter.Round(time.Second) / time.Second)
		if secs < 1 {
			secs = 1
		}
		return fmt.Sprintf("You're asking faster than I can keep up — please try again in %d s.", secs), ""
	case errors.Is(err, answer.ErrInvalidQuestion):
		reason := strings.TrimPrefix(err.Error(), answer.ErrInvalidQuestion.Error()+": ")
		return "I can't take that question: " + reason + ".", ""
	case errors.Is(err, ErrBusy):
		return "I'm busy answering other questions — please try again in a moment.", ""
	case errors.Is(err, library.ErrBusy):
		return "A refresh is already running; its result will show up when it ends.", ""
	case errors.Is(err, library.ErrReadOnly):
		return "The bot is serving its read-only built-in corpus. To add or remove documents, the operator must set MISSIONBOT_CORPUS_DIR to a writable folder and restart the bot.", ""
	case errors.Is(err, errNoStore):
		return "This feature needs the bot's database, which is not configured.", ""
	case errors.Is(err, corpus.ErrExists):
		return "A document with that name is already in the corpus.", ""
	case errors.Is(err, corpus.ErrNotFound):
		return "That document isn't in the corpus (it may have been removed already).", ""
	case errors.Is(err, store.ErrUnknownAnswer):
		return "That answer is no longer on record, so the vote wasn't counted.", ""
	case errors.Is(err, store.ErrUnavailable):
		return "The bot's database can't be reached right now, so this wasn't recorded. Please try again in a few minutes.", ""
	case errors.Is(err, errShutdown):
		return "The bot is restarting and this answer was interrupted — please ask again in a moment.", ""
	case errors.Is(err, context.DeadlineExceeded):
		return "That took too long and was stopped. Please try again, perhaps with a narrower question.", ""
	}
	ref = newRef()
	return fmt.Sprintf("Something went wrong on our side (reference %s). Please try again later.", ref), ref
}

// fetchKinds are the kinds of fetch failure, for errors that carry one
// without being a *fetch.Error (another Fetcher, an attachment check).
var fetchKinds = []error{
	fetch.ErrBadURL, fetch.ErrBlockedAddress, fetch.ErrTooLarge, fetch.ErrUnsupportedType,
	fetch.ErrTooManyRedirects, fetch.ErrBadStatus, fetch.ErrUnreachable, fetch.ErrTimeout,
}

// isFetchError reports whether err is a failed fetch of a kind the user
// can act on.
func isFetchError(err error) bool {
	for _, k := range fetchKinds {
		if errors.Is(err, k) {
			return true
		}
	}
	return false
}

// fetchMessage says what went wrong fetching a moderator's link, in the
// fetch error's own safe words, so they can fix the link or attach the
// file instead. err must satisfy isFetchError.
func fetchMessage(err error) string {
	fe := &fetch.Error{}
	if !errors.As(err, &fe) {
		for _, k := range fetchKinds {
			if errors.Is(err, k) {
				fe = &fetch.Error{Kind: k}
				break
			}
		}
	}
	detail := ""
	if fe.Detail != "" {
		detail = " (" + fe.Detail + ")"
	}
	switch {
	case errors.Is(fe.Kind, fetch.ErrBlockedAddress):
		return "I can't fetch that address: it points to a private or local network."
	case errors.Is(fe.Kind, fetch.ErrTooLarge):
		return "That document is too large to add" + detail + "."
	case errors.Is(fe.Kind, fetch.ErrUnsupportedType):
		return "That kind of document isn't supported" + detail + ": use .txt, .md, .html or .pdf (or an http(s) link to an article)."
	case errors.Is(fe.Kind, fetch.ErrBadStatus):
		return "I couldn't fetch that link: the site did not return the document" + detail + ". Check the link, or download the page and attach it as a file."
	case errors.Is(fe.Kind, fetch.ErrUnreachable):
		return "I couldn't reach that site" + detail + ". Check the link for typos."
	case errors.Is(fe.Kind, fetch.ErrTimeout):
		return "The site took too long to send the document" + detail + ". Try again later, or download it and attach the file."
	case errors.Is(fe.Kind, fetch.ErrTooManyRedirects):
		return "I couldn't fetch that link: it redirects too many times" + detail + "."
	}
	// ErrBadURL and any kind added later: the kind's text is written for
	// the user.
	return "I can't use that link: " + fe.Kind.Error() + detail + "."
}

// newRef returns 8 random hex characters.
func newRef() string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
