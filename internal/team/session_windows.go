package team

import "os/exec"

// ownSession: Windows has no sessions to detach git from, nor process groups to signal;
// a cancel ends git alone (CommandContext's default). The keystore refuses to open
// on Windows, so no team store gets here.
func ownSession(*exec.Cmd) {}
