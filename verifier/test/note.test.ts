/**
 * note.ts against the published examples (vectors/signed-note-examples.json:
 * Go's note.go / note_test.go and the C2SP specs, each entry naming its
 * source) and against Go's note.Sign / note.Open run by
 * scripts/vectors/tlog/main.go (vectors/tlog-go.json): same keys, same key
 * IDs, byte-identical signed notes, and a rejection wherever Go rejects a
 * mutated note.
 */

import { readFileSync } from 'node:fs';
import { ed25519 } from '@noble/curves/ed25519.js';
import { describe, expect, it } from 'vitest';
import {
  concatBytes,
  formatSignedNote,
  formatVerifierKey,
  fromBase64,
  fromHex,
  isValidKeyName,
  MAX_NOTE_SIGNATURES,
  noteKeyId,
  openNote,
  parseCheckpoint,
  parseVerifierKey,
  toBase64,
  utf8,
  VerifyError,
  type NoteSignature,
  type VerifierKey,
} from '../src/index.js';

const examples = JSON.parse(readFileSync(new URL('./vectors/signed-note-examples.json', import.meta.url), 'utf8'));
const goNotes = JSON.parse(readFileSync(new URL('./vectors/tlog-go.json', import.meta.url), 'utf8')).notes;
const ex = examples.go;

const peter = parseVerifierKey(ex.peterVerifierKey);
const enoch = parseVerifierKey(ex.enochVerifierKey);
const logKey = parseVerifierKey(goNotes.logKey.verifierKey);
const witnessKey = parseVerifierKey(goNotes.witnessKey.verifierKey);

function failure(fn: () => unknown): VerifyError {
  try {
    fn();
  } catch (err) {
    if (err instanceof VerifyError) return err;
    throw err;
  }
  throw new Error('expected a VerifyError');
}

/** Signature as Go lists it: base64(keyID ‖ signature). */
const goForm = (s: NoteSignature) => ({
  name: s.name,
  keyId: s.keyId.toString(16).padStart(8, '0'),
  base64: toBase64(concatBytes(Uint8Array.of(s.keyId >>> 24, (s.keyId >>> 16) & 255, (s.keyId >>> 8) & 255, s.keyId & 255), s.signature)),
});

