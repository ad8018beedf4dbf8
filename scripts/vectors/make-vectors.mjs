#!/usr/bin/env node
/**
 * Writes docs/vectors.json: protocol test vectors for third-party verifiers
 * (docs/PROTOCOL.md), computed with the compiled reference verifier
 * (verifier/dist, so run `npx tsc -b` first).
 *
 * Deterministic: no randomness, no clock. Keys come from fixed seeds, and
 * Ed25519 signing (RFC 8032) is deterministic, so every run writes the same
 * bytes. verifier/test/vectors-doc.test.ts regenerates the vectors in memory
 * with makeVectors() and requires docs/vectors.json to equal them.
 *
 *   npx tsc -b && node scripts/vectors/make-vectors.mjs            # writes docs/vectors.json
 *   node scripts/vectors/make-vectors.mjs --stdout                 # prints instead
 */

import { writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ed25519 } from '@noble/curves/ed25519.js';
import { sha256 } from '@noble/hashes/sha2.js';
import {
  canonicalize,
  commitmentOf,
  computeDraws,
  deriveStream,
  encodeRecord,
  formatCheckpoint,
  formatSignedNote,
  formatVerifierKey,
  GENESIS_PREV,
  keyId,
  leafHash,
  MAPPINGS,
  nobleMac,
  noteKeyId,
  recordHash,
  rootFromLeafHashes,
  nodeHash,
  signingMessage,
  toBase64,
  toHex,
  uniform,
  utf8,
} from '../../verifier/dist/index.js';

export const OUTPUT = fileURLToPath(new URL('../../docs/vectors.json', import.meta.url));

/** bytes start, start + 1, …, start + 31 (mod 256) */
const seq32 = (start) => Uint8Array.from({ length: 32 }, (_, i) => (start + i) & 255);

/** The log's signing key: Ed25519 seed 0x01 0x02 … 0x20. */
const SIGNING_SEED = seq32(0x01);
const CHAIN = 'vectors-1';
const ORIGIN = `rngseal/${CHAIN}`;
const T0 = 1767225600000; // 2026-01-01T00:00:00Z
const SERVER_SEED = seq32(0x40);
const ENTROPY = seq32(0x80);
const EPOCH = '0123456789abcdef0123456789abcdef';

const SPEC_KEY = seq32(0x00); // the key of the example in PROTOCOL.md §5.2

/** JSON cannot carry 2^53 as anything but a number; all values here are safe or exactly 2^53. */
export function makeVectors() {
  const publicKey = ed25519.getPublicKey(SIGNING_SEED);
  const signer = { seed: toHex(SIGNING_SEED), publicKey: toHex(publicKey), keyId: keyId(publicKey) };
  const records = makeRecords(publicKey);
  const merkle = makeMerkle();
  return {
    protocol: 1,
    generator: 'scripts/vectors/make-vectors.mjs',
    comment:
      'Test vectors for docs/PROTOCOL.md, computed by the reference verifier (verifier/). Byte strings are lower-case hex unless a field says base64; ' +
      'strings are JSON strings (their UTF-8 is what is hashed). Every case has name, valid and comment. Regenerate with `npx tsc -b && node scripts/vectors/make-vectors.mjs`.',
    signer: {
      ...signer,
      comment: 'Ed25519 (RFC 8032) key from the 32-byte seed 0x01..0x20; signs every record and the checkpoint note. Never use a published seed for anything real.',
    },
    records,
    streams: makeStreams(),
    uniform: makeUniform(),
    mappings: makeMappings(),
    merkle,
    checkpoint: makeCheckpoint(publicKey, merkle),
  };
}

// ---------------------------------------------------------------- records §1–§4

function sign(unsigned) {
  const hash = recordHash(unsigned);
  const message = signingMessage(hash);
  const sig = ed25519.sign(message, SIGNING_SEED);
  const record = { ...unsigned, hash: toHex(hash), sig: toHex(sig) };
  return { record, hash, message };
}

