package cli

import (
	"bytes"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// declaredTree is the command tree as Run builds it, with cobra's help command in place.
func declaredTree(t *testing.T) *cobra.Command {
	t.Helper()
	root := rootCommand(&invocation{env: Env{Getenv: func(string) string { return "" }, Version: "test"}})
	root.InitDefaultHelpCmd()
	return root
}

// args is a command's path below the root: ["team", "add"].
func args(cmd *cobra.Command) []string { return strings.Fields(commandName(cmd)) }

// TestEveryCommandIsDeclaredWhole walks the tree: every command answers --help with exit 0
// on stdout, refuses an unknown flag with exit 2, and a missing argument with exit 2 naming it.
func TestEveryCommandIsDeclaredWhole(t *testing.T) {
	walk(declaredTree(t), func(cmd *cobra.Command) {
		path := args(cmd)
		if !cmd.HasParent() {
			path = nil
		}
		name := strings.Join(append([]string{"m3keys"}, path...), " ")
		t.Run(name, func(t *testing.T) {
			h := newHarness(t)
			o := h.run("", append(slices.Clone(path), "--help")...)
			if o.code != ExitOK || !strings.Contains(o.stdout, "Usage:") || o.stderr != "" {
				t.Errorf("--help: exit %d, stdout %q, stderr %q", o.code, o.stdout, o.stderr)
			}
			o = h.run("", append(slices.Clone(path), "--no-such-flag")...)
			if o.code != ExitUsage || !strings.HasPrefix(o.stderr, "m3keys: ") || !strings.Contains(o.stderr, "--no-such-flag") {
				t.Errorf("an unknown flag: exit %d, %q; want 2 naming it", o.code, o.stderr)
			}
			for have := range positionals(cmd.Use).required {
				given := append(slices.Clone(path), slices.Repeat([]string{"X"}, have)...)
				missing := positionals(cmd.Use).required[have]
				o := h.run("", given...)
				want := "m3keys: " + commandName(cmd) + " needs " + missing
				if o.code != ExitUsage || !strings.HasPrefix(o.stderr, want) {
					t.Errorf("%q: exit %d, %q; want 2 and %q", given, o.code, o.stderr, want)
				}
			}
			if _, err := os.Stat(h.home); err == nil {
				t.Error("a store was created by help or a usage error")
			}
		})
	})
}

func TestArityMessagesNameWhatIsMissing(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"copy"}, "m3keys: copy needs KEY_ID — run m3keys copy --help\n"},
		{[]string{"team", "add", "alice"}, "m3keys: team add needs RECIPIENT — run m3keys team add --help\n"},
		{[]string{"team", "add"}, "m3keys: team add needs NAME and RECIPIENT — run m3keys team add --help\n"},
		{[]string{"remove", "a", "b"}, "m3keys: remove takes one argument, KEY_ID — run m3keys remove --help\n"},
		{[]string{"version", "x"}, "m3keys: version takes no arguments — run m3keys version --help\n"},
		{[]string{"secret", "--", "cat"}, "m3keys: secret needs KEY_ID — run m3keys secret --help\n"},
		{[]string{"completion"}, "m3keys: completion needs bash|zsh|fish — run m3keys completion --help\n"},
		{[]string{"secret", "AK-1", "--"}, "m3keys: secret: -- is followed by no COMMAND — give the command that reads the secret on its stdin: m3keys secret AK-1 -- gh secret set M3TER_API_SECRET\n"},
		{[]string{"help", "frob"}, "m3keys: unknown command \"frob\" — run m3keys --help for the list\n"},
		{[]string{"list", "-home", "x"}, "m3keys: list: -home is not a flag — flags take two dashes: --home\n"},
		{[]string{"copy", "AK-1", "-clip-timeout=5s"}, "m3keys: copy: -clip-timeout is not a flag — flags take two dashes: --clip-timeout\n"},
	}
	for _, c := range cases {
		h := newHarness(t)
		if o := h.run("", c.args...); o.code != ExitUsage || o.stderr != c.want {
			t.Errorf("%q: exit %d, %q; want 2, %q", c.args, o.code, o.stderr, c.want)
		}
	}
}

