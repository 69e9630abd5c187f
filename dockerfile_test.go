package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path"
	"slices"
	"strings"
	"testing"
)

// dockerInstruction is one Dockerfile instruction after line continuations
// and comments are resolved.
type dockerInstruction struct {
	Line  int               // 1-based line where it starts
	Cmd   string            // upper-case keyword: FROM, RUN, …
	Flags map[string]string // leading --name=value flags (FROM, COPY, HEALTHCHECK, …)
	Rest  string            // the arguments after the flags, as written
	// Exec holds the JSON-array (exec) form's arguments; nil for shell form.
	Exec []string
}

// args returns the instruction's arguments: the exec form's array, or the
// shell form split into words.
func (in dockerInstruction) args() []string {
	if in.Exec != nil {
		return in.Exec
	}
	return shellWords(in.Rest)
}

// dockerStage is one FROM … section.
type dockerStage struct {
	Index int
	Name  string // the AS name, lower-case; "" when unnamed
	Base  string
	Body  []dockerInstruction // instructions after FROM
}

// dockerfile is a parsed Dockerfile: its stages in order.
type dockerfile struct {
	Stages []dockerStage
}

// final returns the last stage, the image that ships.
func (d *dockerfile) final() *dockerStage { return &d.Stages[len(d.Stages)-1] }

// stage finds a stage by AS name or index, as COPY --from names it.
func (d *dockerfile) stage(ref string) *dockerStage {
	for i := range d.Stages {
		if strings.EqualFold(d.Stages[i].Name, ref) || fmt.Sprint(d.Stages[i].Index) == ref {
			return &d.Stages[i]
		}
	}
	return nil
}

// parseDockerfile parses src the way BuildKit's front end reads it: parser
// directives (escape) at the top, comment lines dropped even inside a
// continuation, lines joined on the escape character, flags before the
// arguments, and JSON-array arguments recognised as the exec form.
func parseDockerfile(src string) (*dockerfile, error) {
	lines := strings.Split(strings.ReplaceAll(src, "\r\n", "\n"), "\n")
	escape := byte('\\')
	i := 0
	for ; i < len(lines); i++ { // parser directives: "# key=value" before anything else
		l := strings.TrimSpace(lines[i])
		k, v, ok := strings.Cut(strings.TrimSpace(strings.TrimPrefix(l, "#")), "=")
		if !strings.HasPrefix(l, "#") || !ok || strings.ContainsAny(strings.TrimSpace(k), " \t") {
			break
		}
		if strings.EqualFold(strings.TrimSpace(k), "escape") {
			switch v = strings.TrimSpace(v); v {
			case "\\", "`":
				escape = v[0]
			default:
				return nil, fmt.Errorf("line %d: escape directive %q: want \\ or `", i+1, v)
			}
		}
	}
	var (
		df      dockerfile
		cur     strings.Builder
		start   int
		pending bool
	)
	flush := func() error {
		if !pending {
			return nil
		}
		pending = false
		in, err := parseDockerInstruction(start, cur.String())
		cur.Reset()
		if err != nil {
			return err
		}
		if in.Cmd == "FROM" {
			words := shellWords(in.Rest)
			st := dockerStage{Index: len(df.Stages)}
			switch {
			case len(words) == 1:
			case len(words) == 3 && strings.EqualFold(words[1], "AS"):
				st.Name = strings.ToLower(words[2])
			default:
				return fmt.Errorf("line %d: FROM %q: want IMAGE [AS NAME]", in.Line, in.Rest)
			}
			st.Base = words[0]
			df.Stages = append(df.Stages, st)
			return nil
		}
		if len(df.Stages) == 0 {
			if in.Cmd == "ARG" { // ARGs before the first FROM parameterise it
				return nil
			}
			return fmt.Errorf("line %d: %s before the first FROM", in.Line, in.Cmd)
		}
		s := &df.Stages[len(df.Stages)-1]
		s.Body = append(s.Body, in)
		return nil
	}
	for ; i < len(lines); i++ {
		l := strings.TrimRight(lines[i], " \t")
		trimmed := strings.TrimSpace(l)
		if trimmed == "" || strings.HasPrefix(trimmed, "#") {
			continue // comments and blank lines vanish, even mid-continuation
		}
		if !pending {
			pending, start = true, i+1
		}
		if l[len(l)-1] == escape {
			cur.WriteString(l[:len(l)-1])
			cur.WriteByte(' ')
			continue
		}
		cur.WriteString(l)
		if err := flush(); err != nil {
			return nil, err
		}
	}
	if err := flush(); err != nil {
		return nil, err
	}
	if len(df.Stages) == 0 {
		return nil, fmt.Errorf("no FROM instruction")
	}
	return &df, nil
}