function makeRecords(publicKey) {
  const key = keyId(publicKey);
  const cases = [];
  let prev = GENESIS_PREV;
  const append = (name, type, body, comment) => {
    const seq = cases.length;
    const unsigned = { v: 1, chain: CHAIN, seq, time: T0 + seq * 1000, type, prev, key, body };
    const { record, hash, message } = sign(unsigned);
    prev = record.hash;
    cases.push({
      name,
      valid: true,
      comment,
      type,
      seq,
      text: encodeRecord(record),
      unsignedCanonical: canonicalize(unsigned),
      hash: record.hash,
      signingMessage: toHex(message),
      sig: record.sig,
      publicKey: toHex(publicKey),
      keyId: key,
    });
    return record;
  };

  append(
    'boot',
    'boot',
    {
      software: { name: 'rngseal', version: '0.1.0', digest: toHex(sha256(utf8('vectors software'))) },
      config: toHex(sha256(utf8('vectors config'))),
      sources: [
        {
          kind: 'test',
          description: 'JCS escapes: quote " backslash \\ tab \t newline \n U+0001 \u0001 U+007F \u007f é € 🎲 U+2028 \u2028',
          state: 'ok',
          // Code-point order puts U+E000 before U+1F600; UTF-16 order (RFC 8785) puts U+1F600 (D83D DE00) first.
          '\uE000': 1,
          '\u{1F600}': 2,
          é: 3,
          Z: 4,
          a: [true, false, null, 0, -1, 9007199254740991, -9007199254740991, ''],
        },
      ],
      publicKey: toHex(publicKey),
    },
    'seq 0: boot announces the public key; its key id is the first 8 bytes of SHA-256(publicKey). The source object exercises JCS: escapes, non-ASCII, and member names whose UTF-16 order (U+1F600 before U+E000) differs from code-point order.',
  );
  append(
    'commit',
    'commit',
    { epoch: EPOCH, commitment: commitmentOf(SERVER_SEED), expires: null, request: 'req-commit-1', previous: null },
    'seq 1: commitment = SHA-256(server seed); the seed (bytes 0x40..0x5f) is published in the reveal record.',
  );
  const seeded1 = computeDraws(SERVER_SEED, 'player:seed:ü🎲', 0, [
    { mapping: 'dice@1', params: { count: 2, sides: 6 } },
    { mapping: 'range@1', params: { min: -5, max: 5 } },
  ]);
  append(
    'outcome seeded',
    'outcome',
    { request: 'req-outcome-1', epoch: EPOCH, clientSeed: 'player:seed:ü🎲', entropy: null, draws: seeded1 },
    'seq 2: seeded outcome, key = server seed of the epoch, nonces 0 and 1; the client seed contains ":" and non-ASCII.',
  );
  const seeded2 = computeDraws(SERVER_SEED, 'another-seed', 2, [{ mapping: 'shuffle@1', params: { n: 10 } }]);
  append(
    'outcome seeded, second',
    'outcome',
    { request: 'req-outcome-2', epoch: EPOCH, clientSeed: 'another-seed', entropy: null, draws: seeded2 },
    'seq 3: the epoch nonce count continues across records: nonce 2.',
  );
  const direct = computeDraws(ENTROPY, '', 0, [
    { mapping: 'weighted@1', params: { weights: [1, 0, 3] } },
    { mapping: 'float@1', params: {} },
    { mapping: 'draw@1', params: { n: 80, k: 5 } },
  ]);
  append(
    'outcome direct',
    'outcome',
    { request: 'req-outcome-3', epoch: null, clientSeed: '', entropy: toHex(ENTROPY), draws: direct },
    'seq 4: direct outcome, key = the recorded entropy (bytes 0x80..0x9f), draw i has nonce i, empty client seed.',
  );
  append(
    'reveal',
    'reveal',
    { epoch: EPOCH, seed: toHex(SERVER_SEED), reason: 'request', nonces: 3 },
    'seq 5: SHA-256(seed) equals the commitment of seq 1; the epoch served 3 nonces (seq 2: 0, 1; seq 3: 2).',
  );
  // A checkpoint over records 0..5 (§8.4): size = its own seq.
  const leafHashes = cases.map((c) => leafHash(utf8(c.text)));
  const root = rootFromLeafHashes(leafHashes);
  const body = formatCheckpoint({ origin: ORIGIN, size: cases.length, root });
  const note = formatSignedNote(body, [{ name: ORIGIN, keyId: noteKeyId(ORIGIN, publicKey), signature: ed25519.sign(utf8(body), SIGNING_SEED) }]);
  append(
    'checkpoint',
    'checkpoint',
    { size: cases.length, root: toBase64(root), note },
    `seq 6: checkpoint over records 0..5: root = MTH of their stored forms (§8.1), note signed under origin ${ORIGIN} (§8.4).`,
  );

  // Invalid cases, each a valid record's text changed once.
  const invalid = (name, base, text, failsAt, comment) => {
    const c = cases.find((x) => x.name === base);
    if (text === c.text) throw new Error(`invalid case ${name}: the change did not apply`);
    cases.push({ name, valid: false, failsAt, comment, type: c.type, seq: c.seq, text, hash: c.hash, sig: c.sig, publicKey: c.publicKey, keyId: c.keyId });
  };
  const commit = cases.find((x) => x.name === 'commit');
  invalid(
    'commit, flipped byte in body',
    'commit',
    commit.text.replace('"req-commit-1"', '"req-commit-2"'),
    'HASH',
    'One byte of the body changed ("1" to "2" in request): still canonical, but the hash no longer matches the record bytes.',
  );
  invalid(
    'commit, non-canonical spacing',
    'commit',
    commit.text.replace('"seq":1,', '"seq": 1,'),
    'FORMAT',
    'A space after a colon: the same JSON value, but not its JCS text; a verifier must reject any text that is not exactly canonical.',
  );
  const reveal = cases.find((x) => x.name === 'reveal');
  invalid(
    'reveal, non-canonical member order',
    'reveal',
    (() => {
      const { chain, body, ...rest } = JSON.parse(reveal.text);
      return JSON.stringify({ chain, body, ...rest });
    })(),
    'FORMAT',
    'Members not sorted ("chain" before "body"): the same JSON value, not its canonical text.',
  );
  const flipSig = (hex) => hex.slice(0, 10) + ((parseInt(hex[10], 16) ^ 1).toString(16)) + hex.slice(11);
  invalid(
    'reveal, flipped signature bit',
    'reveal',
    reveal.text.replace(reveal.sig, flipSig(reveal.sig)),
    'SIGNATURE',
    'One bit of sig flipped: canonical, hash correct, but the Ed25519 signature does not verify.',
  );
  return { comment: `One chain ${CHAIN}, seq 0..6, in order: text is the stored form (JCS with hash and sig), unsignedCanonical the JCS the hash covers, signingMessage = "rngseal/record/v1\\n" ‖ hash. Invalid cases name the first check they fail (failsAt: FORMAT, HASH or SIGNATURE).`, cases };
}