// Global options go before or after the command, demo's included.
func TestGlobalOptionsBeforeOrAfterTheCommand(t *testing.T) {
	for _, line := range [][]string{
		{"demo", "--clip-timeout", "5s"},
		{"--clip-timeout", "5s", "demo"},
		{"--clip-timeout=5s", "demo"},
	} {
		h := newHarness(t)
		var got TUIOptions
		h.openTUI = func(o TUIOptions) error { got = o; return nil }
		if o := h.run("", line...); o.code != ExitOK || !got.Demo || got.ClipTimeout.String() != "5s" {
			t.Errorf("%q: exit %d %q, TUI options %+v", line, o.code, o.stderr, got)
		}
	}
}

func TestCompletionScripts(t *testing.T) {
	for shell, want := range map[string]string{"bash": "complete -o default -F __start_m3keys m3keys",
		"zsh": "#compdef m3keys", "fish": "complete -c m3keys"} {
		h := newHarness(t)
		if o := h.run("", "completion", shell); o.code != ExitOK || !strings.Contains(o.stdout, want) {
			t.Errorf("completion %s: exit %d, %q; stdout lacks %q", shell, o.code, o.stderr, want)
		}
	}
	h := newHarness(t)
	if o := h.run("", "completion", "tcsh"); o.code != ExitUsage || !strings.Contains(o.stderr, "bash, zsh or fish") {
		t.Errorf("completion tcsh: exit %d, %q", o.code, o.stderr)
	}
	if o := h.run("", "__complete", "check", "--format", ""); !strings.Contains(o.stdout, "openmetrics\n") {
		t.Errorf("completing check --format: %q", o.stdout)
	}
	// The completion of commands comes from the declarations too.
	o := h.run("", "__complete", "team", "")
	for _, sub := range []string{"init", "join", "add", "remove", "list", "trust"} {
		if !strings.Contains(o.stdout, sub+"\t") {
			t.Errorf("completing team lacks %s: %q", sub, o.stdout)
		}
	}
}

// TestManPageHasEveryCommand: m3keys man names every command and every flag, and man renders it.
func TestManPageHasEveryCommand(t *testing.T) {
	h := newHarness(t)
	page := h.mustRun("", "man").stdout
	walk(declaredTree(t), func(cmd *cobra.Command) {
		if cmd.HasParent() && !strings.Contains(page, `.SS "`+roff("m3keys "+commandName(cmd))) {
			t.Errorf("the man page lacks %s", cmd.CommandPath())
		}
		cmd.LocalFlags().VisitAll(func(f *pflag.Flag) {
			if f.Name != "help" && !strings.Contains(page, `\fB\-\-`+roff(f.Name)+`\fR`) {
				t.Errorf("the man page lacks %s --%s", cmd.CommandPath(), f.Name)
			}
		})
	})
	if _, err := exec.LookPath("man"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("no man in CI: .ci/run installs man-db so the page's rendering is checked")
		}
		t.Log("no man here: the page's rendering is not checked")
		return
	}
	render := exec.Command("man", "-l", "-")
	render.Stdin = strings.NewReader(page)
	render.Env = append(os.Environ(), "MANWIDTH=100", "MANPAGER=cat", "PAGER=cat")
	var stderr bytes.Buffer
	render.Stderr = &stderr
	out, err := render.Output()
	if err != nil || stderr.Len() > 0 || !strings.Contains(string(out), "m3keys team add NAME RECIPIENT") {
		t.Errorf("man -l -: %v, stderr %q, output:\n%s", err, stderr.String(), out)
	}
}

