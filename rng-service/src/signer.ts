/**
 * @module signer
 * The service's Ed25519 key: created 0600, refused when others can read it,
 * and used through node:crypto (OpenSSL), which signs ~14× faster than @noble.
 * The private key never leaves this module except as the seal-key input
 * (and, as a KeyObject, to this module's own signing thread).
 */

import { createPrivateKey, createPublicKey, generateKeyPairSync, hkdfSync, sign, type KeyObject } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { keyId } from '@rngseal/verifier';

export class KeyFileError extends Error {
  override readonly name = 'KeyFileError';
}

export class Signer {
  readonly publicKey: Uint8Array;
  readonly keyId: string;
  readonly #privateKey: KeyObject;
  #thread: SigningThread | null = null;

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

  /**
   * Signs several messages. From two messages on, on a signing thread (the
   * same node:crypto call), so a group commit's signatures, the largest CPU
   * cost of a record, do not hold up the event loop.
   */
  async signMany(messages: Uint8Array[]): Promise<Uint8Array[]> {
    if (messages.length < 2) return messages.map((m) => this.sign(m));
    if (!this.#thread || this.#thread.dead) this.#thread = new SigningThread(this.#privateKey);
    return this.#thread.sign(messages);
  }

  /** Stops the signing thread, if one was started. */
  async close(): Promise<void> {
    const thread = this.#thread;
    this.#thread = null;
    await thread?.close();
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

const SIGNING_THREAD = `
import { parentPort, workerData } from 'node:worker_threads';
import { sign } from 'node:crypto';
parentPort.on('message', ({ id, packed, ends }) => {
  try {
    const out = new Uint8Array(64 * ends.length);
    let start = 0;
    ends.forEach((end, i) => {
      out.set(sign(null, packed.subarray(start, end), workerData.key), 64 * i);
      start = end;
    });
    parentPort.postMessage({ id, sigs: out }, [out.buffer]);
  } catch (err) {
    parentPort.postMessage({ id, error: String((err && err.message) || err) });
  }
});
`;

/** A worker thread holding the key; requests are answered in order. */
class SigningThread {
  readonly #worker: Worker;
  readonly #pending = new Map<number, { resolve: (sigs: Uint8Array[]) => void; reject: (err: Error) => void; count: number }>();
  #nextId = 0;
  dead = false;

  constructor(key: KeyObject) {
    this.#worker = new Worker(new URL(`data:text/javascript,${encodeURIComponent(SIGNING_THREAD)}`), { workerData: { key } });
    this.#worker.unref();
    this.#worker.on('message', (msg: { id: number; sigs?: Uint8Array; error?: string }) => {
      const waiter = this.#pending.get(msg.id);
      this.#pending.delete(msg.id);
      if (this.#pending.size === 0) this.#worker.unref();
      if (!waiter) return;
      if (!msg.sigs) return waiter.reject(new Error(`signing failed: ${msg.error}`));
      const sigs = msg.sigs;
      waiter.resolve(Array.from({ length: waiter.count }, (_, i) => sigs.subarray(64 * i, 64 * (i + 1))));
    });
    const die = (err: Error) => {
      this.dead = true;
      for (const w of this.#pending.values()) w.reject(err);
      this.#pending.clear();
    };
    this.#worker.on('error', (err) => die(new Error(`signing thread failed: ${err.message}`)));
    this.#worker.on('exit', (code) => die(new Error(`signing thread exited (${code})`)));
  }

  sign(messages: Uint8Array[]): Promise<Uint8Array[]> {
    if (this.dead) return Promise.reject(new Error('signing thread is not running'));
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject, count: messages.length });
      if (this.#pending.size === 1) this.#worker.ref();
      // One transferred buffer instead of an array of clones: postMessage is per-batch overhead.
      const ends = new Int32Array(messages.length);
      let total = 0;
      messages.forEach((m, i) => (ends[i] = total += m.length));
      const packed = new Uint8Array(total);
      messages.forEach((m, i) => packed.set(m, ends[i]! - m.length));
      this.#worker.postMessage({ id, packed, ends }, [packed.buffer, ends.buffer]);
    });
  }

  async close(): Promise<void> {
    if (this.dead) return;
    await this.#worker.terminate();
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
