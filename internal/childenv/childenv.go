// Package childenv is the environment of every process m3keys starts — clipboard tools, git,
// the command `m3keys secret KEY -- COMMAND` feeds, the detached clipboard clearer: m3keys'
// own, less every M3KEYS_ variable. $M3KEYS_PASSPHRASE opens the whole store, and a child
// (xclip lives on for as long as it holds the selection; git runs hooks, ssh and credential
// helpers) has no business with it. The other M3KEYS_ variables are settings no child reads;
// dropping the prefix whole also covers a secret variable added later. The clearer, the one
// child that is m3keys, is told all it needs through its stdin.
package childenv

import (
	"os"
	"os/exec"
	"strings"
)

// Prefix starts the name of every variable a child of m3keys does not get.
const Prefix = "M3KEYS_"

// Environ is this process's environment as a child of m3keys gets it.
func Environ() []string { return Strip(os.Environ()) }

// Strip returns environ ("KEY=value" entries) without the M3KEYS_ variables.
func Strip(environ []string) []string {
	out := make([]string, 0, len(environ))
	for _, kv := range environ {
		k, _, _ := strings.Cut(kv, "=")
		if !strings.HasPrefix(strings.ToUpper(k), Prefix) { // Windows names are case-insensitive
			out = append(out, kv)
		}
	}
	return out
}

// Command is exec.Command with the environment a child of m3keys gets.
func Command(name string, args ...string) *exec.Cmd {
	cmd := exec.Command(name, args...)
	cmd.Env = Environ()
	return cmd
}