// ---------------------------------------------------------------- streams §5.1

function blocks(key, clientSeed, nonce, count) {
  return Array.from({ length: count }, (_, i) => toHex(nobleMac(key)(utf8(`${clientSeed}:${nonce}:${i}`))));
}

function makeStreams() {
  const cases = [
    ['spec example (§5.1)', SPEC_KEY, 'player-seed', 42, 'The example of PROTOCOL.md §5.2: block_0 begins 51076a84.'],
    ['colons in client seed', SPEC_KEY, 'a:1:2', 3, 'Message "a:1:2:3:i": the last two fields are digits, so the message has one reading.'],
    ['non-ASCII client seed', seq32(0x20), 'dé€🎲', 7, 'Client seed with 2-, 3- and 4-byte UTF-8 characters; the HMAC message is its UTF-8.'],
    ['empty client seed', ENTROPY, '', 0, 'Direct draws may use "" as client seed: message ":0:i".'],
    ['largest nonce', SERVER_SEED, 'player-seed', 9007199254740991, 'nonce 2^53 − 1 in decimal.'],
  ].map(([name, key, clientSeed, nonce, comment]) => {
    // The stream as the verifier reads it, byte by byte, must equal the blocks.
    const stream = deriveStream(key, clientSeed, nonce);
    const bytes = Uint8Array.from({ length: 96 }, () => stream.next());
    const b = blocks(key, clientSeed, nonce, 3);
    if (toHex(bytes) !== b.join('')) throw new Error(`stream ${name}: deriveStream disagrees with HMAC blocks`);
    return { name, valid: true, comment, key: toHex(key), clientSeed, nonce, message0: `${clientSeed}:${nonce}:0`, blocks: b };
  });
  return { comment: 'block_i = HMAC-SHA256(key, UTF-8(clientSeed ":" nonce ":" i)); blocks 0, 1, 2.', cases };
}