describe('verifier keys', () => {
  it("parses Go's published PeterNeumann key (note.go, note_test.go)", () => {
    expect(peter.name).toBe('PeterNeumann');
    expect(peter.keyId).toBe(0xc74f20a3);
    expect(peter.publicKey).toEqual(fromBase64('ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW').slice(1));
    expect(noteKeyId('PeterNeumann', peter.publicKey)).toBe(0xc74f20a3);
    expect(formatVerifierKey('PeterNeumann', peter.publicKey)).toBe(ex.peterVerifierKey);
    expect(enoch.keyId).toBe(0xaf0cfe78);
  });

  it('the public key inside Go\'s PeterNeumann signer key is the one in its verifier key', () => {
    const seed = fromBase64(ex.peterSignerKey.split('+').slice(4).join('+')).slice(1);
    expect(ed25519.getPublicKey(seed)).toEqual(peter.publicKey);
  });

  it('agrees with note.NewEd25519VerifierKey on the keys Go made from fixed seeds', () => {
    for (const k of [goNotes.logKey, goNotes.witnessKey]) {
      const publicKey = ed25519.getPublicKey(fromHex(k.seedHex));
      expect(toBase64(publicKey)).toBe(k.publicKeyBase64);
      expect(noteKeyId(k.name, publicKey).toString(16).padStart(8, '0')).toBe(k.keyId);
      expect(formatVerifierKey(k.name, publicKey)).toBe(k.verifierKey);
      expect(parseVerifierKey(k.verifierKey)).toEqual({ name: k.name, keyId: parseInt(k.keyId, 16), publicKey });
    }
  });

  it("refuses note_test.go's bad keys (wrong key length, unknown algorithm, each with a matching key ID)", () => {
    // Go decodes the first leniently and then finds 38 bytes; its last base64 digit already has stray bits.
    expect(() => parseVerifierKey(ex.badVerifierKeys[0].key)).toThrow(/canonical base64|32 bytes/);
    expect(() => parseVerifierKey(ex.badVerifierKeys[1].key)).toThrow(/unknown signature type/);
  });

  it('every substring and every single-byte increment of a good key fails or is another key (Go accepts none either)', () => {
    for (const good of [ex.peterVerifierKey, goNotes.logKey.verifierKey] as string[]) {
      expect(goNotes.verifierKeyManglingsAccepted[good]).toEqual([]);
      const key = parseVerifierKey(good);
      const derived: string[] = [];
      for (let i = 0; i <= good.length; i++) for (let j = i + 1; j <= good.length; j++) if (i !== 0 || j !== good.length) derived.push(good.slice(i, j));
      for (let i = 0; i < good.length; i++) derived.push(good.slice(0, i) + String.fromCharCode(good.charCodeAt(i) + 1) + good.slice(i + 1));
      let accepted = 0;
      for (const text of derived) {
        let parsed: VerifierKey | undefined;
        try {
          parsed = parseVerifierKey(text);
        } catch (err) {
          expect(err).toBeInstanceOf(TypeError);
          expect((err as Error).message).toMatch(/^vkey: /);
        }
        if (parsed) {
          accepted++;
          expect(parsed, text).not.toEqual(key);
        }
      }
      expect(accepted).toBe(0);
    }
  });

  it('is stricter than Go: upper-case hex and surrounding space are refused', () => {
    expect(() => parseVerifierKey(ex.peterVerifierKey.replace('c74f20a3', 'C74F20A3'))).toThrow(/lower-case hex/);
    // (33 bytes of key data fill 44 base64 digits exactly: no spare bits to re-spell.)
    expect(() => parseVerifierKey(`${ex.peterVerifierKey}=`)).toThrow(/canonical base64/);
    expect(() => parseVerifierKey(`${ex.peterVerifierKey}\n`)).toThrow(TypeError);
    expect(() => parseVerifierKey(` ${ex.peterVerifierKey}`)).toThrow(TypeError);
  });

  describe('key names', () => {
    it.each(['example.com/log', 'PeterNeumann', 'em—dash', 'zero\u200bwidth', 'bom\ufeff', '🔑'])('accepts %j', (name) => {
      expect(isValidKeyName(name)).toBe(true);
      expect(parseVerifierKey(formatVerifierKey(name, peter.publicKey)).name).toBe(name);
    });

    it.each(['', 'a b', 'a+b', 'tab\t', 'nbsp\u00a0', 'nel\u0085', 'line\u2028sep', 'ideographic\u3000', 'ctl\u0001', 'lone\ud800'])(
      'refuses %j (empty, Unicode White_Space, "+", control, lone surrogate)',
      (name) => {
        expect(isValidKeyName(name)).toBe(false);
        expect(() => formatVerifierKey(name, peter.publicKey)).toThrow(/^name:/);
      },
    );
  });
});

