/**
 * @module signer
 * The service's Ed25519 key: created 0600, refused when others can read it,
 * and used through node:crypto (OpenSSL), which signs ~14× faster than @noble.
 * The private key never leaves this module except as the seal-key input.
 */

import { createPrivateKey, createPublicKey, generateKeyPairSync, hkdfSync, sign, type KeyObject } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { keyId } from '@rngseal/verifier';

export class KeyFileError extends Error {
  override readonly name = 'KeyFileError';
}

export class Signer {
  readonly publicKey: Uint8Array;
  readonly keyId: string;
  readonly #privateKey: KeyObject;

  constructor(privateKey: KeyObject) {
    if (privateKey.asymmetricKeyType !== 'ed25519') throw new KeyFileError('key: not an Ed25519 private key');
    this.#privateKey = privateKey;
    const jwk = createPublicKey(privateKey).export({ format: 'jwk' });
    this.publicKey = new Uint8Array(Buffer.from(jwk.x as string, 'base64url'));
    this.keyId = keyId(this.publicKey);
  }

  sign(message: Uint8Array): Uint8Array {
    return new Uint8Array(sign(null, message, this.#privateKey));
  }

  /** A 32-byte key for `purpose`, derived from the signing key (HKDF-SHA256), e.g. to seal seeds at rest. */
  deriveKey(purpose: string): Uint8Array {
    const d = Buffer.from(this.#privateKey.export({ format: 'jwk' }).d as string, 'base64url');
    return new Uint8Array(hkdfSync('sha256', d, 'rngseal', purpose, 32));
  }

  /** Never print the key. */
  toJSON(): object {
    return { keyId: this.keyId };
  }
}

/** Writes a new PKCS#8 PEM key with mode 0600; refuses to overwrite. */
export function generateKeyFile(path: string): Signer {
  const { privateKey } = generateKeyPairSync('ed25519');
  const pem = privateKey.export({ format: 'pem', type: 'pkcs8' });
  try {
    writeFileSync(path, pem, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new KeyFileError(code === 'EEXIST' ? `key file ${path} already exists` : `cannot write key file ${path}: ${code}`);
  }
  return new Signer(privateKey);
}

/** Loads a PEM key, refusing a file that group or others can read or write. */
export function loadKeyFile(path: string): Signer {
  let mode: number;
  try {
    mode = statSync(path).mode;
  } catch (err) {
    throw new KeyFileError(`key file ${path}: ${(err as NodeJS.ErrnoException).code ?? 'unreadable'}`);
  }
  if ((mode & 0o077) !== 0) {
    const octal = (mode & 0o777).toString(8).padStart(4, '0');
    throw new KeyFileError(`key file ${path} has mode ${octal}: others can read it; run chmod 600 ${path}`);
  }
  try {
    return new Signer(createPrivateKey(readFileSync(path)));
  } catch (err) {
    if (err instanceof KeyFileError) throw err;
    // The parser's message could quote key bytes; say only what failed.
    throw new KeyFileError(`key file ${path} is not a PEM Ed25519 private key`);
  }
}
