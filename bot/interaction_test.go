package bot

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"missionbot/answer"
	"missionbot/corpus"
	"missionbot/fetch"
	"missionbot/library"
	"missionbot/retrieval"
	"missionbot/store"
)

// newTestBot builds a bot that is never connected; handlers that only
// acknowledge need no network.
func newTestBot(t *testing.T, edit func(*Options)) *Bot {
	t.Helper()
	opts := Options{Token: "t0ken", Answerer: newFakeAnswerer(), Library: &fakeLibrary{sources: []retrieval.SourceInfo{
		{Meta: corpus.Meta{DocID: "001.txt", Title: "Kenyan police land in Haiti"}},
		{Meta: corpus.Meta{DocID: "002.txt", Title: "Gangs and the transition council"}},
	}}, ModeratorRoles: []string{"777"}}
	if edit != nil {
		edit(&opts)
	}
	b, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// handle runs one interaction and returns its initial response.
func handle(t *testing.T, b *Bot, i *discordgo.Interaction) *discordgo.InteractionResponse {
	t.Helper()
	var got *discordgo.InteractionResponse
	b.HandleInteraction(context.Background(), i, func(r *discordgo.InteractionResponse) error {
		if got != nil {
			t.Error("acknowledged twice")
		}
		got = r
		return nil
	})
	if got == nil {
		t.Fatal("interaction was never acknowledged")
	}
	return got
}

func command(name string, member *discordgo.Member, opts ...*discordgo.ApplicationCommandInteractionDataOption) *discordgo.Interaction {
	return &discordgo.Interaction{ID: "1", AppID: "9", Token: "tok", Type: discordgo.InteractionApplicationCommand, Member: member,
		Data: discordgo.ApplicationCommandInteractionData{Name: name, Options: opts}}
}

func member(perms int64, roles ...string) *discordgo.Member {
	return &discordgo.Member{User: &discordgo.User{ID: "42"}, Permissions: perms, Roles: roles}
}

func TestHandleInteractionRepliesEphemerallyWhenRefused(t *testing.T) {
	tests := []struct {
		name string
		i    *discordgo.Interaction
		edit func(*Options)
		want string
	}{
		{name: "ordinary member", i: command("refresh", member(discordgo.PermissionSendMessages)), want: "only moderators"},
		{name: "direct message", i: &discordgo.Interaction{ID: "1", Token: "tok", Type: discordgo.InteractionApplicationCommand, User: &discordgo.User{ID: "42"}, Data: discordgo.ApplicationCommandInteractionData{Name: "feedback"}}, want: "only inside a server"},
		{name: "empty question", i: command("ask", member(0), &discordgo.ApplicationCommandInteractionDataOption{Name: "question", Type: discordgo.ApplicationCommandOptionString, Value: " "}), want: "the question is empty"},
		{name: "built-in corpus", i: command("remove-source", member(discordgo.PermissionManageGuild), &discordgo.ApplicationCommandInteractionDataOption{Name: "document", Type: discordgo.ApplicationCommandOptionString, Value: "001.txt"}), want: "MISSIONBOT_CORPUS_DIR"},
		{name: "unknown document", i: command("remove-source", member(0, "777"), &discordgo.ApplicationCommandInteractionDataOption{Name: "document", Type: discordgo.ApplicationCommandOptionString, Value: "nope.txt"}), edit: func(o *Options) { o.Library.(*fakeLibrary).writable = true }, want: "No document matches"},
		{name: "bad date", i: command("add-source", member(discordgo.PermissionAdministrator),
			&discordgo.ApplicationCommandInteractionDataOption{Name: "url", Type: discordgo.ApplicationCommandOptionString, Value: "https://example.com/a"},
			&discordgo.ApplicationCommandInteractionDataOption{Name: "date", Type: discordgo.ApplicationCommandOptionString, Value: "2024-13-01"}),
			edit: func(o *Options) { o.Library.(*fakeLibrary).writable = true; o.Fetcher = fetch.New(fetch.Options{}) }, want: "not a valid YYYY-MM-DD"},
		{name: "both file and url", i: command("add-source", member(discordgo.PermissionAdministrator),
			&discordgo.ApplicationCommandInteractionDataOption{Name: "url", Type: discordgo.ApplicationCommandOptionString, Value: "https://example.com/a"},
			&discordgo.ApplicationCommandInteractionDataOption{Name: "file", Type: discordgo.ApplicationCommandOptionAttachment, Value: "55"}),
			edit: func(o *Options) { o.Library.(*fakeLibrary).writable = true; o.Fetcher = fetch.New(fetch.Options{}) }, want: "not both"},
		{name: "feedback without store", i: command("feedback", member(discordgo.PermissionManageGuild)), want: "database"},
		{name: "unknown component", i: &discordgo.Interaction{ID: "1", Token: "tok", Type: discordgo.InteractionMessageComponent, Member: member(0), Data: discordgo.MessageComponentInteractionData{CustomID: "zz:1"}}, want: "reference"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := handle(t, newTestBot(t, tc.edit), tc.i)
			if r.Type != discordgo.InteractionResponseChannelMessageWithSource || r.Data == nil {
				t.Fatalf("response %+v, want a message", r)
			}
			if r.Data.Flags&discordgo.MessageFlagsEphemeral == 0 {
				t.Error("refusal is not ephemeral")
			}
			if !strings.Contains(r.Data.Content, tc.want) {
				t.Errorf("content %q, want it to contain %q", r.Data.Content, tc.want)
			}
			if r.Data.AllowedMentions == nil || r.Data.AllowedMentions.Parse == nil || len(r.Data.AllowedMentions.Parse) != 0 {
				t.Errorf("allowed mentions %+v, want none", r.Data.AllowedMentions)
			}
		})
	}
}