// parseDockerInstruction splits one logical line into keyword, flags and
// arguments.
func parseDockerInstruction(line int, text string) (dockerInstruction, error) {
	text = strings.TrimSpace(text)
	cmd, rest, _ := strings.Cut(text, " ")
	in := dockerInstruction{Line: line, Cmd: strings.ToUpper(strings.TrimSpace(cmd)), Flags: map[string]string{}}
	rest = strings.TrimSpace(rest)
	switch in.Cmd {
	case "FROM", "COPY", "ADD", "RUN", "HEALTHCHECK":
		for strings.HasPrefix(rest, "--") {
			flag, after, _ := strings.Cut(rest, " ")
			k, v, _ := strings.Cut(strings.TrimPrefix(flag, "--"), "=")
			in.Flags[k] = v
			rest = strings.TrimSpace(after)
		}
	}
	if in.Cmd == "HEALTHCHECK" {
		sub, after, _ := strings.Cut(rest, " ")
		if strings.EqualFold(sub, "NONE") {
			in.Rest = "NONE"
			return in, nil
		}
		if !strings.EqualFold(sub, "CMD") {
			return in, fmt.Errorf("line %d: HEALTHCHECK %q: want CMD or NONE", line, sub)
		}
		rest = strings.TrimSpace(after)
	}
	in.Rest = rest
	switch in.Cmd {
	case "RUN", "CMD", "ENTRYPOINT", "HEALTHCHECK", "SHELL", "VOLUME", "COPY", "ADD":
		if strings.HasPrefix(rest, "[") {
			var exec []string
			if err := json.Unmarshal([]byte(rest), &exec); err == nil {
				if exec == nil {
					exec = []string{}
				}
				in.Exec = exec
			} else if in.Cmd == "SHELL" {
				return in, fmt.Errorf("line %d: SHELL needs a JSON array: %w", line, err)
			}
			// Otherwise a "[" that is not valid JSON is shell form, as in Docker.
		}
	}
	return in, nil
}

// shellWords splits s into words the way a POSIX shell would for simple
// commands: whitespace separates, single and double quotes group, a
// backslash escapes the next character outside single quotes.
func shellWords(s string) []string {
	var (
		words []string
		w     strings.Builder
		inW   bool
		quote byte
	)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote == '\'':
			if c == '\'' {
				quote = 0
			} else {
				w.WriteByte(c)
			}
		case c == '\\' && i+1 < len(s) && quote != '\'':
			i++
			w.WriteByte(s[i])
			inW = true
		case quote == '"':
			if c == '"' {
				quote = 0
			} else {
				w.WriteByte(c)
			}
		case c == '\'' || c == '"':
			quote, inW = c, true
		case c == ' ' || c == '\t' || c == '\n':
			if inW {
				words = append(words, w.String())
				w.Reset()
				inW = false
			}
		default:
			w.WriteByte(c)
			inW = true
		}
	}
	if inW {
		words = append(words, w.String())
	}
	return words
}

// env returns the stage's ENV settings (both ENV k=v … and ENV k v).
func (s *dockerStage) env() map[string]string {
	env := map[string]string{}
	for _, in := range s.Body {
		if in.Cmd != "ENV" {
			continue
		}
		words := shellWords(in.Rest)
		if len(words) > 0 && !strings.Contains(words[0], "=") {
			k, v, _ := strings.Cut(in.Rest, " ")
			env[k] = strings.Join(shellWords(v), " ")
			continue
		}
		for _, w := range words {
			if k, v, ok := strings.Cut(w, "="); ok {
				env[k] = v
			}
		}
	}
	return env
}

