package cli

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// manCommand prints a man page written from the command tree, so it lists what the
// declarations declare. Written here, not with cobra/doc, which brings go-md2man and
// blackfriday for what is a few dozen lines of roff.
func manCommand(c *invocation) *cobra.Command {
	return &cobra.Command{
		Use:         "man",
		Annotations: anywhere,
		Short:       "print the man page (roff)",
		Example:     "  m3keys man | man -l -\n  m3keys man > ~/.local/share/man/man1/m3keys.1",
		RunE: func(cmd *cobra.Command, _ []string) error {
			writeMan(cmd.OutOrStdout(), cmd.Root(), c.env.Version)
			return nil
		},
	}
}

func writeMan(w io.Writer, root *cobra.Command, version string) {
	fmt.Fprintf(w, ".TH M3KEYS 1 \"\" \"m3keys %s\" \"User Commands\"\n", roff(version))
	fmt.Fprintf(w, ".SH NAME\nm3keys \\- %s\n", roff(root.Short))
	fmt.Fprintf(w, ".SH SYNOPSIS\n.B m3keys\n[\\fIOPTIONS\\fR] [\\fICOMMAND\\fR] [\\fIARGS\\fR]\n")
	fmt.Fprintf(w, ".SH DESCRIPTION\n%s\n", roffText(root.Long))
	fmt.Fprintf(w, ".SH GLOBAL OPTIONS\nThey go before or after the command.\n")
	writeFlags(w, root.PersistentFlags())
	fmt.Fprintf(w, ".SH COMMANDS\n")
	walk(root, func(cmd *cobra.Command) {
		if cmd == root {
			return
		}
		fmt.Fprintf(w, ".SS \"%s\"\n%s\n", roff(strings.TrimSuffix(cmd.UseLine(), " [flags]")), roffText(cmd.Short))
		if cmd.Long != "" {
			fmt.Fprintf(w, ".PP\n%s\n", roffText(cmd.Long))
		}
		writeFlags(w, cmd.LocalNonPersistentFlags())
		if cmd.Example != "" {
			fmt.Fprintf(w, ".PP\n.nf\n%s\n.fi\n", roffText(cmd.Example))
		}
	})
	fmt.Fprint(w, `.SH ENVIRONMENT
M3KEYS_HOME, M3KEYS_PASSPHRASE, M3KEYS_API_URL, M3KEYS_LOCK_TIMEOUT, M3KEYS_CLIPBOARD, M3KEYS_CLIP_TIMEOUT.
The passphrase comes from M3KEYS_PASSPHRASE, else a hidden prompt on the terminal; never an argument.
.SH EXIT STATUS
.TP
0
success
.TP
1
refused by a rule, or check found a failing key
.TP
2
usage, passphrase or store error
.TP
3
check could not tell for some key and found none failing
`)
}

// walk calls f for cmd and every command under it that help lists, depth first.
func walk(cmd *cobra.Command, f func(*cobra.Command)) {
	f(cmd)
	for _, sub := range cmd.Commands() {
		if sub.IsAvailableCommand() {
			walk(sub, f)
		}
	}
}

func writeFlags(w io.Writer, fs *pflag.FlagSet) {
	fs.VisitAll(func(fl *pflag.Flag) {
		if fl.Hidden || fl.Name == "help" {
			return
		}
		name, usage := pflag.UnquoteUsage(fl)
		fmt.Fprintf(w, ".TP\n\\fB\\-\\-%s\\fR", roff(fl.Name))
		if name != "" && name != "bool" {
			fmt.Fprintf(w, " \\fI%s\\fR", roff(name))
		}
		fmt.Fprintf(w, "\n%s\n", roffText(usage))
	})
}

// roff escapes text for a roff argument or line: backslashes and hyphens.
func roff(s string) string {
	return strings.NewReplacer(`\`, `\e`, "-", `\-`).Replace(s)
}

// roffText escapes running text, so that no line starts a request (. or ').
func roffText(s string) string {
	lines := strings.Split(roff(s), "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, ".") || strings.HasPrefix(l, "'") {
			lines[i] = `\&` + l
		}
	}
	return strings.Join(lines, "\n")
}