describe('openNote on the Go examples', () => {
  it('opens the PeterNeumann note (note.go package comment)', () => {
    const note = openNote(ex.signed, [peter]);
    expect(note.body).toBe(ex.text);
    expect(note.verified.map(goForm)).toEqual([{ name: 'PeterNeumann', keyId: 'c74f20a3', base64: ex.peterSignatureLine.split(' ')[2].trim() }]);
    expect(note.unverified).toEqual([]);
    expect(goNotes.peterNeumann.signed).toBe(ex.signed);
  });

  it('sets aside the signature of a key it was not given (TestOpen)', () => {
    const one = openNote(ex.doublySigned, [peter]);
    expect(one.verified.map((s) => s.name)).toEqual(['PeterNeumann']);
    expect(one.unverified.map(goForm)).toEqual([{ name: 'EnochRoot', keyId: 'af0cfe78', base64: ex.enochSignatureLine.split(' ')[2].trim() }]);
    const both = openNote(ex.doublySigned, [enoch, peter]);
    expect(both.verified.map((s) => s.name)).toEqual(['PeterNeumann', 'EnochRoot']);
    expect(both.unverified).toEqual([]);
  });

  it('refuses a note no given key signed, naming the signers', () => {
    const err = failure(() => openNote(ex.doublySigned, []));
    expect(err.check).toBe('CHECKPOINT');
    expect(err.message).toBe('signed note: no signature from a known key (signed by PeterNeumann+c74f20a3, EnochRoot+af0cfe78)');
  });

  it('refuses a key matching name but not key ID, or key ID but not name (spec: MUST ignore)', () => {
    const otherKey = parseVerifierKey(formatVerifierKey('PeterNeumann', enoch.publicKey));
    expect(() => openNote(ex.signed, [otherKey])).toThrow(/no signature from a known key/);
    expect(() => openNote(ex.signed, [{ ...peter, name: 'PeterNeumann2' }])).toThrow(/no signature from a known key/);
  });

  it.each(ex.badMessages.map((m: { note: string; why: string }) => [m.why, m.note]))("refuses TestOpen's bad message: %s", (_why, note) => {
    expect(failure(() => openNote(note as string, [peter])).check).toBe('CHECKPOINT');
  });

  it('refuses invalid UTF-8 bytes', () => {
    expect(() => openNote(fromHex(ex.badMessageBytesHex[0].hex), [peter])).toThrow('signed note: not valid UTF-8');
  });

  it('refuses the whole note when a known key\'s signature fails (TestOpen "Invalid signature")', () => {
    expect(() => openNote(ex.invalidSignature, [peter])).toThrow('signed note: invalid signature for key PeterNeumann+c74f20a3');
    expect(() => openNote(`${ex.signed.slice(0, -1)}\n${ex.enochSignatureLine}`.replace('x08go/ZJ', 'x08go/ZK'), [peter, enoch])).toThrow(
      /invalid signature for key PeterNeumann/,
    );
  });

  it('keeps one signature per known key and drops repeated unknown lines (TestOpen "Duplicated")', () => {
    const abcd = ex.enochSignatureLine.slice(0, 60) + 'ABCD' + ex.enochSignatureLine.slice(60);
    const note = openNote(ex.text + '\n' + ex.peterSignatureLine + ex.peterSignatureLine + ex.enochSignatureLine + ex.enochSignatureLine + abcd, [peter]);
    expect(note.verified.map((s) => s.name)).toEqual(['PeterNeumann']);
    expect(note.unverified.map((s) => goForm(s).base64)).toEqual([ex.enochSignatureLine, abcd].map((l: string) => l.split(' ')[2]!.trim()));
  });

  it(`accepts ${MAX_NOTE_SIGNATURES} signature lines and refuses ${MAX_NOTE_SIGNATURES + 1}, known keys or not`, () => {
    expect(openNote(ex.text + '\n' + ex.peterSignatureLine.repeat(100), [peter]).verified).toHaveLength(1);
    expect(() => openNote(ex.text + '\n' + ex.peterSignatureLine.repeat(101), [peter])).toThrow(/more than 100 signatures/);
    expect(() => openNote(ex.text + '\n' + ex.peterSignatureLine.repeat(101), [])).toThrow(/more than 100 signatures/);
  });

  it('refuses two different given keys with the same name and key ID; the same key twice is fine', () => {
    const impostor = { ...peter, publicKey: enoch.publicKey };
    expect(() => openNote(ex.signed, [peter, impostor])).toThrow('signed note: ambiguous key PeterNeumann+c74f20a3: two different keys given');
    expect(openNote(ex.signed, [peter, { ...peter }]).verified).toHaveLength(1);
  });

  it('reads bytes exactly as text, and keeps a leading byte-order mark as part of the signed body', () => {
    expect(openNote(utf8(ex.signed), [peter])).toEqual(openNote(ex.signed, [peter]));
    const bom = concatBytes(Uint8Array.of(0xef, 0xbb, 0xbf), utf8(ex.signed));
    expect(() => openNote(bom, [peter])).toThrow(/invalid signature/);
  });

  it('refuses a string with a lone surrogate (its UTF-8 would not be the signed bytes)', () => {
    expect(() => openNote(`\ud800${ex.signed}`, [peter])).toThrow(/well-formed/);
  });
});