// last returns the stage's last instruction of kind cmd, or nil.
func (s *dockerStage) last(cmd string) *dockerInstruction {
	for i := len(s.Body) - 1; i >= 0; i-- {
		if s.Body[i].Cmd == cmd {
			return &s.Body[i]
		}
	}
	return nil
}

// goBuild finds the stage's RUN that compiles missionbot and returns the
// words of its go build command with the assignments before it, e.g.
// [CGO_ENABLED=0 GOOS=linux go build -o /out/missionbot .].
func (s *dockerStage) goBuild() ([]string, *dockerInstruction) {
	for i := range s.Body {
		in := &s.Body[i]
		if in.Cmd != "RUN" {
			continue
		}
		words := in.args()
		for j := 0; j+1 < len(words); j++ {
			if words[j] != "go" || words[j+1] != "build" {
				continue
			}
			from := j
			for from > 0 && (strings.Contains(words[from-1], "=") && !strings.HasPrefix(words[from-1], "-") || words[from-1] == "env") {
				from--
			}
			to := j
			for to < len(words) && !slices.Contains([]string{"&&", "||", ";", "|"}, words[to]) {
				to++
			}
			return words[from:to], in
		}
	}
	return nil, nil
}

// buildOutput returns the -o path of a go build command.
func buildOutput(cmd []string) string {
	for k, w := range cmd {
		if w == "-o" && k+1 < len(cmd) {
			return cmd[k+1]
		}
		if v, ok := strings.CutPrefix(w, "-o="); ok {
			return v
		}
	}
	return ""
}

// buildStage returns the stage that compiles missionbot, or nil.
func (d *dockerfile) buildStage() *dockerStage {
	for i := range d.Stages[:len(d.Stages)-1] {
		if cmd, _ := d.Stages[i].goBuild(); cmd != nil {
			return &d.Stages[i]
		}
	}
	return nil
}

// installedBinary returns where the final stage puts the binary built in
// the build stage: the destination of COPY --from=<build> <-o path> DEST.
func (d *dockerfile) installedBinary() (string, error) {
	b := d.buildStage()
	if b == nil {
		return "", fmt.Errorf("no stage before the final one runs go build")
	}
	cmd, _ := b.goBuild()
	out := buildOutput(cmd)
	if out == "" {
		return "", fmt.Errorf("go build in stage %q has no -o output path", b.Name)
	}
	for _, in := range d.final().Body {
		if in.Cmd != "COPY" || in.Flags["from"] == "" {
			continue
		}
		if d.stage(in.Flags["from"]) != b {
			continue
		}
		args := in.args()
		if len(args) < 2 || !slices.Contains(args[:len(args)-1], out) {
			continue
		}
		dest := args[len(args)-1]
		if strings.HasSuffix(dest, "/") {
			dest += path.Base(out)
		}
		return dest, nil
	}
	return "", fmt.Errorf("the final stage does not COPY --from=%s %s", b.Name, out)
}

// argv returns the final image's default command line: ENTRYPOINT then CMD.
func (d *dockerfile) argv() ([]string, error) {
	f := d.final()
	ep, cmd := f.last("ENTRYPOINT"), f.last("CMD")
	if ep == nil {
		return nil, fmt.Errorf("no ENTRYPOINT in the final stage")
	}
	for _, in := range []*dockerInstruction{ep, cmd} {
		if in != nil && in.Exec == nil {
			return nil, fmt.Errorf("line %d: %s in shell form needs /bin/sh, which a static image lacks", in.Line, in.Cmd)
		}
	}
	argv := slices.Clone(ep.Exec)
	if cmd != nil {
		argv = append(argv, cmd.Exec...)
	}
	return argv, nil
}

