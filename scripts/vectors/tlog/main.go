// Command tlog prints the transparency-log test vectors of
// verifier/test/vectors/tlog-go.json, computed by Go's reference packages
// golang.org/x/mod/sumdb/tlog and golang.org/x/mod/sumdb/note, so the
// TypeScript tree, proofs, keys and signed notes are checked against an
// implementation we did not write. See scripts/vectors/README.md.
package main

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"runtime"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// Leaf i is the UTF-8 text "leaf-<i>".
const numLeaves = 70

// Module version of the golang.org/x/mod source this was built against;
// passed in by the README's command line (Debian golang-golang-x-mod-dev).
var modVersion = os.Getenv("XMOD_VERSION")

func init() {
	if modVersion == "" {
		fmt.Fprintln(os.Stderr, "set XMOD_VERSION to the golang.org/x/mod version built against (see scripts/vectors/README.md)")
		os.Exit(2)
	}
}

type store []tlog.Hash

func (s store) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		if x >= int64(len(s)) {
			return nil, fmt.Errorf("no stored hash %d", x)
		}
		out[i] = s[x]
	}
	return out, nil
}

type inclusion struct {
	Size  int64       `json:"size"`
	Index int64       `json:"index"`
	Proof []tlog.Hash `json:"proof"`
}

type consistency struct {
	Size1 int64       `json:"size1"`
	Size2 int64       `json:"size2"`
	Proof []tlog.Hash `json:"proof"`
}

type vectors struct {
	Generator            string         `json:"generator"`
	Go                   string         `json:"go"`
	Packages             string         `json:"packages"`
	Hashes               string         `json:"hashes"`
	Leaves               string         `json:"leaves"`
	NumLeaves            int            `json:"numLeaves"`
	EmptyTree            string         `json:"emptyTree"`
	TreeHashes           []tlog.Hash    `json:"treeHashes"`
	StoredHashes         []tlog.Hash    `json:"storedHashes"`
	StoredHashIndex      []indexCase    `json:"storedHashIndex"`
	SplitStoredHashIndex []indexCase    `json:"splitStoredHashIndex"`
	StoredHashCount      []countCase    `json:"storedHashCount"`
	Inclusion            []inclusion    `json:"inclusion"`
	Consistency          []consistency  `json:"consistency"`
	Notes                map[string]any `json:"notes"`
}

type indexCase struct {
	Level int   `json:"level"`
	N     int64 `json:"n"`
	Index int64 `json:"index"`
}

type countCase struct {
	N     int64 `json:"n"`
	Count int64 `json:"count"`
}

type key struct {
	Name        string `json:"name"`
	SeedHex     string `json:"seedHex"`
	PublicKey   string `json:"publicKeyBase64"`
	KeyID       string `json:"keyId"`
	VerifierKey string `json:"verifierKey"`
	SignerKey   string `json:"signerKey"`
}

