/**
 * The service's signed-note key (src/tlog/note-signer.ts, node:crypto)
 * against Go's note.NewSigner / note.Sign: the same signer key text, the same
 * verifier key, and byte-identical signed notes (Ed25519 is deterministic),
 * which the browser verifier then opens.
 */

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fromHex, openNote, parseCheckpoint, parseVerifierKey } from '@rngseal/verifier';
import { formatSignerKey, noteSigner, parseSignerKey, signNote } from '../src/tlog/note-signer.js';

const notes = JSON.parse(readFileSync(new URL('../../verifier/test/vectors/tlog-go.json', import.meta.url), 'utf8')).notes;
const examples = JSON.parse(readFileSync(new URL('../../verifier/test/vectors/signed-note-examples.json', import.meta.url), 'utf8')).go;

describe('signer keys', () => {
  it("formats and parses the signer keys Go built from fixed seeds, deriving Go's verifier keys", () => {
    for (const k of [notes.logKey, notes.witnessKey]) {
      expect(formatSignerKey(k.name, fromHex(k.seedHex))).toBe(k.signerKey);
      const signer = parseSignerKey(k.signerKey);
      expect(signer.verifierKey).toBe(k.verifierKey);
      expect(signer.keyId.toString(16).padStart(8, '0')).toBe(k.keyId);
    }
  });

  it("parses Go's published PeterNeumann signer key (note_test.go) to its published verifier key", () => {
    expect(parseSignerKey(examples.peterSignerKey).verifierKey).toBe(examples.peterVerifierKey);
  });

  it('refuses every substring and every single-byte increment of a signer key (as TestNewSigner), without quoting it', () => {
    const good = notes.logKey.signerKey as string;
    const bad: string[] = [];
    for (let i = 0; i <= good.length; i++) for (let j = i + 1; j <= good.length; j++) if (i !== 0 || j !== good.length) bad.push(good.slice(i, j));
    for (let i = 0; i < good.length; i++) bad.push(good.slice(0, i) + String.fromCharCode(good.charCodeAt(i) + 1) + good.slice(i + 1));
    const secret = good.split('+').slice(4).join('+');
    for (const text of bad) {
      let message = '';
      try {
        parseSignerKey(text);
      } catch (err) {
        expect(err).toBeInstanceOf(TypeError);
        message = (err as Error).message;
      }
      expect(message, text).toMatch(/^signer key: /);
      expect(message).not.toContain(secret.slice(4, 20));
    }
  });

  it('refuses a verifier key given as a signer key, and a wrong seed length', () => {
    expect(() => parseSignerKey(notes.logKey.verifierKey)).toThrow(/^signer key: expected PRIVATE\+KEY/);
    expect(() => noteSigner('log', new Uint8Array(31))).toThrow(/^seed:/);
    expect(() => noteSigner('a log', new Uint8Array(32))).toThrow(/^name:/);
  });
});

describe('signNote', () => {
  it("reproduces Go's note.Sign output byte for byte: signed, cosigned, with an extension line, and PeterNeumann", () => {
    const log = parseSignerKey(notes.logKey.signerKey);
    const witness = parseSignerKey(notes.witnessKey.signerKey);
    expect(signNote(notes.checkpointBody, [log])).toBe(notes.signed);
    expect(signNote(notes.checkpointBody, [log, witness])).toBe(notes.cosigned);
    expect(signNote(`${notes.checkpointBody}rngseal-ext: example\n`, [log])).toBe(notes.signedWithExtension);
    expect(signNote(examples.text, [parseSignerKey(examples.peterSignerKey)])).toBe(examples.signed);
  });

  it('what the service signs, the browser verifier opens', () => {
    const log = noteSigner('rngseal.example/log', new Uint8Array(32).fill(9));
    const body = 'rngseal.example/log\n3\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n';
    const opened = openNote(signNote(body, [log]), [parseVerifierKey(log.verifierKey)]);
    expect(parseCheckpoint(opened.body).size).toBe(3);
  });
});