// healthArgv returns the HEALTHCHECK's exec-form command.
func (d *dockerfile) healthArgv() ([]string, error) {
	hc := d.final().last("HEALTHCHECK")
	switch {
	case hc == nil:
		return nil, fmt.Errorf("no HEALTHCHECK in the final stage")
	case hc.Rest == "NONE":
		return nil, fmt.Errorf("line %d: HEALTHCHECK NONE", hc.Line)
	case hc.Exec == nil:
		return nil, fmt.Errorf("line %d: HEALTHCHECK CMD in shell form needs /bin/sh, which a static image lacks", hc.Line)
	case len(hc.Exec) == 0:
		return nil, fmt.Errorf("line %d: HEALTHCHECK CMD is empty", hc.Line)
	}
	return hc.Exec, nil
}

// dockerCheck is one property the shipped image must have.
type dockerCheck struct {
	name  string
	check func(d *dockerfile) error
}

// dockerChecks are the Dockerfile's required properties, each its own
// subtest so a failure names the property.
func dockerChecks() []dockerCheck {
	return []dockerCheck{
		{"multi-stage with a named build stage", func(d *dockerfile) error {
			if len(d.Stages) < 2 {
				return fmt.Errorf("%d FROM instruction(s), want at least 2", len(d.Stages))
			}
			b := d.buildStage()
			if b == nil {
				return fmt.Errorf("no stage before the final one runs go build")
			}
			if b.Name == "" {
				return fmt.Errorf("the build stage (FROM %s) has no AS name", b.Base)
			}
			return nil
		}},
		{"static build with CGO_ENABLED=0", func(d *dockerfile) error {
			b := d.buildStage()
			if b == nil {
				return fmt.Errorf("no build stage")
			}
			cmd, run := b.goBuild()
			if slices.Contains(cmd, "CGO_ENABLED=0") {
				return nil
			}
			for _, in := range b.Body {
				if in.Line >= run.Line {
					break
				}
				if (in.Cmd == "ENV" || in.Cmd == "ARG") && slices.Contains(shellWords(in.Rest), "CGO_ENABLED=0") {
					return nil
				}
			}
			return fmt.Errorf("line %d: go build runs without CGO_ENABLED=0: %q", run.Line, strings.Join(cmd, " "))
		}},
		{"small runtime base", func(d *dockerfile) error {
			base := d.final().Base
			for s := d.stage(base); s != nil && s != d.final(); s = d.stage(s.Base) {
				base = s.Base // FROM an earlier stage: follow it
			}
			image, _, _ := strings.Cut(base, "@")
			name, _, _ := strings.Cut(image, ":")
			if i := strings.LastIndex(image, ":"); i > strings.LastIndex(image, "/") {
				name = image[:i]
			}
			switch {
			case name == "scratch",
				strings.HasPrefix(name, "gcr.io/distroless/static"),
				name == "alpine", strings.HasSuffix(name, "/alpine"):
				return nil
			}
			return fmt.Errorf("runtime base %q is not distroless/static, scratch or alpine", base)
		}},
		{"runs as a non-root user", func(d *dockerfile) error {
			u := d.final().last("USER")
			if u == nil {
				return fmt.Errorf("no USER in the final stage: the container would run as root")
			}
			user, _, _ := strings.Cut(strings.TrimSpace(u.Rest), ":")
			if user == "" || user == "root" || strings.TrimLeft(user, "0") == "" {
				return fmt.Errorf("line %d: USER %q is root", u.Line, u.Rest)
			}
			return nil
		}},
		{"binary copied from the build stage", func(d *dockerfile) error {
			_, err := d.installedBinary()
			return err
		}},
		{"data directory set and a volume", func(d *dockerfile) error {
			dir := d.final().env()["MISSIONBOT_DATA_DIR"]
			if dir == "" {
				return fmt.Errorf("MISSIONBOT_DATA_DIR is not set in the final stage")
			}
			for _, in := range d.final().Body {
				if in.Cmd == "VOLUME" && slices.ContainsFunc(in.args(), func(v string) bool { return path.Clean(v) == path.Clean(dir) }) {
					return nil
				}
			}
			return fmt.Errorf("no VOLUME for MISSIONBOT_DATA_DIR=%s", dir)
		}},
		{"no shell needed at run time", func(d *dockerfile) error {
			for _, in := range d.final().Body {
				if in.Cmd == "RUN" {
					return fmt.Errorf("line %d: RUN in the final stage: a static base has no shell", in.Line)
				}
			}
			return nil
		}},
		{"healthcheck runs missionbot health on the served port", func(d *dockerfile) error {
			hc, err := d.healthArgv()
			if err != nil {
				return err
			}
			bin, err := d.installedBinary()
			if err != nil {
				return err
			}
			if hc[0] != bin || len(hc) < 2 || hc[1] != "health" {
				return fmt.Errorf("HEALTHCHECK runs %q, want %s health --addr HOST:PORT", hc, bin)
			}
			addr := flagValue(hc[2:], "addr")
			if addr == "" {
				return fmt.Errorf("HEALTHCHECK %q has no --addr", hc)
			}
			_, port, err := net.SplitHostPort(addr)
			if err != nil {
				return fmt.Errorf("HEALTHCHECK --addr %q: %w", addr, err)
			}
			listen := d.final().env()["MISSIONBOT_HTTP_ADDR"]
			if _, lport, err := net.SplitHostPort(listen); err != nil || lport != port {
				return fmt.Errorf("HEALTHCHECK probes port %s but MISSIONBOT_HTTP_ADDR is %q", port, listen)
			}
			return nil
		}},
		{"entrypoint runs serve", func(d *dockerfile) error {
			argv, err := d.argv()
			if err != nil {
				return err
			}
			bin, err := d.installedBinary()
			if err != nil {
				return err
			}
			if len(argv) < 2 || argv[0] != bin || argv[1] != "serve" {
				return fmt.Errorf("the container runs %q, want %s serve", argv, bin)
			}
			return nil
		}},
	}
}

