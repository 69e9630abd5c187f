package answer

import (
	"strings"
	"unicode"
)

// Reasoning models put their thinking in the content between these tags
// (DeepSeek-R1, Qwen3 and others served raw); some chat templates open the
// block in the prompt, so the reply starts inside it and only the closing
// tag shows.
const (
	thinkOpen  = "<think>"
	thinkClose = "</think>"
)

// stripReasoning removes reasoning from a model's complete reply: every
// <think>…</think> block, an unclosed block to the end, and everything
// before a closing tag that has no opening one.
func stripReasoning(s string) string {
	if i := strings.Index(s, thinkClose); i >= 0 {
		if j := strings.Index(s, thinkOpen); j < 0 || j > i {
			s = s[i+len(thinkClose):]
		}
	}
	for {
		i := strings.Index(s, thinkOpen)
		if i < 0 {
			return s
		}
		j := strings.Index(s[i:], thinkClose)
		if j < 0 {
			return s[:i]
		}
		s = s[:i] + s[i+j+len(thinkClose):]
	}
}

// visibleStream passes a model's streamed content on to the user without
// its reasoning: <think> blocks are held back, including tags split across
// deltas, and so is the start of a reply that may be the refusal line (the
// final answer replaces it). It is not safe for concurrent use; one stream
// owns it.
type visibleStream struct {
	emit    func(string)
	pending string // content not yet judged: a possible partial tag
	inThink bool
	head    strings.Builder // leading visible text held back
	decided bool            // the head was judged: released or suppressed
	refusal bool            // the head is the refusal line
	// emitted is true once any text reached emit: a retry would repeat it.
	emitted bool
}

// newVisibleStream returns a filter that calls emit with visible text;
// emit may be nil.
func newVisibleStream(emit func(string)) *visibleStream {
	return &visibleStream{emit: emit}
}

// write takes the next content delta.
func (v *visibleStream) write(d string) {
	v.pending += d
	for v.pending != "" {
		if v.inThink {
			i := strings.Index(v.pending, thinkClose)
			if i < 0 {
				v.pending = keepPartial(v.pending, thinkClose)
				return
			}
			v.pending, v.inThink = v.pending[i+len(thinkClose):], false
			continue
		}
		i := strings.Index(v.pending, thinkOpen)
		if i < 0 {
			rest := keepPartial(v.pending, thinkOpen)
			v.visible(v.pending[:len(v.pending)-len(rest)])
			v.pending = rest
			return
		}
		v.visible(v.pending[:i])
		v.pending, v.inThink = v.pending[i+len(thinkOpen):], true
	}
}

// keepPartial returns the longest suffix of s that is a proper prefix of
// tag: text that may turn into the tag with the next delta.
func keepPartial(s, tag string) string {
	for n := min(len(tag)-1, len(s)); n > 0; n-- {
		if strings.HasSuffix(s, tag[:n]) {
			return s[len(s)-n:]
		}
	}
	return ""
}

// visible handles text outside reasoning: the head is held until it
// cannot be the refusal line, then everything flows.
func (v *visibleStream) visible(s string) {
	if s == "" {
		return
	}
	if v.decided {
		if !v.refusal {
			v.out(s)
		}
		return
	}
	if v.head.Len() == 0 {
		s = strings.TrimLeftFunc(s, unicode.IsSpace)
		if s == "" {
			return
		}
	}
	v.head.WriteString(s)
	head := v.head.String()
	letters := refusalKey(head)
	switch {
	case strings.HasPrefix(letters, refusalLetters):
		v.decided, v.refusal = true, true
	case !strings.HasPrefix(refusalLetters, letters) || strings.ContainsRune(head, '\n') && len(letters) > 0:
		v.decided = true
		v.out(head)
	}
}

// out passes visible text on.
func (v *visibleStream) out(s string) {
	v.emitted = true
	if v.emit != nil {
		v.emit(s)
	}
}

// close flushes what was held back once the stream has ended.
func (v *visibleStream) close() {
	if v.inThink {
		return
	}
	if v.pending != "" {
		p := v.pending
		v.pending = ""
		v.visible(p)
	}
	if !v.decided && v.head.Len() > 0 {
		v.decided = true
		if refusalKey(v.head.String()) != refusalLetters {
			v.out(v.head.String())
		}
	}
}
