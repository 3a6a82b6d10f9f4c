// Package storehint words what to do about the errors whose remedy reads the same on either face:
// it names files, programs to install and the m3ter Console, never a key to press or an m3keys
// command (a start-up flag at most). The CLI's hint and the TUI's hintFor fall back to it.
package storehint

import (
	"errors"
	"fmt"

	"github.com/m3keys/m3keys/internal/agent"
	"github.com/m3keys/m3keys/internal/clipboard"
	"github.com/m3keys/m3keys/internal/team"
	"github.com/m3keys/m3keys/keystore"
)

// Common is what to do about err on either face, or "".
func Common(err error) string {
	if h := toolHint(err); h != "" {
		return h
	}
	if h := fileHint(err); h != "" {
		return h
	}
	var v *keystore.ValidationError
	var missing *keystore.MissingError
	var foreign *keystore.ForeignDocumentError
	switch {
	case errors.As(err, &v):
		return "correct the " + v.Field + " and try again"
	case errors.Is(err, keystore.ErrLeftOut):
		return "ask another member to remove you"
	case errors.Is(err, keystore.ErrUnsupportedPlatform):
		return "run m3keys in WSL, or on Linux or macOS"
	case errors.Is(err, keystore.ErrWrongIdentity):
		return "nothing was changed; put back the identity.age that belongs to this store (or the keystore.age that belongs to this identity); " +
			"do not restore keystore.age.bak over keystore.age: it is encrypted to the same identity"
	case errors.As(err, new(*keystore.IdentityDamageError)):
		return "restore identity.age from a backup of your own; nothing was changed; keystore.age.bak cannot replace identity.age: it is a copy of keystore.age"
	case errors.Is(err, keystore.ErrCaseConflict):
		return "to fix it, open the store with the m3keys that wrote it and move the keys of one of them away " +
			"(make them INACTIVE, remove them, and add them again under the other ID), or remove one organization; " +
			"then open it with this m3keys again; keystore.age.bak holds the same organizations, so restoring it does not help"
	case errors.As(err, &foreign):
		return "keep it aside and restore the backup: mv " + foreign.Path + " " + foreign.Foreign() + " && cp " + foreign.Backup + " " + foreign.Path
	case errors.As(err, &missing) && missing.Backup != "":
		return "restore the previous version: cp " + missing.Backup + " " + missing.Path
	case errors.As(err, &missing):
		return "restore " + keystore.DocumentFile + " from a backup of your own"
	case errors.Is(err, keystore.ErrCorrupt):
		return "nothing was changed; restore keystore.age from keystore.age.bak or a backup"
	case errors.Is(err, keystore.ErrFutureVersion):
		return "upgrade m3keys to open it"
	case errors.Is(err, keystore.ErrWrongServiceUser):
		return "the key was generated for another service user: inactivate and delete it in the Console, then generate one under this service user"
	case errors.Is(err, keystore.ErrPopupOrgMismatch):
		return "the key was generated in another organization: generate it in this one, or add it there"
	case errors.Is(err, keystore.ErrSecretAlreadyCopied):
		return "a secret is handed out once; to get a new one, rotate the key"
	}
	return ""
}

// fileHint is Common for the errors about the store's files themselves: who owns them, their
// modes, a file that is not a regular one or is missing beside another.
func fileHint(err error) string {
	var owner *keystore.OwnerError
	var mode *keystore.ModeError
	var backup *keystore.UnreadableBackupError
	var noIdentity *keystore.NoIdentityError
	switch {
	case errors.As(err, &backup):
		return "move " + backup.Path + " away to change the identity without it"
	case errors.As(err, &owner) && !owner.Dir:
		return fmt.Sprintf("run: chown %d %s", owner.Want, owner.Path)
	case errors.As(err, &mode):
		return fmt.Sprintf("run: chmod %o %s", mode.Private(), mode.Path)
	case errors.Is(err, keystore.ErrOwner), errors.Is(err, keystore.ErrPermissions):
		return "nothing was changed"
	case errors.Is(err, keystore.ErrNotRegular):
		return "m3keys keeps only regular files in its store; move it away and put the real file back"
	case errors.As(err, &noIdentity):
		return "if you have a backup of " + keystore.IdentityFile + ", put it back; otherwise the file cannot be read: move it away and run again"
	}
	return ""
}

// toolHint is Common for the errors of the tools m3keys runs: git, the clipboard's, the agent's socket.
func toolHint(err error) string {
	var removed *team.RemovedError
	var sock *agent.SocketDirError
	switch {
	case errors.Is(err, team.ErrNoGit):
		return "install git (apt install git, dnf install git, brew install git, or https://git-scm.com) and try again"
	case errors.Is(err, team.ErrGitTimeout):
		return "check the network and the remote, then try again; the store keeps what it had"
	case errors.Is(err, team.ErrTwoRepos):
		return "m3keys keeps the team's repository in " + team.GitDir + " only: move .git out of the store, then try again"
	case errors.Is(err, team.ErrNotMoved):
		return "the store is as it was; try again"
	case errors.As(err, &removed):
		return "to be added again, send a member this line: " + removed.AddLine()
	case errors.Is(err, clipboard.ErrNoTool):
		return "install xclip or wl-clipboard, or run with --clipboard osc52"
	case errors.Is(err, clipboard.ErrNoDisplay):
		return "run with --clipboard osc52"
	case errors.Is(err, clipboard.ErrNotWritten):
		return "check that $DISPLAY or $WAYLAND_DISPLAY names a running display, or run with --clipboard osc52"
	case errors.Is(err, clipboard.ErrNoTerminal):
		return "run m3keys in a terminal, or use --clipboard system"
	case errors.Is(err, agent.ErrSocketPathLong):
		return "set XDG_RUNTIME_DIR to a shorter directory of yours"
	case errors.Is(err, agent.ErrSocketDirNotMade):
		return "set XDG_RUNTIME_DIR to a directory of yours"
	case errors.Is(err, agent.ErrSocketDirNotDir), errors.Is(err, agent.ErrSocketDirForeign):
		return "remove it, or set XDG_RUNTIME_DIR to a directory of yours"
	case errors.As(err, &sock) && errors.Is(err, agent.ErrSocketDirMode):
		return "chmod 700 " + sock.Dir + ", or remove it"
	}
	return ""
}