describe('the C2SP spec examples (no verifier key is published for them)', () => {
  it('signed-note: the body keeps its inner blank line; the note is refused for want of a known key', () => {
    const c = examples.c2sp.signedNote;
    expect(() => openNote(c.note, [])).toThrow(/no signature from a known key \(signed by quasimodo\.example\/salvatore\+[0-9a-f]{8}\)/);
    // Same body signed with a key we hold: the separator is the last blank line.
    const seed = new Uint8Array(32).fill(7);
    const key = parseVerifierKey(formatVerifierKey('quasimodo.example/salvatore', ed25519.getPublicKey(seed)));
    const note = formatSignedNote(c.body, [{ name: key.name, keyId: key.keyId, signature: ed25519.sign(utf8(c.body), seed) }]);
    expect(openNote(note, [key]).body).toBe(c.body);
  });

  it('tlog-checkpoint: the body parses; the note is refused for want of a known key', () => {
    const c = examples.c2sp.checkpoint;
    expect(() => openNote(c.note, [])).toThrow(/signed by example\.com\/behind-the-sofa\+/);
    const body = c.note.slice(0, c.note.lastIndexOf('\n\n') + 1);
    expect(parseCheckpoint(body)).toEqual({ origin: c.origin, size: c.size, root: fromBase64(c.rootBase64) });
  });
});

describe("Go's note.Sign and note.Open (vectors/tlog-go.json)", () => {
  const sign = (k: { name: string; seedHex: string; keyId: string }, body: string): NoteSignature => ({
    name: k.name,
    keyId: parseInt(k.keyId, 16),
    signature: ed25519.sign(utf8(body), fromHex(k.seedHex)),
  });

  it('formatSignedNote with the same keys reproduces the signed, cosigned and extended checkpoints byte for byte', () => {
    const body = goNotes.checkpointBody as string;
    expect(formatSignedNote(body, [sign(goNotes.logKey, body)])).toBe(goNotes.signed);
    expect(formatSignedNote(body, [sign(goNotes.logKey, body), sign(goNotes.witnessKey, body)])).toBe(goNotes.cosigned);
    const ext = `${body}rngseal-ext: example\n`;
    expect(formatSignedNote(ext, [sign(goNotes.logKey, ext)])).toBe(goNotes.signedWithExtension);
  });

  it('openNote lists the same verified and unverified signatures as note.Open', () => {
    const logOnly = openNote(goNotes.cosigned, [logKey]);
    expect(logOnly.body).toBe(goNotes.checkpointBody);
    expect({ verified: logOnly.verified.map(goForm), unverified: logOnly.unverified.map(goForm) }).toEqual(goNotes.openCosignedLogKeyOnly);
    const both = openNote(goNotes.cosigned, [witnessKey, logKey]);
    expect({ verified: both.verified.map(goForm), unverified: both.unverified.map(goForm) }).toEqual(goNotes.openCosignedBothKeys);
  });

  it("rejects every single-byte mutation Go rejects; accepts none, where Go accepts only re-spelled base64", () => {
    const signed = utf8(goNotes.signed);
    const sigStart = goNotes.signed.lastIndexOf(' ') + 1;
    const sigStartByte = utf8(goNotes.signed.slice(0, sigStart)).length;
    const changes: Record<string, (b: number) => number> = {
      plus1: (b) => (b + 1) & 255,
      minus1: (b) => (b + 255) & 255,
      xor80: (b) => b ^ 0x80,
    };
    for (const [kind, change] of Object.entries(changes)) {
      const goResult = goNotes.mutationsOfSigned[kind] as string;
      expect(goResult).toHaveLength(signed.length);
      expect(goResult).not.toContain('A');
      for (let i = 0; i < signed.length; i++) {
        const m = signed.slice();
        m[i] = change(m[i]!);
        let ours: 'a' | 'r' = 'a';
        try {
          expect(openNote(m, [logKey]).body, `${kind} at ${i}`).toBe(goNotes.checkpointBody);
        } catch (err) {
          expect(err).toBeInstanceOf(VerifyError);
          ours = 'r';
        }
        if (goResult[i] === 'r') expect(ours, `${kind} at byte ${i}: Go rejects`).toBe('r');
        else {
          // Go's lenient base64 reads the same bytes from a digit whose unused
          // low bits changed; one note, one spelling here.
          expect(ours, `${kind} at byte ${i}`).toBe('r');
          expect(i, `${kind} at byte ${i}`).toBeGreaterThanOrEqual(sigStartByte);
          const b64 = new TextDecoder().decode(m.slice(sigStartByte, -1));
          expect(() => fromBase64(b64)).toThrow(/non-canonical/);
        }
      }
    }
  });
});