// flagValue returns the value of --name or -name in args (either
// "--name value" or "--name=value").
func flagValue(args []string, name string) string {
	for i, a := range args {
		a = strings.TrimPrefix(strings.TrimPrefix(a, "-"), "-")
		if a == name && i+1 < len(args) {
			return args[i+1]
		}
		if v, ok := strings.CutPrefix(a, name+"="); ok {
			return v
		}
	}
	return ""
}

func TestDockerfile(t *testing.T) {
	src, err := os.ReadFile("Dockerfile")
	if err != nil {
		t.Fatalf("read Dockerfile: %v", err)
	}
	d, err := parseDockerfile(string(src))
	if err != nil {
		t.Fatalf("parse Dockerfile: %v", err)
	}
	for _, c := range dockerChecks() {
		t.Run(c.name, func(t *testing.T) {
			if err := c.check(d); err != nil {
				t.Error(err)
			}
		})
	}
}

// TestDockerfileCommandsExist runs the commands the image runs, in
// process: the HEALTHCHECK's health subcommand against a stand-in server,
// and the entrypoint's serve subcommand far enough to parse its flags.
func TestDockerfileCommandsExist(t *testing.T) {
	src, err := os.ReadFile("Dockerfile")
	if err != nil {
		t.Fatalf("read Dockerfile: %v", err)
	}
	d, err := parseDockerfile(string(src))
	if err != nil {
		t.Fatalf("parse Dockerfile: %v", err)
	}
	hc, err := d.healthArgv()
	if err != nil || len(hc) < 2 {
		t.Fatalf("HEALTHCHECK: %v", err)
	}
	tests := []struct {
		name    string
		status  int
		wantErr bool
	}{
		{"healthy server", http.StatusOK, false},
		{"unhealthy server", http.StatusServiceUnavailable, true},
	}
	for _, tc := range tests {
		t.Run("health/"+tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path != "/healthz" {
					http.NotFound(w, r)
					return
				}
				w.WriteHeader(tc.status)
			}))
			defer srv.Close()
			args := slices.Clone(hc[1:])
			for i := range args {
				if i > 0 && strings.TrimLeft(args[i-1], "-") == "addr" {
					args[i] = srv.Listener.Addr().String()
				}
			}
			var out bytes.Buffer
			err := run(context.Background(), args, func(string) string { return "" }, strings.NewReader(""), &out, io.Discard)
			if (err != nil) != tc.wantErr {
				t.Fatalf("missionbot %s: error %v, want error=%v", strings.Join(args, " "), err, tc.wantErr)
			}
			if !tc.wantErr && strings.TrimSpace(out.String()) != "ok" {
				t.Errorf("health printed %q, want ok", out.String())
			}
		})
	}
	t.Run("serve", func(t *testing.T) {
		argv, err := d.argv()
		if err != nil || len(argv) < 2 {
			t.Fatalf("entrypoint: %v", err)
		}
		var stderr bytes.Buffer
		err = run(context.Background(), append(slices.Clone(argv[1:]), "-h"), func(string) string { return "" }, strings.NewReader(""), io.Discard, &stderr)
		if err != nil && strings.Contains(err.Error(), "unknown command") {
			t.Errorf("the image's command %q is not a missionbot subcommand: %v", argv[1:], err)
		}
	})
}