func TestCheckModerator(t *testing.T) {
	b := newTestBot(t, nil)
	tests := []struct {
		name string
		m    *discordgo.Member
		ok   bool
	}{
		{name: "manage server", m: member(discordgo.PermissionManageGuild), ok: true},
		{name: "administrator", m: member(discordgo.PermissionAdministrator), ok: true},
		{name: "moderator role", m: member(0, "1", "777"), ok: true},
		{name: "other role", m: member(discordgo.PermissionSendMessages, "778"), ok: false},
		{name: "no member (DM)", m: nil, ok: false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := b.checkModerator(&discordgo.Interaction{Member: tc.m})
			if (err == nil) != tc.ok {
				t.Errorf("checkModerator = %v, want ok=%v", err, tc.ok)
			}
		})
	}
}

func TestAutocompleteSuggestsMatchingDocuments(t *testing.T) {
	tests := []struct {
		name  string
		typed string
		m     *discordgo.Member
		want  []string
	}{
		{name: "matches title", typed: "KENYAN", m: member(discordgo.PermissionManageGuild), want: []string{"001.txt"}},
		{name: "empty lists all", typed: "", m: member(discordgo.PermissionManageGuild), want: []string{"001.txt", "002.txt"}},
		{name: "no match", typed: "zzz", m: member(discordgo.PermissionManageGuild), want: nil},
		{name: "not a moderator", typed: "", m: member(0), want: nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			i := command("remove-source", tc.m, &discordgo.ApplicationCommandInteractionDataOption{Name: "document", Type: discordgo.ApplicationCommandOptionString, Value: tc.typed, Focused: true})
			i.Type = discordgo.InteractionApplicationCommandAutocomplete
			r := handle(t, newTestBot(t, nil), i)
			if r.Type != discordgo.InteractionApplicationCommandAutocompleteResult {
				t.Fatalf("type %d, want autocomplete result", r.Type)
			}
			var got []string
			for _, c := range r.Data.Choices {
				got = append(got, fmt.Sprint(c.Value))
			}
			if strings.Join(got, ",") != strings.Join(tc.want, ",") {
				t.Errorf("choices %v, want %v", got, tc.want)
			}
		})
	}
}

func TestHandleInteractionDuringShutdown(t *testing.T) {
	b := newTestBot(t, nil)
	b.mu.Lock()
	b.closing = true
	b.mu.Unlock()
	r := handle(t, b, command("ask", member(0), &discordgo.ApplicationCommandInteractionDataOption{Name: "question", Type: discordgo.ApplicationCommandOptionString, Value: "hi?"}))
	if !strings.Contains(r.Data.Content, "shutting down") || r.Data.Flags&discordgo.MessageFlagsEphemeral == 0 {
		t.Errorf("reply %+v, want an ephemeral shutting-down notice", r.Data)
	}
}

