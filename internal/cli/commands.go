package cli

import (
	"fmt"
	"runtime"
	"strings"

	"github.com/spf13/cobra"

	"github.com/m3keys/m3keys/internal/sanitize"
)

// rootCommand declares every command once: its name and arguments (Use), its summary (Short)
// and its flags. Help, usage, arity errors, completion and the man page all come from this tree.
func rootCommand(c *invocation) *cobra.Command {
	root := &cobra.Command{
		Use:   "m3keys",
		Short: "keep, rotate and test m3ter service-user access keys",
		Long: "m3keys " + c.env.Version + " — keep, rotate and test m3ter service-user access keys.\n" +
			"Without a command it opens the terminal UI.",
		Example: "  m3keys list\n  m3keys check --fail-on-stale\n  m3keys secret AK-1 -- gh secret set M3TER_API_SECRET",
		RunE:    func(*cobra.Command, []string) error { return c.openTUI(false) },
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			if cmd.Annotations[anySystem] == "" && cmd.Name() != "help" && cmd.Name() != cobra.ShellCompRequestCmd {
				return unsupportedOn(runtime.GOOS)
			}
			return nil
		},
		// Errors are printed once, as one m3keys: line, by Run; never with the usage after them.
		SilenceErrors: true,
		SilenceUsage:  true,
	}
	root.SetIn(c.env.Stdin)
	root.SetOut(c.env.Stdout)
	root.SetErr(c.env.Stderr)
	root.CompletionOptions.DisableDefaultCmd = true // ours: bash, zsh and fish, declared below
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		name := commandName(cmd)
		if flag := oneDash(cmd, c.args); flag != "" { // the flag package's -home, before cobra
			return usageErr("%s: -%s is not a flag", name, flag).hint("flags take two dashes: --%s", flag)
		}
		return usageErr("%s: %s", name, sanitize.Line(err.Error())).hint("run %s --help", cmd.CommandPath())
	})
	root.SetUsageTemplate(usageTemplate)
	root.SetHelpTemplate(root.HelpTemplate() + helpFooter)

	// Global options: before or after the command. Their environment is read here but checked only
	// by the commands that use them, so a bad M3KEYS_CLIPBOARD breaks list in no cron job.
	global := root.PersistentFlags()
	global.StringVar(&c.home, "home", "", "the store directory, `DIR` (env M3KEYS_HOME; default: the user config dir's m3keys)")
	global.Var(&c.lockTimeout, "lock-timeout", "how long to wait while another m3keys uses the store (a `DURATION`, 0 to 1h; env M3KEYS_LOCK_TIMEOUT; default 10s)")
	global.Var(&c.clipboard, "clipboard", "clipboard `MODE` for the commands that copy: auto, system or osc52 (env M3KEYS_CLIPBOARD; default auto)")
	global.Var(&c.clipTimeout, "clip-timeout", "clear the clipboard after this long (a `DURATION`); 0 means never (env M3KEYS_CLIP_TIMEOUT; default 30s)")
	_ = root.RegisterFlagCompletionFunc("clipboard", cobra.FixedCompletions([]string{"auto", "system", "osc52"}, cobra.ShellCompDirectiveNoFileComp))
	// After the flags are declared, so help shows the defaults, not the environment.
	c.clipboard = c.envSetting("M3KEYS_CLIPBOARD", "--clipboard")
	c.clipTimeout = c.envSetting("M3KEYS_CLIP_TIMEOUT", "--clip-timeout")
	c.lockTimeout = c.envSetting("M3KEYS_LOCK_TIMEOUT", "--lock-timeout")

	root.AddCommand(
		listCommand(c), addCommand(c), importCommand(c),
		inactivateCommand(c), activateCommand(c), removeCommand(c),
		checkCommand(c), copyCommand(c), secretCommand(c), tokenCommand(c),
		passwdCommand(c), teamCommand(c), syncCommand(c),
		demoCommand(c), completionCommand(), manCommand(c), versionCommand(c),
		// The agent's commands (unlock, lock, the hidden key completion).
		unlockCommand(c), lockCommand(c), completeKeysCommand(c),
	)
	root.SetHelpCommand(helpCommand(root))
	declareArgs(root)
	return root
}