// ---------------------------------------------------------------- uniform §5.2

function makeUniform() {
  const cases = [];
  const add = (name, n, calls, key, clientSeed, nonce, comment) => {
    const stream = deriveStream(key, clientSeed, nonce);
    const results = [];
    for (let i = 0; i < calls; i++) results.push(uniform(stream, n));
    const bits = n === 1 ? 0 : (n - 1).toString(2).length;
    cases.push({ name, valid: true, comment, key: toHex(key), clientSeed, nonce, n, bytesPerTry: Math.ceil(bits / 8), calls, results, bytesUsed: stream.used });
  };
  add('spec example (§5.2)', 6, 5, SPEC_KEY, 'player-seed', 42, 'PROTOCOL.md §5.2: five uniform(6) calls give 1, 2, 4, 5, 0 using 6 bytes (one rejection).');
  const tricky = [
    [1, 'n = 1 returns 0 and consumes nothing.'],
    [2, 'b = 1, mask 0x01: every try accepted.'],
    [3, 'b = 2, mask 0x03: value 3 is rejected.'],
    [6, 'b = 3, mask 0x07: values 6 and 7 are rejected.'],
    [255, 'b = 8, one byte, mask 0xff: value 255 is rejected.'],
    [256, 'b = 8, one byte, every try accepted.'],
    [257, 'b = 9, two bytes, first byte masked to 1 bit: values 257..511 are rejected.'],
    [2 ** 32, 'b = 32, four bytes, no mask, every try accepted.'],
    [2 ** 52, 'b = 52, seven bytes, first byte masked to 4 bits (float@1).'],
    [2 ** 53, 'b = 53, seven bytes, first byte masked to 5 bits; the largest n.'],
  ];
  for (const [n, comment] of tricky) add(`n = ${n}`, n, 4, SPEC_KEY, 'uniform-vectors', n % 1000, `${comment} Four consecutive calls on one stream (nonce n mod 1000).`);
  // A stream whose first try is rejected, found by a fixed search (deterministic).
  for (const n of [3, 257]) {
    let nonce = 0;
    for (;; nonce++) {
      const s = deriveStream(SPEC_KEY, 'rejection', nonce);
      uniform(s, n);
      if (s.used > (n === 3 ? 1 : 2)) break;
    }
    add(`n = ${n}, first try rejected`, n, 1, SPEC_KEY, 'rejection', nonce, `The first ${n === 3 ? 1 : 2} byte(s) give a value ≥ n, so they are discarded and the next ones read (bytesUsed > bytesPerTry). Nonce is the smallest with that property.`);
  }
  return { comment: 'uniform(n) called `calls` times on one stream (key, clientSeed, nonce); results in order and bytes consumed in total.', cases };
}

// ---------------------------------------------------------------- mappings §5.3

