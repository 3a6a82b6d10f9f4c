// Package hinttest gives the front ends' hint tests every error the keystore declares, so each
// face can show it words all of them in its own terms.
package hinttest

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/m3keys/m3keys/internal/validate"
	"github.com/m3keys/m3keys/keystore"
)

// KeystoreErrors is every exported keystore error, by name, and the typed ones with their facts.
// It fails t when the keystore declares an Err… variable or a …Error type the list lacks.
func KeystoreErrors(t testing.TB) map[string]error {
	t.Helper()
	errs := map[string]error{
		"ErrAmbiguousOrg": keystore.ErrAmbiguousOrg, "ErrCaseConflict": keystore.ErrCaseConflict,
		"ErrCorrupt": keystore.ErrCorrupt, "ErrDuplicateKey": keystore.ErrDuplicateKey,
		"ErrDuplicateOrg": keystore.ErrDuplicateOrg, "ErrDuplicateUser": keystore.ErrDuplicateUser,
		"ErrFreesDeployed": keystore.ErrFreesDeployed, "ErrFutureVersion": keystore.ErrFutureVersion,
		"ErrIdentityUnavailable": keystore.ErrIdentityUnavailable, "ErrKeyActive": keystore.ErrKeyActive,
		"ErrKeyLimit": keystore.ErrKeyLimit, "ErrLastActiveKey": keystore.ErrLastActiveKey,
		"ErrLockTimeout": keystore.ErrLockTimeout, "ErrMustFree": keystore.ErrMustFree,
		"ErrNoRotation": keystore.ErrNoRotation, "ErrNoSecretKey": keystore.ErrNoSecretKey,
		"ErrNoStore": keystore.ErrNoStore, "ErrNotCommitted": keystore.ErrNotCommitted,
		"ErrNotFound": keystore.ErrNotFound, "ErrNotMember": keystore.ErrNotMember,
		"ErrNotProved": keystore.ErrNotProved, "ErrNotRegular": keystore.ErrNotRegular,
		"ErrNotRetired": keystore.ErrNotRetired, "ErrNotWrongUser": keystore.ErrNotWrongUser,
		"ErrNothingToRotate": keystore.ErrNothingToRotate, "ErrOrgMismatch": keystore.ErrOrgMismatch,
		"ErrOrgNotEmpty": keystore.ErrOrgNotEmpty, "ErrOverLimit": keystore.ErrOverLimit,
		"ErrOwner": keystore.ErrOwner, "ErrPassphraseTooShort": keystore.ErrPassphraseTooShort,
		"ErrPermissions": keystore.ErrPermissions, "ErrPopupOrgMismatch": keystore.ErrPopupOrgMismatch,
		"ErrRotationInProgress": keystore.ErrRotationInProgress, "ErrRotationStale": keystore.ErrRotationStale,
		"ErrRotationStep": keystore.ErrRotationStep, "ErrSecretAlreadyCopied": keystore.ErrSecretAlreadyCopied,
		"ErrStoreExists": keystore.ErrStoreExists, "ErrTeamIdentity": keystore.ErrTeamIdentity,
		"ErrUntrustedRecipients": keystore.ErrUntrustedRecipients, "ErrWrongIdentity": keystore.ErrWrongIdentity,
		"ErrWrongPassphrase": keystore.ErrWrongPassphrase, "ErrWrongServiceUser": keystore.ErrWrongServiceUser,
		"ErrNotDirectory": keystore.ErrNotDirectory, "ErrUnsupportedPlatform": keystore.ErrUnsupportedPlatform,
		"ErrWrittenBeforeAdded": keystore.ErrWrittenBeforeAdded, "ErrLeftOut": keystore.ErrLeftOut,
		"ErrTrustDamaged": keystore.ErrTrustDamaged,
	}
	errs["LockTimeoutError"] = &keystore.LockTimeoutError{Path: "/s/.lock", PID: 4242, Timeout: time.Second}
	errs["IdentityDamageError"] = &keystore.IdentityDamageError{}
	errs["ValidationError"] = validate.Invalid("API URL", "must be https")
	errs["OwnerError"] = &keystore.OwnerError{Path: "/s/keystore.age", UID: 0, Want: 1000}
	errs["OwnerError of the directory"] = &keystore.OwnerError{Path: "/s", UID: 1001, Want: 1000, Dir: true}
	errs["ModeError"] = &keystore.ModeError{Path: "/s", Mode: 0o755, Dir: true}
	errs["NoIdentityError"] = &keystore.NoIdentityError{Document: "/s/keystore.age"}
	errs["ForeignDocumentError"] = &keystore.ForeignDocumentError{Path: "/s/keystore.age", Backup: "/s/keystore.age.bak"}
	errs["UnreadableBackupError"] = &keystore.UnreadableBackupError{Path: "/s/keystore.age.bak", Err: keystore.ErrCorrupt}
	errs["UnlistedError"] = &keystore.UnlistedError{Recipient: "age1bob"}
	errs["MissingError"] = &keystore.MissingError{Path: "/s/keystore.age", Backup: "/s/keystore.age.bak"}
	errs["AmbiguousOrgError"] = &keystore.AmbiguousOrgError{Name: "Acme", IDs: []string{"a1", "b2"}}
	for _, name := range declared(t) {
		if _, ok := errs[name]; !ok {
			t.Errorf("keystore.%s is not in hinttest.KeystoreErrors: add it, and a hint on each face if one helps", name)
		}
	}
	return errs
}

// declared is the names of the Err… variables and the exported …Error types in the keystore's
// non-test files.
func declared(t testing.TB) []string {
	t.Helper()
	_, self, _, _ := runtime.Caller(0)
	dir := filepath.Join(filepath.Dir(self), "..", "..", "keystore")
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(file, func(n ast.Node) bool {
			switch spec := n.(type) {
			case *ast.ValueSpec:
				for _, id := range spec.Names {
					if strings.HasPrefix(id.Name, "Err") {
						names = append(names, id.Name)
					}
				}
			case *ast.TypeSpec:
				if spec.Name.IsExported() && strings.HasSuffix(spec.Name.Name, "Error") {
					names = append(names, spec.Name.Name)
				}
			}
			return true
		})
	}
	return names
}