// helpCommand is cobra's, but an unknown topic is a usage error, as an unknown command is.
func helpCommand(root *cobra.Command) *cobra.Command {
	return &cobra.Command{
		Use:   "help [COMMAND...]",
		Short: "help about any command",
		Args:  cobra.ArbitraryArgs,
		RunE: func(_ *cobra.Command, args []string) error {
			cmd, rest, err := root.Find(args)
			if err != nil || len(rest) > 0 {
				return usageErr("unknown command %q", sanitize.Text(strings.Join(args, " "), 40)).hint("run m3keys --help for the list")
			}
			return cmd.Help()
		},
	}
}

// usageTemplate is cobra's, with each command listed as its Use line, so the list names
// every command's arguments as its own help does.
const usageTemplate = `Usage:{{if .Runnable}}
  {{.UseLine}}{{end}}{{if .HasAvailableSubCommands}}
  {{.CommandPath}} COMMAND{{end}}{{if .HasExample}}

Examples:
{{.Example}}{{end}}{{if .HasAvailableSubCommands}}

Commands:{{range .Commands}}{{if .IsAvailableCommand}}
  {{$.CommandPath}} {{.Use}}
        {{.Short}}{{end}}{{end}}{{end}}{{if .HasAvailableLocalFlags}}

Flags:
{{.LocalFlags.FlagUsages | trimTrailingWhitespaces}}{{end}}{{if .HasAvailableInheritedFlags}}

Global flags (before or after the command):
{{.InheritedFlags.FlagUsages | trimTrailingWhitespaces}}{{end}}{{if .HasAvailableSubCommands}}

Run {{.CommandPath}} COMMAND --help for a command's flags.{{end}}
`

// anySystem marks a command that works where the store does not (Windows): it needs no store.
const anySystem = "any-system"

// anywhere is the Annotations of such a command.
var anywhere = map[string]string{anySystem: "yes"}

// unsupportedOn refuses a system whose files the store cannot keep private (keystore's sys_*.go).
func unsupportedOn(goos string) error {
	if goos == "windows" {
		return usageErr("not supported on Windows: the keystore relies on POSIX file modes and flock(2) to keep secrets private").hint("run m3keys in WSL, or on Linux or macOS")
	}
	return nil
}

const helpFooter = `
environment: M3KEYS_HOME, M3KEYS_PASSPHRASE, M3KEYS_API_URL, M3KEYS_LOCK_TIMEOUT, M3KEYS_CLIPBOARD, M3KEYS_CLIP_TIMEOUT
exit codes: 0 ok, 1 refused by a rule or a failing key, 2 usage, passphrase or store error, 3 check could not tell
`

func demoCommand(c *invocation) *cobra.Command {
	return &cobra.Command{
		Use:   "demo",
		Short: "the TUI on a throwaway store with sample data and a built-in fake m3ter",
		RunE:  func(*cobra.Command, []string) error { return c.openTUI(true) },
	}
}

func versionCommand(c *invocation) *cobra.Command {
	return &cobra.Command{
		Use:         "version",
		Short:       "print the version",
		Annotations: anywhere,
		RunE: func(*cobra.Command, []string) error {
			fmt.Fprintln(c.env.Stdout, "m3keys", c.env.Version)
			return nil
		},
	}
}

// completionShells are the shells m3keys completion writes a script for.
var completionShells = []string{"bash", "zsh", "fish"}

func completionCommand() *cobra.Command {
	return &cobra.Command{
		Use:         "completion bash|zsh|fish",
		Short:       "print a shell completion script",
		Annotations: anywhere,
		Long: "Prints the completion script for a shell on stdout. To load it:\n" +
			"  bash: m3keys completion bash > ~/.local/share/bash-completion/completions/m3keys\n" +
			"  zsh:  m3keys completion zsh > \"${fpath[1]}/_m3keys\"   (with compinit in ~/.zshrc)\n" +
			"  fish: m3keys completion fish > ~/.config/fish/completions/m3keys.fish",
		ValidArgs: completionShells,
		RunE: func(cmd *cobra.Command, args []string) error {
			root, w := cmd.Root(), cmd.OutOrStdout()
			switch args[0] {
			case "bash":
				return root.GenBashCompletionV2(w, true)
			case "zsh":
				return root.GenZshCompletion(w)
			case "fish":
				return root.GenFishCompletion(w, true)
			}
			return usageErr("completion %s: no such shell", sanitize.Text(args[0], 20)).hint("use bash, zsh or fish")
		},
	}
}

