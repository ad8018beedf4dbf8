/**
 * docs/vectors.json, the published protocol vectors: the committed file must
 * be exactly what scripts/vectors/make-vectors.mjs generates (so it is never
 * edited by hand or left stale), and every case must check with the
 * TypeScript verifier: valid records verify, invalid ones fail at the stated
 * check, streams, uniform and mappings recompute, Merkle roots and proofs
 * check, the checkpoint note opens.
 *
 * The generator runs on verifier/dist (run `npx tsc -b` first); the checks
 * below run on verifier/src. Regenerate: `npx tsc -b && node scripts/vectors/make-vectors.mjs`.
 */

import { createPublicKey, verify as nodeVerify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
// @ts-expect-error -- plain ESM script without type declarations
import { makeVectors, OUTPUT } from '../../scripts/vectors/make-vectors.mjs';
import {
  canonicalize,
  ChainAuditor,
  checkConsistency,
  checkInclusion,
  checkRecordSignature,
  computeDraws,
  deriveStream,
  formatCheckpoint,
  formatVerifierKey,
  fromHex,
  keyId,
  leafHash,
  mappingById,
  MAPPINGS,
  nobleVerify,
  nodeHash,
  noteKeyId,
  openNote,
  parseCheckpoint,
  parseRecord,
  parseVerifierKey,
  recordHash,
  rootFromLeafHashes,
  signingMessage,
  toBase64,
  toHex,
  uniform,
  utf8,
  VerifyError,
} from '../src/index.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Case = { name: string; valid: boolean; comment: string; [k: string]: any };

const FILE = new URL('../../docs/vectors.json', import.meta.url);
const text = readFileSync(FILE, 'utf8');
const vectors = JSON.parse(text) as any;

// node:crypto (OpenSSL), independent of @noble: a raw Ed25519 key wrapped in its SPKI DER prefix.
const opensslVerify = (publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean =>
  nodeVerify(null, message, createPublicKey({ key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), publicKey]), format: 'der', type: 'spki' }), signature);

const label = (c: Case): string => `${c.name} (${c.comment})`;
const hashes = (list: string[]): Uint8Array[] => list.map((h) => fromHex(h));

describe('docs/vectors.json', () => {
  it('is exactly what scripts/vectors/make-vectors.mjs generates', () => {
    expect(OUTPUT.replace(/\\/g, '/').endsWith('docs/vectors.json')).toBe(true);
    const fresh = `${JSON.stringify(makeVectors(), null, 2)}\n`;
    expect(text, 'docs/vectors.json is stale: run `npx tsc -b && node scripts/vectors/make-vectors.mjs`').toBe(fresh);
  });

  it('has the top-level fields and every case named, marked and explained', () => {
    expect(vectors.protocol).toBe(1);
    expect(vectors.generator).toBe('scripts/vectors/make-vectors.mjs');
    const sections = ['records', 'streams', 'uniform', 'mappings', 'checkpoint'];
    const all: Case[] = [
      ...sections.flatMap((s) => vectors[s].cases as Case[]),
      ...vectors.merkle.roots,
      ...vectors.merkle.inclusion,
      ...vectors.merkle.consistency,
    ];
    for (const s of sections) expect(vectors[s].cases.length, s).toBeGreaterThan(0);
    const names = new Set<string>();
    for (const c of all) {
      expect(typeof c.name === 'string' && c.name.length > 0, JSON.stringify(c).slice(0, 80)).toBe(true);
      expect(typeof c.valid, c.name).toBe('boolean');
      expect(typeof c.comment === 'string' && c.comment.length > 0, c.name).toBe(true);
      expect(names.has(c.name), `duplicate case name ${c.name}`).toBe(false);
      names.add(c.name);
    }
  });

  it('the signer key is the one the records name', () => {
    const { signer } = vectors;
    expect(keyId(fromHex(signer.publicKey))).toBe(signer.keyId);
  });

  describe('records', () => {
    const cases = vectors.records.cases as Case[];
    const valid = cases.filter((c) => c.valid);
    const invalid = cases.filter((c) => !c.valid);

    it('has every record type, and invalid cases', () => {
      for (const type of ['boot', 'commit', 'outcome', 'reveal', 'checkpoint']) {
        expect(valid.some((c) => c.type === type), type).toBe(true);
      }
      expect(valid.some((c) => c.type === 'outcome' && JSON.parse(c.text).body.epoch === null), 'direct outcome').toBe(true);
      expect(valid.some((c) => c.type === 'outcome' && JSON.parse(c.text).body.epoch !== null), 'seeded outcome').toBe(true);
      expect(invalid.length).toBeGreaterThan(0);
    });

    it.each(valid.map((c) => [c.name, c]))('%s verifies', (_name, c) => {
      const record = parseRecord(c.text);
      const { hash: _h, sig: _s, ...unsigned } = record;
      expect(canonicalize(unsigned), label(c)).toBe(c.unsignedCanonical);
      const hash = recordHash(record);
      expect(toHex(hash), label(c)).toBe(c.hash);
      expect(toHex(signingMessage(hash)), label(c)).toBe(c.signingMessage);
      expect(c.signingMessage.startsWith(toHex(utf8('rngseal/record/v1\n'))), label(c)).toBe(true);
      expect(keyId(fromHex(c.publicKey)), label(c)).toBe(c.keyId);
      expect(record.key, label(c)).toBe(c.keyId);
      expect(record.sig, label(c)).toBe(c.sig);
      expect(() => checkRecordSignature(record, fromHex(c.publicKey), nobleVerify), label(c)).not.toThrow();
    });

    it('record and note signatures also verify with node:crypto (OpenSSL), and the flipped one does not', () => {
      for (const c of cases) {
        const ok = opensslVerify(fromHex(c.publicKey), signingMessage(fromHex(c.hash)), fromHex(JSON.parse(c.text).sig));
        expect(ok, label(c)).toBe(c.valid || c.failsAt !== 'SIGNATURE');
      }
      for (const c of vectors.checkpoint.cases as Case[]) {
        expect(opensslVerify(fromHex(c.publicKey), utf8(c.body), fromHex(c.signature)), label(c)).toBe(true);
      }
    });

    it('the valid records form one chain that audits clean under the signer key', () => {
      const auditor = new ChainAuditor({ keys: [fromHex(vectors.signer.publicKey)] });
      for (const c of valid) {
        try {
          auditor.push(parseRecord(c.text), c.text);
        } catch (err) {
          throw new Error(`${label(c)}: ${(err as Error).message}`, { cause: err });
        }
      }
      const report = auditor.finish();
      expect(report.records).toBe(valid.length);
      expect(report.epochsRevealed).toBe(1);
      expect(report.checkpointRootsRecomputed).toBe(1);
    });

    it.each(invalid.map((c) => [c.name, c]))('%s fails', (_name, c) => {
      expect(['FORMAT', 'HASH', 'SIGNATURE'], label(c)).toContain(c.failsAt);
      let failed: unknown;
      try {
        const record = parseRecord(c.text);
        checkRecordSignature(record, fromHex(c.publicKey), nobleVerify);
      } catch (err) {
        failed = err;
      }
      expect(failed, `${label(c)}: expected to fail`).toBeInstanceOf(VerifyError);
      expect((failed as VerifyError).check, label(c)).toBe(c.failsAt);
    });
  });

  describe('streams', () => {
    it.each((vectors.streams.cases as Case[]).map((c) => [c.name, c]))('%s', (_name, c) => {
      const stream = deriveStream(fromHex(c.key), c.clientSeed, c.nonce);
      const bytes = Uint8Array.from({ length: 32 * c.blocks.length }, () => stream.next());
      expect(toHex(bytes), label(c)).toBe(c.blocks.join(''));
      expect(c.message0, label(c)).toBe(`${c.clientSeed}:${c.nonce}:0`);
    });

    it('the §5.2 example begins 51076a84', () => {
      const c = (vectors.streams.cases as Case[]).find((x) => x.name === 'spec example (§5.1)')!;
      expect(c.blocks[0].startsWith('51076a84'), label(c)).toBe(true);
    });
  });

  describe('uniform', () => {
    it('covers the tricky n', () => {
      const ns = new Set((vectors.uniform.cases as Case[]).map((c) => c.n));
      for (const n of [1, 2, 3, 6, 255, 256, 257, 2 ** 32, 2 ** 52, 2 ** 53]) expect(ns.has(n), String(n)).toBe(true);
    });

    it.each((vectors.uniform.cases as Case[]).map((c) => [c.name, c]))('%s', (_name, c) => {
      const stream = deriveStream(fromHex(c.key), c.clientSeed, c.nonce);
      const results = Array.from({ length: c.calls }, () => uniform(stream, c.n));
      expect(results, label(c)).toEqual(c.results);
      expect(stream.used, label(c)).toBe(c.bytesUsed);
      for (const r of results) expect(r >= 0 && r < c.n, label(c)).toBe(true);
    });
  });

  describe('mappings', () => {
    it('covers every mapping', () => {
      const ids = new Set((vectors.mappings.cases as Case[]).map((c) => c.mapping));
      for (const m of MAPPINGS) expect(ids.has(m.id), m.id).toBe(true);
    });

    it.each((vectors.mappings.cases as Case[]).map((c) => [c.name, c]))('%s', (_name, c) => {
      const mapping = mappingById(c.mapping);
      expect(mapping, label(c)).toBeDefined();
      expect(mapping!.validate(c.params), label(c)).toBeNull();
      const [draw] = computeDraws(fromHex(c.key), c.clientSeed, c.nonce, [{ mapping: c.mapping, params: c.params }]);
      expect(draw!.result, label(c)).toEqual(c.result);
    });
  });

  describe('merkle', () => {
    const m = vectors.merkle;
    const leafHashes = hashes(m.leafHashes);

    it('leaf hashes and the first node hash recompute', () => {
      expect(m.leaves.map((l: string) => toHex(leafHash(utf8(l))))).toEqual(m.leafHashes);
      expect(toHex(nodeHash(leafHashes[0]!, leafHashes[1]!))).toBe(m.node01);
    });

    it.each((m.roots as Case[]).map((c) => [c.name, c]))('%s', (_name, c) => {
      const root = rootFromLeafHashes(leafHashes.slice(0, c.size));
      expect(toHex(root), label(c)).toBe(c.root);
      expect(toBase64(root), label(c)).toBe(c.rootBase64);
    });

    it('roots of "leaf-0" … "leaf-7" equal Go tlog.TreeHash (verifier/test/vectors/tlog-go.json)', () => {
      const go = JSON.parse(readFileSync(new URL('./vectors/tlog-go.json', import.meta.url), 'utf8')) as { treeHashes: string[] };
      for (const c of m.roots as Case[]) {
        if (c.size < 1 || c.size > 8) continue;
        expect(m.leaves.slice(0, c.size), label(c)).toEqual(Array.from({ length: c.size }, (_, i) => `leaf-${i}`));
        expect(c.rootBase64, label(c)).toBe(go.treeHashes[c.size]);
      }
    });

    it.each((m.inclusion as Case[]).map((c) => [c.name, c]))('%s', (_name, c) => {
      expect(c.leafHash, label(c)).toBe(m.leafHashes[c.index]);
      expect(c.root, label(c)).toBe(m.roots.find((r: Case) => r.size === c.size)?.root);
      expect(
        () => checkInclusion({ index: c.index, size: c.size, leafHash: fromHex(c.leafHash), proof: hashes(c.proof), root: fromHex(c.root) }),
        label(c),
      ).not.toThrow();
    });

    it.each((m.consistency as Case[]).map((c) => [c.name, c]))('%s', (_name, c) => {
      expect(toHex(rootFromLeafHashes(leafHashes.slice(0, c.size1))), label(c)).toBe(c.root1);
      expect(toHex(rootFromLeafHashes(leafHashes.slice(0, c.size2))), label(c)).toBe(c.root2);
      expect(
        () => checkConsistency({ size1: c.size1, root1: fromHex(c.root1), size2: c.size2, root2: fromHex(c.root2), proof: hashes(c.proof) }),
        label(c),
      ).not.toThrow();
    });
  });

  describe('checkpoint', () => {
    it.each((vectors.checkpoint.cases as Case[]).map((c) => [c.name, c]))('%s: the note opens under the vkey', (_name, c) => {
      const publicKey = fromHex(c.publicKey);
      expect(formatVerifierKey(c.origin, publicKey), label(c)).toBe(c.vkey);
      const vkey = parseVerifierKey(c.vkey);
      expect(vkey.keyId.toString(16).padStart(8, '0'), label(c)).toBe(c.noteKeyId);
      expect(noteKeyId(c.origin, publicKey), label(c)).toBe(vkey.keyId);
      expect(formatCheckpoint({ origin: c.origin, size: c.size, root: fromHex(c.root) }), label(c)).toBe(c.body);
      const opened = openNote(c.note, [vkey]);
      expect(opened.body, label(c)).toBe(c.body);
      expect(opened.verified.length, label(c)).toBe(1);
      expect(toHex(opened.verified[0]!.signature), label(c)).toBe(c.signature);
      const checkpoint = parseCheckpoint(opened.body);
      expect(checkpoint.origin, label(c)).toBe(c.origin);
      expect(checkpoint.size, label(c)).toBe(c.size);
      expect(toHex(checkpoint.root), label(c)).toBe(vectors.merkle.roots.find((r: Case) => r.size === c.size)?.root);
    });

    it('a note with one changed byte does not open', () => {
      const c = vectors.checkpoint.cases[0] as Case;
      const tampered = c.note.replace(`\n${c.size}\n`, `\n${c.size + 1}\n`);
      expect(tampered).not.toBe(c.note);
      expect(() => openNote(tampered, [parseVerifierKey(c.vkey)]), label(c)).toThrow(VerifyError);
    });
  });
});