// TestDockerfileChecksCatchDefects shows each check failing on a
// Dockerfile with the defect it guards against.
func TestDockerfileChecksCatchDefects(t *testing.T) {
	good, err := os.ReadFile("Dockerfile")
	if err != nil {
		t.Fatalf("read Dockerfile: %v", err)
	}
	tests := []struct {
		name      string
		edit      func(string) string
		wantCheck string
	}{
		{"single stage", func(s string) string {
			return "FROM golang:1.26\nRUN CGO_ENABLED=0 go build -o /m .\nUSER 1000\nENTRYPOINT [\"/m\"]\nCMD [\"serve\"]\n"
		}, "multi-stage with a named build stage"},
		{"unnamed build stage", func(s string) string {
			return strings.Replace(strings.ReplaceAll(s, "--from=build", "--from=0"), " AS build", "", 1)
		}, "multi-stage with a named build stage"},
		{"cgo left on", func(s string) string { return strings.Replace(s, "CGO_ENABLED=0 ", "", 1) }, "static build with CGO_ENABLED=0"},
		{"full Debian runtime", func(s string) string {
			return strings.Replace(s, "gcr.io/distroless/static-debian12:nonroot", "debian:bookworm", 1)
		}, "small runtime base"},
		{"root user", func(s string) string { return strings.Replace(s, "USER 65532:65532", "USER 0:0", 1) }, "runs as a non-root user"},
		{"no user", func(s string) string { return strings.Replace(s, "USER 65532:65532", "", 1) }, "runs as a non-root user"},
		{"binary from the wrong place", func(s string) string {
			return strings.Replace(s, "COPY --from=build /out/missionbot", "COPY missionbot", 1)
		}, "binary copied from the build stage"},
		{"no volume", func(s string) string { return strings.Replace(s, `VOLUME ["/data"]`, `VOLUME ["/tmp"]`, 1) }, "data directory set and a volume"},
		{"shell-form healthcheck", func(s string) string {
			return strings.Replace(s, `CMD ["/usr/local/bin/missionbot", "health", "--addr", "127.0.0.1:8080"]`, "CMD curl -f http://localhost:8080/healthz", 1)
		}, "healthcheck runs missionbot health on the served port"},
		{"healthcheck on another port", func(s string) string { return strings.Replace(s, `"127.0.0.1:8080"`, `"127.0.0.1:9090"`, 1) },
			"healthcheck runs missionbot health on the served port"},
		{"runs ask, not serve", func(s string) string { return strings.Replace(s, `CMD ["serve"]`, `CMD ["ask"]`, 1) }, "entrypoint runs serve"},
	}
	checks := dockerChecks()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			src := tc.edit(string(good))
			if src == string(good) {
				t.Fatalf("the edit changed nothing; the Dockerfile no longer has the text this case rewrites")
			}
			d, err := parseDockerfile(src)
			if err != nil {
				t.Fatalf("parse: %v", err)
			}
			for _, c := range checks {
				if c.name == tc.wantCheck {
					if err := c.check(d); err == nil {
						t.Errorf("check %q passed a Dockerfile with %s", c.name, tc.name)
					}
					return
				}
			}
			t.Fatalf("no check named %q", tc.wantCheck)
		})
	}
}

func TestParseDockerfile(t *testing.T) {
	tests := []struct {
		name  string
		src   string
		stage int
		want  dockerInstruction
	}{
		{"continuation joins lines", "FROM a\nRUN go build \\\n  -o /x \\\n  .\n", 0,
			dockerInstruction{Cmd: "RUN", Rest: "go build    -o /x    ."}},
		{"comment inside a continuation", "FROM a\nRUN echo a \\\n# a comment\n  && echo b\n", 0,
			dockerInstruction{Cmd: "RUN", Rest: "echo a    && echo b"}},
		{"exec form", "FROM a\nCMD [\"serve\", \"--http\", \":8080\"]\n", 0,
			dockerInstruction{Cmd: "CMD", Rest: `["serve", "--http", ":8080"]`, Exec: []string{"serve", "--http", ":8080"}}},
		{"broken JSON is shell form", "FROM a\nCMD [serve]\n", 0,
			dockerInstruction{Cmd: "CMD", Rest: "[serve]"}},
		{"lower-case keyword and flags", "from a as Build\ncopy --from=Build --chown=1:1 /a /b\n", 0,
			dockerInstruction{Cmd: "COPY", Flags: map[string]string{"from": "Build", "chown": "1:1"}, Rest: "/a /b"}},
		{"healthcheck flags then CMD", "FROM a\nHEALTHCHECK --interval=5s \\\n  CMD [\"/bin/x\", \"health\"]\n", 0,
			dockerInstruction{Cmd: "HEALTHCHECK", Flags: map[string]string{"interval": "5s"}, Rest: `["/bin/x", "health"]`, Exec: []string{"/bin/x", "health"}}},
		{"backtick escape directive", "# escape=`\nFROM a\nRUN a `\n  b\n", 0,
			dockerInstruction{Cmd: "RUN", Rest: "a    b"}},
		{"second stage", "ARG V=1\nFROM a AS b\nRUN x\nFROM scratch\nUSER 1\n", 1,
			dockerInstruction{Cmd: "USER", Rest: "1"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, err := parseDockerfile(tc.src)
			if err != nil {
				t.Fatal(err)
			}
			if len(d.Stages) <= tc.stage || len(d.Stages[tc.stage].Body) == 0 {
				t.Fatalf("stages %+v", d.Stages)
			}
			got := d.Stages[tc.stage].Body[0]
			if got.Cmd != tc.want.Cmd || got.Rest != tc.want.Rest || !slices.Equal(got.Exec, tc.want.Exec) ||
				(tc.want.Flags != nil && fmt.Sprint(got.Flags) != fmt.Sprint(tc.want.Flags)) {
				t.Errorf("got %+v\nwant %+v", got, tc.want)
			}
		})
	}
	t.Run("errors", func(t *testing.T) {
		for _, src := range []string{"", "RUN x\n", "FROM\n", "FROM a b c d\n", "FROM a\nHEALTHCHECK echo\n", "# escape=x\nFROM a\n"} {
			if _, err := parseDockerfile(src); err == nil {
				t.Errorf("parseDockerfile(%q) succeeded", src)
			}
		}
	})
	t.Run("shell words", func(t *testing.T) {
		got := shellWords(`A=1 B="x y" go build -ldflags='-s -w' -o\ x .`)
		want := []string{"A=1", "B=x y", "go", "build", "-ldflags=-s -w", "-o x", "."}
		if !slices.Equal(got, want) {
			t.Errorf("shellWords = %q, want %q", got, want)
		}
	})
}