describe('formatSignedNote refuses what openNote would refuse', () => {
  const sig = { name: 'PeterNeumann', keyId: 0xc74f20a3, signature: new Uint8Array(64) };
  it.each([
    ['body without a final newline', 'text', [sig], /^body: must end with a newline/],
    ['body with a carriage return', 'a\r\n', [sig], /^body: control/],
    ['body with a lone surrogate', '\udc00\n', [sig], /^body: not well-formed/],
    ['no signatures', 'a\n', [], /^signatures: at least one/],
    ['101 signatures', 'a\n', Array.from({ length: 101 }, (_, i) => ({ ...sig, keyId: i })), /^signatures: at most 100/],
    ['a name with a space', 'a\n', [{ ...sig, name: 'Peter Neumann' }], /^signatures\[0\]\.name:/],
    ['a key ID past 32 bits', 'a\n', [{ ...sig, keyId: 2 ** 32 }], /^signatures\[0\]\.keyId:/],
    ['an empty signature', 'a\n', [{ ...sig, signature: new Uint8Array(0) }], /^signatures\[0\]\.signature:/],
    ['two signatures by one key', 'a\n', [sig, sig], /^signatures\[1\]: a second signature by PeterNeumann\+c74f20a3/],
  ] as const)('%s', (_why, body, signatures, message) => {
    expect(() => formatSignedNote(body, signatures as NoteSignature[])).toThrow(message);
  });

  it('allows blank lines inside the body, as the spec does', () => {
    expect(formatSignedNote('a\n\nb\n', [sig])).toMatch(/^a\n\nb\n\n— PeterNeumann /);
  });
});

describe('property: a single-byte change to a signed checkpoint never opens to the same checkpoint', () => {
  it('every byte of the extended checkpoint note, changed by each single-bit flip and by ±1', () => {
    const original = parseCheckpoint(openNote(goNotes.signedWithExtension, [logKey]).body);
    const bytes = utf8(goNotes.signedWithExtension);
    let opened = 0;
    for (let i = 0; i < bytes.length; i++) {
      for (const change of [1, 2, 4, 8, 16, 32, 64, 128].map((bit) => (b: number) => b ^ bit).concat([(b) => (b + 1) & 255, (b) => (b + 255) & 255])) {
        const m = bytes.slice();
        m[i] = change(m[i]!);
        let body: string;
        try {
          body = openNote(m, [logKey]).body;
        } catch (err) {
          expect(err).toBeInstanceOf(VerifyError);
          continue;
        }
        opened++;
        let parsed;
        try {
          parsed = parseCheckpoint(body);
        } catch {
          continue;
        }
        expect(parsed, `byte ${i}`).not.toEqual(original);
      }
    }
    expect(opened).toBe(0);
  });
});
