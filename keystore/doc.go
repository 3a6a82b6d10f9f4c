// Package keystore is m3keys' store of m3ter service-user access keys: a directory holding
// one age-encrypted JSON document (organizations, their service users, each user's keys with
// secret, status, last check and deployed-to note, and a capped history), the identity that
// decrypts it (itself encrypted with the passphrase), a lock and a backup.
//
// Every change goes through Store.Update: under the directory's lock it reads what another
// process may have saved, applies the change to a copy with a Tx, whose methods enforce
// m3ter's rules (two keys per service user, the last ACTIVE key kept, the rotation's steps in
// order), and writes the result atomically; a refusal is a typed error (errors.go,
// rotation.go) and leaves the store as it was. Older documents are migrated when read
// (codec.go). A team store (team.go, recipients.go, member.go) encrypts to every trusted
// member and runs a hook after each save; internal/team does the git side.
package keystore