// TestREADMECommandsMatchTheDeclarations reads the command list under README.md's "## Commands"
// and fails when it names a command or flag the tree does not declare, or leaves one out.
func TestREADMECommandsMatchTheDeclarations(t *testing.T) {
	data, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, after, ok := strings.Cut(string(data), "\n## Commands\n")
	if !ok {
		t.Fatal(`README.md has no "## Commands" section`)
	}
	_, block, _ := strings.Cut(after, "```\n")
	block, _, _ = strings.Cut(block, "```")
	root := declaredTree(t)

	readme := map[string]bool{}
	for _, use := range readmeUses(block) {
		words := strings.Fields(use)[1:] // after "m3keys"
		name := ""
		if len(words) > 0 && !strings.HasPrefix(words[0], "[") {
			name = words[0]
			if sub, _, err := root.Find(words[:1]); err == nil && sub.HasSubCommands() && len(words) > 1 {
				readme[name] = true
				name += " " + words[1]
			}
			readme[name] = true
		}
		for _, f := range regexp.MustCompile(`--[a-z][a-z-]*`).FindAllString(use, -1) {
			readme[strings.TrimSpace(name+" "+f)] = true
		}
	}

	declared := map[string]bool{}
	walk(root, func(cmd *cobra.Command) {
		name := ""
		if cmd.HasParent() {
			name = commandName(cmd)
			declared[name] = true
		}
		cmd.LocalFlags().VisitAll(func(f *pflag.Flag) {
			if f.Name != "help" {
				declared[strings.TrimSpace(name+" --"+f.Name)] = true
			}
		})
	})
	for n := range declared {
		if !readme[n] {
			t.Errorf("README's command list lacks %q", n)
		}
	}
	for n := range readme {
		if !declared[n] {
			t.Errorf("README's command list has %q, which no command declares", n)
		}
	}
}

// readmeUses is every "m3keys …" use in README's command list, without its description:
// a use ends at two spaces; a line that goes on with flags ([--…) continues the use above,
// and one that goes on with words is the description above.
func readmeUses(block string) []string {
	var uses []string
	for _, line := range strings.Split(block, "\n") {
		if rest := strings.TrimSpace(line); strings.HasPrefix(line, " ") && !strings.HasPrefix(rest, "m3keys") {
			if strings.HasPrefix(rest, "[") && len(uses) > 0 {
				uses[len(uses)-1] += " " + rest
			}
			continue
		}
		for i, part := range strings.Split(line, "m3keys ") {
			if i == 0 {
				continue
			}
			use, _, _ := strings.Cut(part, "  ")
			uses = append(uses, "m3keys "+use)
		}
	}
	return uses
}

// On Windows only the commands that need no store run; the others say why not, and what to do.
func TestWindowsIsRefusedWithAReason(t *testing.T) {
	err := unsupportedOn("windows")
	if err == nil || exitCode(err) != ExitUsage || !strings.HasPrefix(errorLine(err), "m3keys: not supported on Windows: ") || !strings.Contains(errorLine(err), " — run m3keys in WSL") {
		t.Errorf("windows: %v", err)
	}
	for _, goos := range []string{"linux", "darwin"} {
		if err := unsupportedOn(goos); err != nil {
			t.Errorf("%s: %v", goos, err)
		}
	}
	walk(declaredTree(t), func(cmd *cobra.Command) {
		portable := cmd.Annotations[anySystem] != ""
		if want := slices.Contains([]string{"version", "completion", "man"}, cmd.Name()); portable != want {
			t.Errorf("%s: works on any system %v, want %v", cmd.CommandPath(), portable, want)
		}
	})
}

// TestREADMELayoutNamesEveryPackage: the layout under README.md's "## Development" names every
// directory that holds Go code, and no directory that does not exist.
func TestREADMELayoutNamesEveryPackage(t *testing.T) {
	data, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, dev, ok := strings.Cut(string(data), "\n## Development\n")
	if !ok {
		t.Fatal(`README.md has no "## Development" section`)
	}
	named := map[string]bool{}
	for _, m := range regexp.MustCompile("`((?:internal|keystore|authclient|ui)[a-z0-9/]*)/`").FindAllStringSubmatch(dev, -1) {
		named[m[1]] = true
	}
	found := map[string]bool{}
	err = filepath.WalkDir("../..", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") {
			return err
		}
		if dir := filepath.ToSlash(filepath.Dir(path)); dir != "../.." {
			found[strings.TrimPrefix(dir, "../../")] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for dir := range found {
		if !named[dir] {
			t.Errorf("README's layout does not name %s/", dir)
		}
	}
	for dir := range named {
		if !found[dir] {
			t.Errorf("README's layout names %s/, which holds no Go code", dir)
		}
	}
}
