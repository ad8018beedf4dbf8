/**
 * A record signed by the service (node:crypto / OpenSSL) verifies under
 * @noble (the browser verifier) and under the openssl CLI, and @noble signing
 * the same message with the same key gives the identical signature bytes.
 */

import { execFileSync } from 'node:child_process';
import { createPrivateKey } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ed25519 } from '@noble/curves/ed25519.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromHex, keyId, nobleVerify, recordHash, signingMessage, toHex, type LogRecord } from '@rngseal/verifier';
import { opensslVerify } from '../src/chain-check.js';
import { startTestService, tempDir, type TestService } from './helper.js';

let service: TestService;
let record: LogRecord;
let publicKey: Uint8Array;

beforeAll(async () => {
  service = await startTestService();
  const res = await service.call('POST', '/v1/outcome', { requestId: 'sign-1', mapping: 'dice', params: { count: 3, sides: 6 } });
  expect(res.status).toBe(200);
  record = res.json.record;
  publicKey = fromHex((await service.call('GET', '/v1/keys')).json[0].publicKey);
});
afterAll(() => service.stop());

describe('record signatures', () => {
  it('the hash is SHA-256 over the canonical record without hash and sig', () => {
    expect(toHex(recordHash(record))).toBe(record.hash);
    expect(keyId(publicKey)).toBe(record.key);
  });

  it('@noble and node:crypto both accept the signature and reject a changed hash', () => {
    const message = signingMessage(fromHex(record.hash));
    expect(nobleVerify(publicKey, message, fromHex(record.sig))).toBe(true);
    expect(opensslVerify(publicKey, message, fromHex(record.sig))).toBe(true);
    const other = signingMessage(fromHex(record.prev));
    expect(nobleVerify(publicKey, other, fromHex(record.sig))).toBe(false);
    expect(opensslVerify(publicKey, other, fromHex(record.sig))).toBe(false);
  });

  it('@noble signing with the service key reproduces the signature byte for byte', () => {
    const pem = readFileSync(join(service.dataDir, 'signing-key.pem'));
    const d = Buffer.from(createPrivateKey(pem).export({ format: 'jwk' }).d as string, 'base64url');
    expect(toHex(ed25519.sign(signingMessage(fromHex(record.hash)), d))).toBe(record.sig);
  });

  it('openssl pkeyutl -verify -rawin accepts the record signature and refuses a tampered message', () => {
    const dir = tempDir();
    const spki = Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), publicKey]);
    writeFileSync(join(dir, 'pub.pem'), `-----BEGIN PUBLIC KEY-----\n${spki.toString('base64')}\n-----END PUBLIC KEY-----\n`);
    writeFileSync(join(dir, 'msg.bin'), signingMessage(fromHex(record.hash)));
    writeFileSync(join(dir, 'sig.bin'), fromHex(record.sig));
    const verify = (msg: string) =>
      execFileSync('openssl', ['pkeyutl', '-verify', '-pubin', '-inkey', join(dir, 'pub.pem'), '-rawin', '-in', join(dir, msg), '-sigfile', join(dir, 'sig.bin')], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    expect(verify('msg.bin')).toContain('Signature Verified Successfully');
    const bad = signingMessage(fromHex(record.hash));
    bad[bad.length - 1]! ^= 1;
    writeFileSync(join(dir, 'bad.bin'), bad);
    expect(() => verify('bad.bin')).toThrow();
  });

  it('the record hash agrees with sha256sum over the canonical bytes', () => {
    const { hash, sig, ...unsigned } = record;
    void sig;
    const dir = tempDir();
    const file = join(dir, 'unsigned.json');
    // Keys in canonical (sorted) order, no white space: what recordHash covers.
    writeFileSync(file, JSON.stringify(Object.fromEntries(Object.entries(unsigned).sort(([a], [b]) => (a < b ? -1 : 1))), (_k, v) =>
      v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1))) : v,
    ));
    expect(execFileSync('sha256sum', [file], { encoding: 'utf8' }).split(' ')[0]).toBe(hash);
  });
});