func TestErrorMessage(t *testing.T) {
	tests := []struct {
		name    string
		err     error
		want    string
		wantRef bool
	}{
		{name: "invalid question", err: fmt.Errorf("ask: %w", answer.ValidateQuestion("")), want: "the question is empty"},
		{name: "busy", err: fmt.Errorf("gate: %w", ErrBusy), want: "busy"},
		{name: "rate limited", err: &rateLimitedError{retryAfter: 2400 * time.Millisecond}, want: "try again in 2 s"},
		{name: "timeout", err: fmt.Errorf("answer: %w", context.DeadlineExceeded), want: "took too long"},
		{name: "shutdown", err: fmt.Errorf("answer: %w", errShutdown), want: "interrupted"},
		{name: "refresh running", err: fmt.Errorf("refresh: %w", library.ErrBusy), want: "already running"},
		{name: "database down", err: fmt.Errorf("vote: %w", fmt.Errorf("%w: %w", store.ErrUnavailable, context.DeadlineExceeded)), want: "database can't be reached"},
		{name: "blocked address", err: fmt.Errorf("fetch: %w", fetch.ErrBlockedAddress), want: "private or local"},
		{name: "unexpected", err: errors.New("dial tcp 10.0.0.1: secret detail"), want: "Something went wrong", wantRef: true},
		{name: "fetch 404", err: fmt.Errorf("add source: %w", &fetch.Error{Kind: fetch.ErrBadStatus, Detail: "HTTP 404 Not Found"}), want: "HTTP 404 Not Found"},
		{name: "fetch no such host", err: &fetch.Error{Kind: fetch.ErrUnreachable, Detail: "no such host news.example", Err: errors.New("lookup news.example: no such host")}, want: "no such host news.example"},
		{name: "fetch redirects", err: &fetch.Error{Kind: fetch.ErrTooManyRedirects, Detail: "more than 5"}, want: "redirects too many times"},
		{name: "fetch credentials", err: &fetch.Error{Kind: fetch.ErrBadURL, Detail: "links with a user name or password are not accepted"}, want: "user name or password"},
		{name: "fetch unsupported", err: &fetch.Error{Kind: fetch.ErrUnsupportedType, Detail: "got image/png"}, want: ".pdf"},
		{name: "fetch too large", err: &fetch.Error{Kind: fetch.ErrTooLarge, Detail: "limit 5242880 bytes"}, want: "too large"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			msg, ref := ErrorMessage(tc.err)
			if !strings.Contains(msg, tc.want) {
				t.Errorf("message %q, want it to contain %q", msg, tc.want)
			}
			if tc.wantRef != (ref != "") {
				t.Errorf("ref %q, want one: %v", ref, tc.wantRef)
			}
			if tc.wantRef && (len(ref) != 8 || !strings.Contains(msg, ref) || strings.Contains(msg, "secret")) {
				t.Errorf("message %q ref %q: want an 8-hex ref in the message and no internal detail", msg, ref)
			}
		})
	}
}

func TestRewriteTransport(t *testing.T) {
	var gotPath, gotAuth string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotPath, gotAuth = r.URL.Path, r.Header.Get("Authorization")
	}))
	defer srv.Close()
	tests := []struct {
		name, base, url, wantPath string
	}{
		{name: "root base", base: srv.URL, url: "https://discord.com/api/v9/users/@me", wantPath: "/api/v9/users/@me"},
		{name: "base with path", base: srv.URL + "/proxy/", url: "https://discord.com/api/v9/gateway", wantPath: "/proxy/api/v9/gateway"},
		{name: "other host untouched", base: "https://discord.example", url: srv.URL + "/x", wantPath: "/x"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			base, err := parseAPIURL(tc.base)
			if err != nil {
				t.Fatal(err)
			}
			c := &http.Client{Transport: &rewriteTransport{base: base, next: http.DefaultTransport}}
			req, _ := http.NewRequest(http.MethodGet, tc.url, nil)
			req.Header.Set("Authorization", "Bot x")
			resp, err := c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if gotPath != tc.wantPath || gotAuth != "Bot x" {
				t.Errorf("server saw %q auth %q, want %q", gotPath, gotAuth, tc.wantPath)
			}
		})
	}
}

func TestNewValidatesOptions(t *testing.T) {
	tests := []struct {
		name string
		opts Options
		want string
	}{
		{name: "no token", opts: Options{Answerer: newFakeAnswerer(), Library: &fakeLibrary{}}, want: "DISCORD_TOKEN"},
		{name: "bad api url", opts: Options{Token: "s3cret", APIURL: "ftp://x", Answerer: newFakeAnswerer(), Library: &fakeLibrary{}}, want: "DISCORD_API_URL"},
		{name: "no answerer", opts: Options{Token: "s3cret", Library: &fakeLibrary{}}, want: "Answerer"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(tc.opts)
			if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "s3cret") {
				t.Errorf("New = %v, want an error naming %s without the token", err, tc.want)
			}
		})
	}
}

func TestStreamingTextFitsOneMessage(t *testing.T) {
	tests := []struct {
		name string
		in   string
	}{
		{name: "short", in: "hello [1]"},
		{name: "long", in: strings.Repeat("ä", 5000)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := streamingText(tc.in)
			if n := len([]rune(got)); n > MaxContent {
				t.Errorf("%d characters, over %d", n, MaxContent)
			}
			if !strings.HasSuffix(got, " …") {
				t.Errorf("%q lacks the streaming marker", got)
			}
		})
	}
}

func TestMessageContentIntentIsOptIn(t *testing.T) {
	if b := newTestBot(t, nil); b.session.Identify.Intents&discordgo.IntentMessageContent != 0 {
		t.Error("the privileged Message Content intent is requested by default")
	}
	b := newTestBot(t, func(o *Options) { o.MessageContent = true })
	if b.session.Identify.Intents&discordgo.IntentMessageContent == 0 || b.session.Identify.Intents&discordgo.IntentsGuildMessages == 0 {
		t.Errorf("intents %b lack Message Content or Guild Messages", b.session.Identify.Intents)
	}
}
