/**
 * RFC 8032 §7.1 vectors through both Ed25519 implementations the project
 * uses: @noble/curves (the browser verifier) and node:crypto (the service's
 * signer, OpenSSL). Both must produce the published signatures byte for byte.
 */

import { createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ed25519 } from '@noble/curves/ed25519.js';
import { describe, expect, it } from 'vitest';
import { fromHex, nobleVerify, toHex } from '../src/index.js';

interface Case {
  name: string;
  comment: string;
  secretKey: string;
  publicKey: string;
  message: string;
  signature: string;
}

const { cases } = JSON.parse(readFileSync(new URL('./vectors/rfc8032-ed25519.json', import.meta.url), 'utf8')) as { cases: Case[] };

const PKCS8_ED25519 = '302e020100300506032b657004220420';
const nodeKey = (secret: string) => createPrivateKey({ key: Buffer.from(PKCS8_ED25519 + secret, 'hex'), format: 'der', type: 'pkcs8' });

describe('RFC 8032 Ed25519 vectors', () => {
  for (const c of cases) {
    const label = `${c.name} (${c.comment})`;
    const message = fromHex(c.message);

    it(`${label}: @noble derives the public key and signature`, () => {
      expect(toHex(ed25519.getPublicKey(fromHex(c.secretKey))), label).toBe(c.publicKey);
      expect(toHex(ed25519.sign(message, fromHex(c.secretKey))), label).toBe(c.signature);
    });

    it(`${label}: node:crypto derives the public key and signature`, () => {
      const key = nodeKey(c.secretKey);
      const x = createPublicKey(key).export({ format: 'jwk' }).x as string;
      expect(Buffer.from(x, 'base64url').toString('hex'), label).toBe(c.publicKey);
      expect(sign(null, message, key).toString('hex'), label).toBe(c.signature);
      expect(verify(null, message, createPublicKey(key), fromHex(c.signature)), label).toBe(true);
    });

    it(`${label}: the verifier accepts it and rejects every single-bit flip of the signature`, () => {
      const pub = fromHex(c.publicKey);
      const sig = fromHex(c.signature);
      expect(nobleVerify(pub, message, sig), label).toBe(true);
      for (let bit = 0; bit < 512; bit += 7) {
        const bad = sig.slice();
        bad[bit >> 3]! ^= 1 << (bit & 7);
        expect(nobleVerify(pub, message, bad), `${label}: bit ${bit}`).toBe(false);
      }
    });
  }
});
