/**
 * checkpoint.ts: the C2SP tlog-checkpoint body, strict both ways. Every
 * formatted checkpoint parses back to itself (random cases from a fixed
 * seed), every text that parses formats back to itself, and each "when …"
 * block shows one way a body can be almost right and is refused.
 */

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatCheckpoint, fromBase64, parseCheckpoint, toBase64, utf8, VerifyError, type Checkpoint } from '../src/index.js';

const goNotes = JSON.parse(readFileSync(new URL('./vectors/tlog-go.json', import.meta.url), 'utf8'));
const go = JSON.parse(readFileSync(new URL('./vectors/tlog-go.json', import.meta.url), 'utf8')) as { treeHashes: string[] };
const examples = JSON.parse(readFileSync(new URL('./vectors/signed-note-examples.json', import.meta.url), 'utf8'));

const root = fromBase64('CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=');
const good = 'example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n';

// mulberry32: a fixed seed, so a failure names a case that can be replayed.
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function refused(text: string): VerifyError {
  try {
    parseCheckpoint(text);
  } catch (err) {
    if (err instanceof VerifyError) return err;
    throw err;
  }
  throw new Error(`accepted ${JSON.stringify(text)}`);
}

describe('formatCheckpoint and parseCheckpoint', () => {
  it('parse the C2SP tlog-checkpoint example and format it back', () => {
    const c = parseCheckpoint(good);
    expect(c).toEqual({ origin: 'example.com/behind-the-sofa', size: 20852163, root });
    expect('extensions' in c).toBe(false);
    expect(formatCheckpoint(c)).toBe(good);
    expect(examples.c2sp.checkpoint.note.startsWith(good + '\n')).toBe(true);
  });

  it("parse Go's checkpoint of the 70-leaf tree: size 70 and tlog.TreeHash(70)", () => {
    expect(parseCheckpoint(goNotes.notes.checkpointBody)).toEqual({ origin: 'rngseal.example/test-log', size: 70, root: fromBase64(go.treeHashes[70]!) });
  });

  it('keep extension lines, and origins with spaces (clients must not assume a URL)', () => {
    const c: Checkpoint = { origin: 'rekor.sigstore.dev - 1193050959916656506', size: 0, root, extensions: ['— a note', 'x'] };
    const text = formatCheckpoint(c);
    expect(text).toBe(`rekor.sigstore.dev - 1193050959916656506\n0\n${toBase64(root)}\n— a note\nx\n`);
    expect(parseCheckpoint(text)).toEqual(c);
    // No extensions is spelled by leaving the field out.
    expect(formatCheckpoint({ origin: 'o', size: 1, root, extensions: [] })).toBe(formatCheckpoint({ origin: 'o', size: 1, root }));
  });

  it('property: parse(format(c)) equals c and format(parse(t)) equals t for 500 random checkpoints', () => {
    const rand = prng(20240601);
    const alphabet = ['a', 'Z', '0', '/', '.', '-', ' ', '+', '=', '—', 'é', '\u00a0', '\u2028', '\u007f', '😀', '\ufeff'];
    const line = () => Array.from({ length: 1 + Math.floor(rand() * 12) }, () => alphabet[Math.floor(rand() * alphabet.length)]).join('');
    const sizes = [0, 1, 2 ** 32, Number.MAX_SAFE_INTEGER];
    for (let i = 0; i < 500; i++) {
      const c: Checkpoint = {
        origin: line(),
        size: i < sizes.length ? sizes[i]! : Math.floor(rand() * 2 ** (1 + Math.floor(rand() * 53))),
        root: Uint8Array.from({ length: 32 }, () => Math.floor(rand() * 256)),
      };
      if (rand() < 0.4) c.extensions = Array.from({ length: 1 + Math.floor(rand() * 3) }, line);
      const text = formatCheckpoint(c);
      expect(parseCheckpoint(text), JSON.stringify(text)).toEqual(c);
      expect(formatCheckpoint(parseCheckpoint(text))).toBe(text);
    }
  });

  it('property: every single-byte change of a checkpoint is refused or parses to a different checkpoint', () => {
    const text = formatCheckpoint({ origin: 'rngseal.example/log', size: 1042, root, extensions: ['ext'] });
    const original = parseCheckpoint(text);
    const bytes = utf8(text);
    const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
    for (let i = 0; i < bytes.length; i++) {
      for (let v = 0; v < 256; v++) {
        if (v === bytes[i]) continue;
        const m = bytes.slice();
        m[i] = v;
        let mutated: string;
        try {
          mutated = decoder.decode(m);
        } catch {
          continue; // not UTF-8: the note layer refuses it
        }
        let parsed: Checkpoint;
        try {
          parsed = parseCheckpoint(mutated);
        } catch (err) {
          expect(err).toBeInstanceOf(VerifyError);
          continue;
        }
        expect(parsed, `byte ${i} = ${v}`).not.toEqual(original);
      }
    }
  });
});

describe('parseCheckpoint refuses', () => {
  describe('when the size is not plain decimal', () => {
    it.each(['020852163', '+20852163', '-1', ' 20852163', '20852163 ', '2.0852163e7', '0x13e2e43', '２０', '', '00'])('size %j', (size) => {
      expect(refused(good.replace('20852163', size)).message).toMatch(/size|fewer than three lines|canonical/);
    });

    it('sizes past 2^53 − 1', () => {
      expect(refused(good.replace('20852163', '9007199254740992')).message).toMatch(/beyond 2\^53/);
      expect(parseCheckpoint(good.replace('20852163', '9007199254740991')).size).toBe(Number.MAX_SAFE_INTEGER);
    });
  });

  describe('when the root hash is not 32 bytes of canonical base64', () => {
    it.each([
      ['unpadded', 'CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I'],
      ['non-canonical last digit', 'CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2J='],
      ['URL-safe alphabet', 'CsUYapGGPo4dkMgIAUqom_Xajj7h2fB2MPA3j2jxq2I='],
      ['31 bytes', toBase64(root.slice(1))],
      ['33 bytes', toBase64(new Uint8Array(33))],
      ['hex', '0ac5186a91863e8e1d90c808014aa89bf5da8e3ee1d9f07630f0378f68f1ab62'],
    ])('%s', (_why, b64) => {
      expect(refused(good.replace('CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=', b64)).check).toBe('CHECKPOINT');
    });
  });

  describe('when the lines are wrong', () => {
    it.each([
      ['no final newline', good.slice(0, -1)],
      ['two lines', 'example.com/behind-the-sofa\n20852163\n'],
      ['empty origin', good.replace('example.com/behind-the-sofa', '')],
      ['an empty extension line (a blank line would end the note body)', `${good}\n`],
      ['an empty line between extensions', `${good}a\n\nb\n`],
      ['CRLF line ends', good.replaceAll('\n', '\r\n')],
      ['a tab in the origin', good.replace('behind', 'be\thind')],
      ['a control character in an extension', `${good}ext\u0000\n`],
      ['a lone surrogate in the origin', good.replace('example', 'ex\ud800ample')],
      ['the empty string', ''],
    ])('%s', (_why, text) => {
      expect(refused(text).check).toBe('CHECKPOINT');
    });
  });
});

describe('formatCheckpoint refuses, naming the field', () => {
  it.each([
    ['origin', { origin: '', size: 1, root }],
    ['origin', { origin: 'a\nb', size: 1, root }],
    ['size', { origin: 'o', size: -1, root }],
    ['size', { origin: 'o', size: 1.5, root }],
    ['size', { origin: 'o', size: 2 ** 53, root }],
    ['root', { origin: 'o', size: 1, root: root.slice(1) }],
    ['extensions[1]', { origin: 'o', size: 1, root, extensions: ['a', ''] }],
    ['extensions[0]', { origin: 'o', size: 1, root, extensions: ['a\n'] }],
  ] as const)('%s', (field, c) => {
    expect(() => formatCheckpoint(c as Checkpoint)).toThrow(new RegExp(`^${field.replace(/[[\]]/g, '\\$&')}:`));
  });
});