const MAPPING_CASES = {
  'range@1': [
    [{ min: 1, max: 6 }, 'A die as a range.'],
    [{ min: -10, max: 10 }, 'Negative min.'],
    [{ min: 5, max: 5 }, 'min = max: uniform(1), no bytes consumed, result 5.'],
    [{ min: 0, max: 9007199254740991 }, 'Span 2^53, the largest.'],
    [{ min: -4503599627370496, max: 4503599627370495 }, 'Span 2^53 across zero.'],
  ],
  'dice@1': [
    [{ count: 5, sides: 6 }, 'Five six-sided dice.'],
    [{ count: 3, sides: 4294967296 }, 'sides = 2^32, the largest.'],
    [{ count: 10, sides: 2 }, 'Coin flips.'],
  ],
  'draw@1': [
    [{ n: 80, k: 20 }, 'Keno: 20 of 80, in draw order.'],
    [{ n: 1, k: 1 }, 'n = 1: [1], no bytes consumed.'],
    [{ n: 10, k: 10 }, 'k = n: a full permutation of 1..10.'],
  ],
  'shuffle@1': [
    [{ n: 52 }, 'A deck of 52 card indices 0..51.'],
    [{ n: 1 }, 'n = 1: [0].'],
    [{ n: 2 }, 'n = 2: one uniform(2).'],
  ],
  'weighted@1': [
    [{ weights: [1, 2, 3] }, 'Three outcomes, S = 6.'],
    [{ weights: [0, 5, 0, 1] }, 'Zero weights are never picked.'],
    [{ weights: [9007199254740990, 1] }, 'S = 2^53 − 1, the largest sum.'],
    [{ weights: [7] }, 'One weight: always 0.'],
  ],
  'reels@1': [
    [{ reels: [[1, 1, 1], [5, 0, 2], [3]] }, 'Three reels from one stream, reel by reel.'],
    [{ reels: [[10, 20, 30, 40, 50], [1, 2], [2, 1], [100, 1, 1, 1, 1, 1, 1]] }, 'Four reels of different lengths.'],
  ],
  'float@1': [
    [{}, 'k = uniform(2^52); the number is k / 2^52.'],
    [{}, 'Another nonce.'],
  ],
};

function makeMappings() {
  const keys = [SPEC_KEY, SERVER_SEED, ENTROPY];
  const seeds = ['player-seed', 'ü:🎲:1', ''];
  const cases = [];
  let i = 0;
  for (const mapping of MAPPINGS) {
    const specs = MAPPING_CASES[mapping.id];
    if (!specs) throw new Error(`no vectors for mapping ${mapping.id}`);
    specs.forEach(([params, comment], j) => {
      const problem = mapping.validate(params);
      if (problem) throw new Error(`${mapping.id} case ${j}: ${problem}`);
      const key = keys[i % keys.length];
      const clientSeed = seeds[i % seeds.length];
      const nonce = [0, 1, 42, 1000, 9007199254740991][i % 5];
      i++;
      const [draw] = computeDraws(key, clientSeed, nonce, [{ mapping: mapping.id, params }]);
      cases.push({ name: `${mapping.id} #${j + 1}`, valid: true, comment, mapping: mapping.id, params, key: toHex(key), clientSeed, nonce, result: draw.result });
    });
  }
  return { comment: 'Each case is one draw: a fresh stream (key, clientSeed, nonce), the mapping run on it with params.', cases };
}

// ---------------------------------------------------------------- Merkle §8.1

function mth(hashes) {
  return rootFromLeafHashes(hashes);
}

