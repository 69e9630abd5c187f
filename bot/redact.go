package bot

import (
	"regexp"
	"strings"
)

// tokenInURL matches the interaction token in the URLs of webhook and
// interaction callback calls, /webhooks/<app>/<token>… and
// /interactions/<id>/<token>/callback: a token lets anyone post as the
// bot for 15 minutes, and Go's *url.Error quotes the whole URL.
var tokenInURL = regexp.MustCompile(`(/(?:webhooks|interactions)/[0-9]+/)[^/?#\s"']+`)

// redactor makes the errors of Discord calls safe to log or show: every
// interaction token is replaced by "<token>", and discord.com by the API
// base the bot really talks to (discordgo builds every URL on
// discord.com and the transport rewrites it, so errors would name a host
// that was never contacted).
type redactor struct {
	// base is the configured API base without a trailing slash; empty or
	// "https://discord.com" leaves hosts alone.
	base string
}

// text returns s with tokens and the host rewritten.
func (r redactor) text(s string) string {
	s = tokenInURL.ReplaceAllString(s, "${1}<token>")
	if r.base != "" && r.base != "https://discord.com" {
		s = strings.ReplaceAll(s, "https://discord.com", r.base)
	}
	return s
}

// error returns err with its text redacted; errors.Is and errors.As
// still see the original chain. nil stays nil.
func (r redactor) error(err error) error {
	if err == nil {
		return nil
	}
	if re, ok := err.(*redactedError); ok {
		return re
	}
	return &redactedError{msg: r.text(err.Error()), err: err}
}

// redactedError is an error whose text has been through a redactor.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }
