package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/buildkit/frontend/dockerfile/shell"
)

// dockerfile is a Dockerfile as BuildKit, the builder behind docker build,
// reads it, with the go build step found.
type dockerfile struct {
	stages []instructions.Stage
	final  *instructions.Stage // the last stage: the image that ships
	build  int                 // index of the earlier stage that runs go build; -1 if none
	// goBuild is that stage's go build command with the assignments before
	// it, e.g. [CGO_ENABLED=0 GOOS=linux go build -o /out/missionbot .];
	// buildEnv holds the ENV and ARG settings before it in its stage.
	goBuild, buildEnv []string
	run               *instructions.RunCommand // the RUN holding goBuild
	env               map[string]string        // the final stage's ENV settings
}

// parseDockerfile parses src with BuildKit's parser. Quotes are removed
// from words as docker build removes them; $VARIABLES are left as written.
func parseDockerfile(src string) (*dockerfile, error) {
	res, err := parser.Parse(strings.NewReader(src))
	if err != nil {
		return nil, err
	}
	stages, _, err := instructions.Parse(res.AST, nil)
	if err != nil {
		return nil, err
	} else if len(stages) == 0 {
		return nil, fmt.Errorf("no FROM instruction")
	}
	d := &dockerfile{stages: stages, final: &stages[len(stages)-1], build: -1, env: map[string]string{}}
	lex, noEnv := shell.NewLex(res.EscapeToken), shell.EnvsFromSlice(nil)
	lex.SkipUnsetEnv = true
	expand := func(w string) (string, error) { w, _, err := lex.ProcessWord(w, noEnv); return w, err }
	for i := range stages {
		var vars []string
		for _, c := range stages[i].Commands {
			if e, ok := c.(instructions.SupportsSingleWordExpansion); ok {
				if err := e.Expand(expand); err != nil {
					return nil, fmt.Errorf("line %d: %s: %w", line(c), c.Name(), err)
				}
			}
			switch c := c.(type) {
			case *instructions.EnvCommand:
				for _, kv := range c.Env {
					vars = append(vars, kv.String())
					if i == len(stages)-1 {
						d.env[kv.Key] = kv.Value
					}
				}
			case *instructions.ArgCommand:
				for _, kv := range c.Args {
					vars = append(vars, kv.String())
				}
			case *instructions.RunCommand:
				words := c.CmdLine
				if c.PrependShell { // shell form: one string, split as sh would
					if words, err = lex.ProcessWords(strings.Join(c.CmdLine, " "), noEnv); err != nil {
						return nil, fmt.Errorf("line %d: RUN: %w", line(c), err)
					}
				}
				if cmd := goBuildCommand(words); cmd != nil && d.build < 0 && i < len(stages)-1 {
					d.build, d.goBuild, d.buildEnv, d.run = i, cmd, vars, c
				}
			}
		}
	}
	return d, nil
}

// goBuildCommand returns the simple command in the shell words that runs
// go build, with the assignments before it; nil if there is none.
func goBuildCommand(words []string) []string {
	for j := 0; j+1 < len(words); j++ {
		if words[j] != "go" || words[j+1] != "build" {
			continue
		}
		from, to := j, j
		for from > 0 && (strings.Contains(words[from-1], "=") && !strings.HasPrefix(words[from-1], "-") || words[from-1] == "env") {
			from--
		}
		for to < len(words) && !slices.Contains([]string{"&&", "||", ";", "|"}, words[to]) {
			to++
		}
		return words[from:to]
	}
	return nil
}

// line returns the line where c starts.
func line(c instructions.Command) int { return c.Location()[0].Start.Line }

// stage returns the index of the stage ref names by AS name or number, as
// FROM and COPY --from name one; -1 if none.
func (d *dockerfile) stage(ref string) int {
	i, ok := instructions.HasStage(d.stages, ref)
	if n, err := strconv.Atoi(ref); !ok && err == nil && n < len(d.stages) {
		i = n
	}
	return i
}

// last returns the final stage's last command of type T, or the zero T.
func last[T instructions.Command](d *dockerfile) (last T) {
	for _, c := range d.final.Commands {
		if c, ok := c.(T); ok {
			last = c
		}
	}
	return last
}

// installedBinary returns where the final stage puts the binary built in
// the build stage: the destination of COPY --from=<build> <-o path> DEST.
func (d *dockerfile) installedBinary() (string, error) {
	if d.build < 0 {
		return "", fmt.Errorf("no stage before the final one runs go build")
	}
	out := flagValue(d.goBuild, "o")
	if out == "" {
		return "", fmt.Errorf("line %d: go build has no -o output path", line(d.run))
	}
	for _, c := range d.final.Commands {
		if cp, ok := c.(*instructions.CopyCommand); ok && cp.From != "" && d.stage(cp.From) == d.build && slices.Contains(cp.SourcePaths, out) {
			if strings.HasSuffix(cp.DestPath, "/") {
				return cp.DestPath + path.Base(out), nil
			}
			return cp.DestPath, nil
		}
	}
	return "", fmt.Errorf("the final stage does not COPY --from=%s %s", d.stages[d.build].Name, out)
}

// healthArgv returns the final stage's HEALTHCHECK command, which must be
// in exec form: a static image has no shell.
func (d *dockerfile) healthArgv() ([]string, error) {
	switch hc := last[*instructions.HealthCheckCommand](d); {
	case hc == nil:
		return nil, fmt.Errorf("no HEALTHCHECK in the final stage")
	case hc.Health.Test[0] == "CMD-SHELL":
		return nil, fmt.Errorf("line %d: HEALTHCHECK CMD in shell form needs /bin/sh, which a static image lacks", line(hc))
	case hc.Health.Test[0] != "CMD":
		return nil, fmt.Errorf("line %d: HEALTHCHECK %s", line(hc), hc.Health.Test[0])
	case len(hc.Health.Test) == 1:
		return nil, fmt.Errorf("line %d: HEALTHCHECK CMD is empty", line(hc))
	default:
		return hc.Health.Test[1:], nil
	}
}

// argv returns the final image's default command line, ENTRYPOINT then
// CMD, which must be in exec form: a static image has no shell.
func (d *dockerfile) argv() ([]string, error) {
	ep, cmd := last[*instructions.EntrypointCommand](d), last[*instructions.CmdCommand](d)
	switch {
	case ep == nil:
		return nil, fmt.Errorf("no ENTRYPOINT in the final stage")
	case ep.PrependShell:
		return nil, fmt.Errorf("line %d: ENTRYPOINT in shell form needs /bin/sh, which a static image lacks", line(ep))
	case cmd != nil && cmd.PrependShell:
		return nil, fmt.Errorf("line %d: CMD in shell form needs /bin/sh, which a static image lacks", line(cmd))
	case cmd == nil:
		return ep.CmdLine, nil
	}
	return slices.Concat(ep.CmdLine, cmd.CmdLine), nil
}

// runs checks that command (argv or healthArgv, what the error calls
// what) runs the installed binary's subcommand sub, and returns the
// arguments after sub.
func (d *dockerfile) runs(what string, command func() ([]string, error), sub string) ([]string, error) {
	argv, err := command()
	if err != nil {
		return nil, err
	}
	bin, err := d.installedBinary()
	if err != nil {
		return nil, err
	}
	if len(argv) < 2 || argv[0] != bin || argv[1] != sub {
		return nil, fmt.Errorf("%s runs %q, want %s %s …", what, argv, bin, sub)
	}
	return argv[2:], nil
}

// flagValue returns the value of flag -name or --name in args, given as
// "-name value" or "-name=value"; "" if absent.
func flagValue(args []string, name string) string {
	for i, a := range args {
		if !strings.HasPrefix(a, "-") {
			continue
		}
		a = strings.TrimPrefix(a[1:], "-")
		if a == name && i+1 < len(args) {
			return args[i+1]
		}
		if v, ok := strings.CutPrefix(a, name+"="); ok {
			return v
		}
	}
	return ""
}

// dockerCheck is one property the shipped image must have.
type dockerCheck struct {
	name  string
	check func(d *dockerfile) error
}

// dockerChecks are the Dockerfile's required properties, each its own
// subtest so a failure names the property.
var dockerChecks = []dockerCheck{
	{"multi-stage with a named build stage", func(d *dockerfile) error {
		switch {
		case len(d.stages) < 2:
			return fmt.Errorf("%d FROM instruction(s), want at least 2", len(d.stages))
		case d.build < 0:
			return fmt.Errorf("no stage before the final one runs go build")
		case d.stages[d.build].Name == "":
			return fmt.Errorf("line %d: the build stage (FROM %s) has no AS name", d.stages[d.build].Location[0].Start.Line, d.stages[d.build].BaseName)
		}
		return nil
	}},
	{"static build with CGO_ENABLED=0", func(d *dockerfile) error {
		if d.build < 0 {
			return fmt.Errorf("no build stage")
		}
		if !slices.Contains(d.goBuild, "CGO_ENABLED=0") && !slices.Contains(d.buildEnv, "CGO_ENABLED=0") {
			return fmt.Errorf("line %d: go build runs without CGO_ENABLED=0: %q", line(d.run), strings.Join(d.goBuild, " "))
		}
		return nil
	}},
	{"small runtime base", func(d *dockerfile) error {
		base, cur := d.final.BaseName, len(d.stages)-1
		for i := d.stage(base); 0 <= i && i < cur; i = d.stage(base) {
			base, cur = d.stages[i].BaseName, i // FROM an earlier stage: follow it
		}
		name, _, _ := strings.Cut(base, "@")
		if i := strings.LastIndex(name, ":"); i > strings.LastIndex(name, "/") {
			name = name[:i] // drop the tag
		}
		if name == "scratch" || name == "alpine" || strings.HasSuffix(name, "/alpine") || strings.HasPrefix(name, "gcr.io/distroless/static") {
			return nil
		}
		return fmt.Errorf("runtime base %q is not distroless/static, scratch or alpine", base)
	}},
	{"runs as a non-root user", func(d *dockerfile) error {
		u := last[*instructions.UserCommand](d)
		if u == nil {
			return fmt.Errorf("no USER in the final stage: the container would run as root")
		}
		if user, _, _ := strings.Cut(strings.TrimSpace(u.User), ":"); user == "" || user == "root" || strings.TrimLeft(user, "0") == "" {
			return fmt.Errorf("line %d: USER %q is root", line(u), u.User)
		}
		return nil
	}},
	{"binary copied from the build stage", func(d *dockerfile) error {
		_, err := d.installedBinary()
		return err
	}},
	{"data directory set and a volume", func(d *dockerfile) error {
		dir := d.env["MISSIONBOT_DATA_DIR"]
		if dir == "" {
			return fmt.Errorf("MISSIONBOT_DATA_DIR is not set in the final stage")
		}
		for _, c := range d.final.Commands {
			if v, ok := c.(*instructions.VolumeCommand); ok && slices.ContainsFunc(v.Volumes, func(v string) bool { return path.Clean(v) == path.Clean(dir) }) {
				return nil
			}
		}
		return fmt.Errorf("no VOLUME for MISSIONBOT_DATA_DIR=%s", dir)
	}},
	{"no shell needed at run time", func(d *dockerfile) error {
		if run := last[*instructions.RunCommand](d); run != nil {
			return fmt.Errorf("line %d: RUN in the final stage: a static base has no shell", line(run))
		}
		return nil
	}},
	{"healthcheck runs missionbot health on the served port", func(d *dockerfile) error {
		args, err := d.runs("HEALTHCHECK", d.healthArgv, "health")
		if err != nil {
			return err
		}
		addr := flagValue(args, "addr")
		if addr == "" {
			return fmt.Errorf("HEALTHCHECK %q has no --addr", args)
		}
		_, port, err := net.SplitHostPort(addr)
		if err != nil {
			return fmt.Errorf("HEALTHCHECK --addr %q: %w", addr, err)
		}
		listen := d.env["MISSIONBOT_HTTP_ADDR"]
		if _, lport, err := net.SplitHostPort(listen); err != nil || lport != port {
			return fmt.Errorf("HEALTHCHECK probes port %s but MISSIONBOT_HTTP_ADDR is %q", port, listen)
		}
		return nil
	}},
	{"entrypoint runs serve", func(d *dockerfile) error {
		_, err := d.runs("the container", d.argv, "serve")
		return err
	}},
}

// loadDockerfile parses the repository's Dockerfile after edit (if not
// nil), failing the test if the edit changed nothing.
func loadDockerfile(t *testing.T, edit func(string) string) *dockerfile {
	t.Helper()
	src, err := os.ReadFile("Dockerfile")
	if err != nil {
		t.Fatalf("read Dockerfile: %v", err)
	}
	text := string(src)
	if edit != nil {
		if text = edit(text); text == string(src) {
			t.Fatalf("the edit changed nothing; the Dockerfile no longer has the text this case rewrites")
		}
	}
	d, err := parseDockerfile(text)
	if err != nil {
		t.Fatalf("parse Dockerfile: %v", err)
	}
	return d
}

func TestDockerfile(t *testing.T) {
	d := loadDockerfile(t, nil)
	for _, c := range dockerChecks {
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
	d := loadDockerfile(t, nil)
	noEnv := func(string) string { return "" }
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
			hc, err := d.healthArgv()
			if err != nil || len(hc) < 2 {
				t.Fatalf("HEALTHCHECK %q: %v", hc, err)
			}
			mux := http.NewServeMux()
			mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(tc.status) })
			srv := httptest.NewServer(mux)
			defer srv.Close()
			args := slices.Clone(hc[1:])
			for i := 1; i < len(args); i++ {
				if strings.TrimLeft(args[i-1], "-") == "addr" {
					args[i] = srv.Listener.Addr().String()
				}
			}
			var out bytes.Buffer
			err = run(context.Background(), args, noEnv, strings.NewReader(""), &out, io.Discard)
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
			t.Fatalf("entrypoint %q: %v", argv, err)
		}
		err = run(context.Background(), append(slices.Clone(argv[1:]), "-h"), noEnv, strings.NewReader(""), io.Discard, io.Discard)
		if err != nil && strings.Contains(err.Error(), "unknown command") {
			t.Errorf("the image's command %q is not a missionbot subcommand: %v", argv[1:], err)
		}
	})
}

// TestDockerfileChecksCatchDefects shows each check failing on a
// Dockerfile with the defect it guards against.
func TestDockerfileChecksCatchDefects(t *testing.T) {
	replace := func(oldNew ...string) func(string) string { return strings.NewReplacer(oldNew...).Replace }
	tests := []struct {
		name      string
		edit      func(string) string
		wantCheck string
	}{
		{"single stage", func(string) string {
			return "FROM golang:1.26\nRUN CGO_ENABLED=0 go build -o /m .\nUSER 1000\nENTRYPOINT [\"/m\"]\nCMD [\"serve\"]\n"
		}, "multi-stage with a named build stage"},
		{"unnamed build stage", replace("--from=build", "--from=0", " AS build", ""), "multi-stage with a named build stage"},
		{"cgo left on", replace("CGO_ENABLED=0 ", ""), "static build with CGO_ENABLED=0"},
		{"full Debian runtime", replace("gcr.io/distroless/static-debian12:nonroot", "debian:bookworm"), "small runtime base"},
		{"root user", replace("USER 65532:65532", "USER 0:0"), "runs as a non-root user"},
		{"no user", replace("USER 65532:65532", ""), "runs as a non-root user"},
		{"binary from the wrong place", replace("COPY --from=build /out/missionbot", "COPY missionbot"), "binary copied from the build stage"},
		{"no volume", replace(`VOLUME ["/data"]`, `VOLUME ["/tmp"]`), "data directory set and a volume"},
		{"shell-form healthcheck", replace(`CMD ["/usr/local/bin/missionbot", "health", "--addr", "127.0.0.1:8080"]`, "CMD curl -f http://localhost:8080/healthz"),
			"healthcheck runs missionbot health on the served port"},
		{"healthcheck on another port", replace(`"127.0.0.1:8080"`, `"127.0.0.1:9090"`), "healthcheck runs missionbot health on the served port"},
		{"runs ask, not serve", replace(`CMD ["serve"]`, `CMD ["ask"]`), "entrypoint runs serve"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := loadDockerfile(t, tc.edit)
			i := slices.IndexFunc(dockerChecks, func(c dockerCheck) bool { return c.name == tc.wantCheck })
			if i < 0 {
				t.Fatalf("no check named %q", tc.wantCheck)
			}
			if err := dockerChecks[i].check(d); err == nil {
				t.Errorf("check %q passed a Dockerfile with %s", tc.wantCheck, tc.name)
			}
		})
	}
}