function largestPowerOfTwoBelow(n) {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** RFC 9162 §2.1.3.1 PATH(m, D[n]), leaf side first. */
function inclusionPath(m, hashes) {
  const n = hashes.length;
  if (n <= 1) return [];
  const k = largestPowerOfTwoBelow(n);
  return m < k
    ? [...inclusionPath(m, hashes.slice(0, k)), mth(hashes.slice(k))]
    : [...inclusionPath(m - k, hashes.slice(k)), mth(hashes.slice(0, k))];
}

/** RFC 9162 §2.1.4.1 SUBPROOF(m, D[n], b). */
function subproof(m, hashes, b) {
  const n = hashes.length;
  if (m === n) return b ? [] : [mth(hashes)];
  const k = largestPowerOfTwoBelow(n);
  return m <= k
    ? [...subproof(m, hashes.slice(0, k), b), mth(hashes.slice(k))]
    : [...subproof(m - k, hashes.slice(k), false), mth(hashes.slice(0, k))];
}

function makeMerkle() {
  const leaves = Array.from({ length: 13 }, (_, i) => (i === 12 ? 'leaf-12 ü€🎲' : `leaf-${i}`));
  const hashes = leaves.map((l) => leafHash(utf8(l)));
  const roots = [0, 1, 2, 3, 4, 5, 6, 7, 8, 13].map((size) => ({
    name: `root of size ${size}`,
    valid: true,
    comment: size === 0 ? 'MTH({}) = SHA-256("").' : `MTH of leaves 0..${size - 1}.`,
    size,
    root: toHex(mth(hashes.slice(0, size))),
    rootBase64: toBase64(mth(hashes.slice(0, size))),
  }));
  const inclusion = [
    [0, 1, 'A one-leaf tree: the root is the leaf hash, the proof is empty.'],
    [3, 8, 'A full tree of 8: three hashes.'],
    [5, 13, 'Leaf 5 in a tree of 13.'],
    [12, 13, 'The last leaf of 13: its sibling subtree is the 8+4 left part.'],
    [6, 7, 'The last leaf of an odd tree.'],
  ].map(([index, size, comment]) => ({
    name: `inclusion ${index} in ${size}`,
    valid: true,
    comment,
    index,
    size,
    leafHash: toHex(hashes[index]),
    root: toHex(mth(hashes.slice(0, size))),
    proof: inclusionPath(index, hashes.slice(0, size)).map(toHex),
  }));
  const consistency = [
    [1, 13, 'From the first leaf to 13.'],
    [3, 7, 'Non-power-of-two to non-power-of-two.'],
    [4, 8, 'Power of two to power of two: root1 is the first path element implicitly.'],
    [7, 13, 'RFC 9162 step 4: size1 − 1 = 6 has its low bits stripped.'],
    [8, 13, 'size1 a power of two.'],
  ].map(([size1, size2, comment]) => ({
    name: `consistency ${size1} to ${size2}`,
    valid: true,
    comment,
    size1,
    size2,
    root1: toHex(mth(hashes.slice(0, size1))),
    root2: toHex(mth(hashes.slice(0, size2))),
    proof: subproof(size1, hashes.slice(0, size2), true).map(toHex),
  }));
  // Node hash of the first two leaves, spelled out.
  const node01 = toHex(nodeHash(hashes[0], hashes[1]));
  return {
    comment: 'RFC 9162 tree: leaf hash = SHA-256(0x00 ‖ UTF-8(leaf)), node hash = SHA-256(0x01 ‖ left ‖ right); proofs leaf side first, hex.',
    leaves,
    leafHashes: hashes.map(toHex),
    node01,
    roots,
    inclusion,
    consistency,
  };
}

// ---------------------------------------------------------------- checkpoint §8.4–§8.5

function makeCheckpoint(publicKey, merkle) {
  const size = 13;
  const rootHex = merkle.roots.find((r) => r.size === size).root;
  const root = Uint8Array.from(rootHex.match(/../g), (h) => parseInt(h, 16));
  const body = formatCheckpoint({ origin: ORIGIN, size, root });
  const id = noteKeyId(ORIGIN, publicKey);
  const signature = ed25519.sign(utf8(body), SIGNING_SEED);
  const note = formatSignedNote(body, [{ name: ORIGIN, keyId: id, signature }]);
  return {
    comment: 'C2SP tlog-checkpoint of the 13-leaf tree of the merkle section, signed as a C2SP signed note by the signer key under the key name origin.',
    cases: [
      {
        name: 'checkpoint of 13 leaves',
        valid: true,
        comment: 'noteKeyId = SHA-256(UTF-8(origin) ‖ 0x0a ‖ 0x01 ‖ publicKey)[0..4] big-endian; signature line = "— " origin " " base64(keyId ‖ sig).',
        origin: ORIGIN,
        size,
        root: rootHex,
        publicKey: toHex(publicKey),
        noteKeyId: id.toString(16).padStart(8, '0'),
        vkey: formatVerifierKey(ORIGIN, publicKey),
        body,
        signature: toHex(signature),
        note,
      },
    ],
  };
}

export function vectorsText() {
  return `${JSON.stringify(makeVectors(), null, 2)}\n`;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const text = vectorsText();
  if (process.argv.includes('--stdout')) process.stdout.write(text);
  else {
    writeFileSync(OUTPUT, text);
    process.stdout.write(`wrote ${OUTPUT}\n`);
  }
}