func must(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func leaf(i int64) []byte { return []byte(fmt.Sprintf("leaf-%d", i)) }

// makeKey builds a deterministic key from a fixed seed: the signer key text
// is assembled by hand (note.GenerateKey only takes a random source) and then
// checked by note.NewSigner, which rejects a wrong key ID.
func makeKey(name, seedText string) (key, note.Signer, note.Verifier) {
	seed := sha256.Sum256([]byte(seedText))
	pub := ed25519.NewKeyFromSeed(seed[:]).Public().(ed25519.PublicKey)
	vkey, err := note.NewEd25519VerifierKey(name, pub)
	must(err)
	v, err := note.NewVerifier(vkey)
	must(err)
	skey := fmt.Sprintf("PRIVATE+KEY+%s+%08x+%s", name, v.KeyHash(), base64.StdEncoding.EncodeToString(append([]byte{1}, seed[:]...)))
	s, err := note.NewSigner(skey)
	must(err)
	return key{name, fmt.Sprintf("%x", seed[:]), base64.StdEncoding.EncodeToString(pub), fmt.Sprintf("%08x", v.KeyHash()), vkey, skey}, s, v
}

// mutations returns, for each byte of msg, 'a' if note.Open accepts msg with
// that byte replaced by change(byte) and 'r' if it rejects it; 'A' would
// mean accepted with a different text.
func mutations(msg []byte, text string, change func(byte) byte, known note.Verifiers) string {
	out := make([]byte, len(msg))
	for i := range msg {
		m := append([]byte(nil), msg...)
		m[i] = change(m[i])
		n, err := note.Open(m, known)
		switch {
		case err != nil:
			out[i] = 'r'
		case n.Text != text:
			out[i] = 'A'
		default:
			out[i] = 'a'
		}
	}
	return string(out)
}

// keyManglings lists every substring and single-byte increment of vkey that
// note.NewVerifier accepts (Go's own TestNewVerifier expects none).
func keyManglings(vkey string) []string {
	var accepted []string
	b := []byte(vkey)
	for i := 0; i <= len(b); i++ {
		for j := i + 1; j <= len(b); j++ {
			if i == 0 && j == len(b) {
				continue
			}
			if _, err := note.NewVerifier(string(b[i:j])); err == nil {
				accepted = append(accepted, string(b[i:j]))
			}
		}
	}
	for i := range b {
		b[i]++
		if _, err := note.NewVerifier(string(b)); err == nil {
			accepted = append(accepted, string(b))
		}
		b[i]--
	}
	return append([]string{}, accepted...)
}

func main() {
	var s store
	for i := int64(0); i < numLeaves; i++ {
		hs, err := tlog.StoredHashes(i, leaf(i), s)
		must(err)
		if int64(len(s)) != tlog.StoredHashIndex(0, i) {
			must(fmt.Errorf("stored hash layout: leaf %d at %d", i, len(s)))
		}
		s = append(s, hs...)
	}

	treeHashes := make([]tlog.Hash, 0, numLeaves+1)
	for n := int64(0); n <= numLeaves; n++ {
		h, err := tlog.TreeHash(n, s)
		must(err)
		treeHashes = append(treeHashes, h)
	}

	big := []int64{31, 32, 33, 63, 64, 65, 70}
	var incl []inclusion
	addIncl := func(t, n int64) {
		p, err := tlog.ProveRecord(t, n, s)
		must(err)
		must(tlog.CheckRecord(p, t, treeHashes[t], n, tlog.RecordHash(leaf(n))))
		incl = append(incl, inclusion{t, n, p})
	}
	for t := int64(1); t <= 16; t++ {
		for n := int64(0); n < t; n++ {
			addIncl(t, n)
		}
	}
	for _, t := range big {
		seen := map[int64]bool{}
		for _, n := range []int64{0, 1, t / 2, t - 2, t - 1} {
			if !seen[n] {
				seen[n] = true
				addIncl(t, n)
			}
		}
	}

	var cons []consistency
	addCons := func(n, t int64) {
		p, err := tlog.ProveTree(t, n, s)
		must(err)
		must(tlog.CheckTree(p, t, treeHashes[t], n, treeHashes[n]))
		cons = append(cons, consistency{n, t, p})
	}
	for t := int64(1); t <= 16; t++ {
		for n := int64(1); n <= t; n++ {
			addCons(n, t)
		}
	}
	for _, t := range big {
		for _, n := range []int64{1, 2, 3, 7, 8, 15, 16, 17, 31, 32, 33, 63, 64, 65, 70} {
			if n <= t {
				addCons(n, t)
			}
		}
	}

	var idx []indexCase
	for level := 0; level <= 6; level++ {
		for n := int64(0); n <= 20; n++ {
			idx = append(idx, indexCase{level, n, tlog.StoredHashIndex(level, n)})
		}
	}
	for _, c := range []struct {
		level int
		n     int64
	}{{0, 1 << 40}, {0, 1<<50 + 12345}, {10, 1<<40 + 3}, {20, 1<<30 - 1}, {40, 1000}, {51, 0}} {
		idx = append(idx, indexCase{c.level, c.n, tlog.StoredHashIndex(c.level, c.n)})
	}
	var split []indexCase
	for x := int64(0); x <= 200; x++ {
		l, n := tlog.SplitStoredHashIndex(x)
		split = append(split, indexCase{l, n, x})
	}
	for _, x := range []int64{1 << 40, 1<<50 + 7, 1<<52 - 1} {
		l, n := tlog.SplitStoredHashIndex(x)
		split = append(split, indexCase{l, n, x})
	}
	var counts []countCase
	for n := int64(0); n <= numLeaves; n++ {
		counts = append(counts, countCase{n, tlog.StoredHashCount(n)})
	}
	for _, n := range []int64{1 << 40, 1<<51 + 99} {
		counts = append(counts, countCase{n, tlog.StoredHashCount(n)})
	}

	// Signed notes: a checkpoint of the 70-leaf tree, signed by the log, and
	// cosigned by a second key.
	logKey, logSigner, logVerifier := makeKey("rngseal.example/test-log", "rngseal test vector: log key")
	witKey, witSigner, witVerifier := makeKey("witness.example/w1", "rngseal test vector: witness key")
	body := fmt.Sprintf("%s\n%d\n%s\n", logKey.Name, numLeaves, treeHashes[numLeaves])
	bodyExt := body + "rngseal-ext: example\n"
	signed, err := note.Sign(&note.Note{Text: body}, logSigner)
	must(err)
	cosigned, err := note.Sign(&note.Note{Text: body}, logSigner, witSigner)
	must(err)
	signedExt, err := note.Sign(&note.Note{Text: bodyExt}, logSigner)
	must(err)
	logOnly := note.VerifierList(logVerifier)
	opened, err := note.Open(cosigned, logOnly)
	must(err)
	both, err := note.Open(cosigned, note.VerifierList(logVerifier, witVerifier))
	must(err)

	// The published example of note.go's package comment and note_test.go.
	peterVKey := "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
	peterSKey := "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
	peterText := "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n"
	ps, err := note.NewSigner(peterSKey)
	must(err)
	peterMsg, err := note.Sign(&note.Note{Text: peterText}, ps)
	must(err)

	sigs := func(list []note.Signature) []map[string]string {
		out := []map[string]string{}
		for _, sg := range list {
			out = append(out, map[string]string{"name": sg.Name, "keyId": fmt.Sprintf("%08x", sg.Hash), "base64": sg.Base64})
		}
		return out
	}

	out := vectors{
		Generator:            "scripts/vectors/tlog/main.go (go run; see scripts/vectors/README.md)",
		Go:                   runtime.Version(),
		Packages:             "golang.org/x/mod/sumdb/tlog, golang.org/x/mod/sumdb/note " + modVersion,
		Hashes:               "base64 (RFC 4648 §4); proofs in RFC 9162 order, leaf side first",
		Leaves:               fmt.Sprintf("leaf i (0 <= i < %d) is the UTF-8 text \"leaf-<i>\"", numLeaves),
		NumLeaves:            numLeaves,
		EmptyTree:            "treeHashes[0] is tlog.TreeHash(0), all zeros; RFC 9162 MTH({}) is SHA-256(\"\")",
		TreeHashes:           treeHashes,
		StoredHashes:         s,
		StoredHashIndex:      idx,
		SplitStoredHashIndex: split,
		StoredHashCount:      counts,
		Inclusion:            incl,
		Consistency:          cons,
		Notes: map[string]any{
			"logKey":                 logKey,
			"witnessKey":             witKey,
			"checkpointBody":         body,
			"signed":                 string(signed),
			"cosigned":               string(cosigned),
			"signedWithExtension":    string(signedExt),
			"openCosignedLogKeyOnly": map[string]any{"verified": sigs(opened.Sigs), "unverified": sigs(opened.UnverifiedSigs)},
			"openCosignedBothKeys":   map[string]any{"verified": sigs(both.Sigs), "unverified": sigs(both.UnverifiedSigs)},
			"mutationsOfSigned": map[string]string{
				"legend": "one character per byte of `signed`: a = note.Open(log key) accepts it with that byte changed, r = rejects",
				"plus1":  mutations(signed, body, func(b byte) byte { return b + 1 }, logOnly),
				"minus1": mutations(signed, body, func(b byte) byte { return b - 1 }, logOnly),
				// xor 0x80 breaks UTF-8 structure as well as values.
				"xor80": mutations(signed, body, func(b byte) byte { return b ^ 0x80 }, logOnly),
			},
			"verifierKeyManglingsAccepted": map[string][]string{
				logKey.VerifierKey: keyManglings(logKey.VerifierKey),
				peterVKey:          keyManglings(peterVKey),
			},
			"peterNeumann": map[string]string{
				"source":      "golang.org/x/mod/sumdb/note: note.go package comment, note_test.go TestSign/TestOpen",
				"verifierKey": peterVKey,
				"signerKey":   peterSKey,
				"text":        peterText,
				"signed":      string(peterMsg),
			},
		},
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	must(enc.Encode(out))
	os.Stdout.Write(buf.Bytes())
}