// oneDash is the first long flag of cmd given with one dash (-home), before any --.
func oneDash(cmd *cobra.Command, args []string) string {
	for _, a := range args {
		if a == "--" {
			break
		}
		name, _, _ := strings.Cut(strings.TrimPrefix(a, "-"), "=")
		if strings.HasPrefix(a, "-") && !strings.HasPrefix(a, "--") && len(name) > 1 && cmd.Flags().Lookup(name) != nil {
			return name
		}
	}
	return ""
}

// commandName is a command's path without the program's name: "team add".
func commandName(cmd *cobra.Command) string {
	path := cmd.CommandPath()
	if !cmd.HasParent() {
		return path
	}
	return strings.TrimPrefix(path, cmd.Root().Name()+" ")
}

// declareArgs gives every command in the tree the arity its Use line declares, unless it
// declares its own: NAME is required, [NAME] may be left out, [NAME...] takes any number,
// [-- COMMAND...] takes what follows --, and a command with subcommands takes none but those.
func declareArgs(cmd *cobra.Command) {
	if cmd.Args == nil {
		cmd.Args = usedArgs
	}
	for _, sub := range cmd.Commands() {
		declareArgs(sub)
	}
}

// positional is what a Use line says of a command's arguments.
type positional struct {
	required []string // in order
	optional string   // [NAME]: one more that may be left out
	variadic bool     // [NAME...]: any number after the required ones
	dash     bool     // [-- COMMAND...]: what follows -- is for another program
}

func positionals(use string) positional {
	var p positional
	for _, f := range strings.Fields(use)[1:] {
		switch {
		case f == "[--":
			p.dash = true
			return p
		case strings.HasPrefix(f, "["):
			if strings.HasSuffix(strings.TrimRight(f, "]"), "...") {
				p.variadic = true
			} else if !strings.HasPrefix(f, "[-") {
				p.optional = strings.Trim(f, "[]")
			}
			return p
		case strings.HasPrefix(f, "-"):
			return p // a required flag: the rest are flags too
		default:
			p.required = append(p.required, f)
		}
	}
	return p
}

func usedArgs(cmd *cobra.Command, args []string) error {
	name := commandName(cmd)
	if cmd.HasSubCommands() {
		if len(args) > 0 {
			if !cmd.HasParent() {
				return usageErr("unknown command %q", sanitize.Text(args[0], 40)).hint("run m3keys --help for the list")
			}
			return usageErr("unknown %s subcommand %q", name, sanitize.Text(args[0], 40)).hint("run %s --help", cmd.CommandPath())
		}
		return nil
	}
	p := positionals(cmd.Use)
	if at := cmd.ArgsLenAtDash(); at >= 0 && p.dash {
		if at == len(args) {
			example, _, _ := strings.Cut(strings.TrimSpace(cmd.Example), "\n")
			return usageErr("%s: -- is followed by no COMMAND", name).hint("give the command that reads the secret on its stdin: %s", example)
		}
		args = args[:at]
	}
	switch {
	case len(args) < len(p.required):
		return usageErr("%s needs %s", name, strings.Join(p.required[len(args):], " and ")).hint("run %s --help", cmd.CommandPath())
	case p.optional != "" && len(args) > len(p.required)+1:
		return usageErr("%s takes at most %s", name, argumentCount(append(p.required, p.optional))).hint("run %s --help", cmd.CommandPath())
	case p.optional == "" && len(args) > len(p.required) && !p.variadic:
		return usageErr("%s takes %s", name, argumentCount(p.required)).hint("run %s --help", cmd.CommandPath())
	}
	return nil
}

func argumentCount(names []string) string {
	switch len(names) {
	case 0:
		return "no arguments"
	case 1:
		return "one argument, " + names[0]
	case 2:
		return "two arguments, " + names[0] + " and " + names[1]
	}
	return fmt.Sprintf("%d arguments, %s", len(names), strings.Join(names, " "))
}
