/**
 * @module hwrng
 * Character devices that are noise sources: the kernel's hw_random
 * interface `/dev/hwrng` (virtio-rng, TPM, SoC TRNGs, whichever driver
 * `/sys/class/misc/hw_random/rng_current` names) and device-specific nodes
 * such as Altus Metrum ChaosKey's `/dev/chaoskey0`.
 *
 * Reads go through `fs.promises` FileHandle.read, which runs on libuv's
 * thread pool: a hwrng read blocks until the driver has produced the whole
 * request (the kernel loops inside read(2)), so each syscall is capped at
 * `chunkBytes` to keep a pool thread busy for milliseconds, not seconds.
 * EIO/ENODEV/ENXIO or end-of-file mean the device went away: 'disconnect'.
 *
 * Entropy claim: for /dev/hwrng the kernel's own rating `rng_quality`
 * (entropy bits per 1024 bits) scaled to bytes, capped at 7.5; quality 0
 * means the kernel credits nothing, and so do we unless `h=` says otherwise.
 * Other device nodes have no rating to read, so they need `h=`.
 */

import { open, type FileHandle } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { EventedSource, SourceError, checkEntropyClaim, checkReadSize, type SourceIdentity } from './source.js';
import { readAttr, usbInfoFor } from './sysfs.js';

export interface HwrngSourceOptions {
  /** Default /dev/hwrng. */
  path?: string;
  /** Claimed min-entropy per byte; required for paths other than /dev/hwrng. */
  minEntropy?: number;
  /** Largest single read(2), bytes. Default 512 (≈50 ms of virtio-rng). */
  chunkBytes?: number;
  sysfsRoot?: string;
}

/** The kernel hw_random state read from sysfs. */
export interface KernelHwrng {
  current: string;
  available: string[];
  /** Entropy bits per 1024 bits, if the kernel exposes it (Linux ≥ 5.18). */
  quality?: number;
}

const KERNEL_HWRNG = '/dev/hwrng';
const DEFAULT_CAP = 7.5;
const GONE = new Set(['EIO', 'ENODEV', 'ENXIO', 'ESHUTDOWN']);

export async function readKernelHwrng(sysfsRoot = '/sys'): Promise<KernelHwrng | undefined> {
  const dir = join(sysfsRoot, 'class', 'misc', 'hw_random');
  const current = await readAttr(join(dir, 'rng_current'));
  if (current === undefined) return undefined;
  const available = (await readAttr(join(dir, 'rng_available')))?.split(/\s+/).filter(Boolean) ?? [];
  const quality = Number(await readAttr(join(dir, 'rng_quality')));
  return { current, available, ...(Number.isInteger(quality) && { quality }) };
}

export class HwrngSource extends EventedSource {
  readonly sampleBits = 8 as const;
  readonly #path: string;
  readonly #options: HwrngSourceOptions;
  #minEntropy: number;
  #identity: SourceIdentity;
  #handle: FileHandle | null = null;
  #state: 'closed' | 'open' | 'disconnected' = 'closed';
  #fault: SourceError | null = null;

  constructor(options: HwrngSourceOptions = {}) {
    super();
    this.#options = options;
    this.#path = options.path ?? KERNEL_HWRNG;
    this.#identity = { kind: 'hwrng', path: this.#path, description: `character device ${this.#path}` };
    if (options.minEntropy === undefined && this.#path !== KERNEL_HWRNG) {
      throw new SourceError('CONFIG', this.deviceName, 'no entropy rating is known for this device; measure it (SP 800-90B) and give h=');
    }
    this.#minEntropy = checkEntropyClaim(this.deviceName, options.minEntropy ?? DEFAULT_CAP, 8);
  }

  get identity(): SourceIdentity {
    return this.#identity;
  }

  /** Final after open(): for /dev/hwrng it follows the kernel's rng_quality. */
  get minEntropy(): number {
    return this.#minEntropy;
  }

  async open(): Promise<void> {
    if (this.#state === 'open') return;
    await this.#describe();
    try {
      this.#handle = await open(this.#path, 'r');
    } catch (err) {
      throw new SourceError('OPEN', this.deviceName, `cannot open: ${(err as Error).message}`, { cause: err });
    }
    this.#state = 'open';
    this.#fault = null;
  }

  async read(max: number): Promise<Uint8Array> {
    checkReadSize(max);
    const handle = this.#handle;
    if (this.#state !== 'open' || !handle) throw this.#fault ?? new SourceError('READ', this.deviceName, 'not open');
    const buffer = new Uint8Array(Math.min(max, this.#options.chunkBytes ?? 512));
    let bytesRead: number;
    try {
      ({ bytesRead } = await handle.read(buffer, 0, buffer.length, null));
    } catch (err) {
      throw this.#failed(handle, err as NodeJS.ErrnoException);
    }
    if (handle !== this.#handle) throw this.#fault ?? new SourceError('READ', this.deviceName, 'source closed');
    if (bytesRead === 0) throw this.#lost(handle, new Error('end of file'));
    return buffer.subarray(0, bytesRead);
  }

  async close(): Promise<void> {
    const handle = this.#handle;
    this.#handle = null;
    this.#state = 'closed';
    this.#fault = null;
    // FileHandle.close waits for an in-flight read, at most one chunk.
    await handle?.close().catch(() => {});
  }

  async #describe(): Promise<void> {
    const root = this.#options.sysfsRoot;
    if (this.#path !== KERNEL_HWRNG) {
      const usb = await usbInfoFor('usbmisc', basename(this.#path), root);
      const product = [usb?.manufacturer, usb?.product].filter(Boolean).join(' ');
      this.#identity = {
        kind: 'hwrng',
        path: this.#path,
        ...(usb && { usb: usb.usb }),
        ...(usb?.serial && { serial: usb.serial }),
        ...(usb?.firmware && { firmware: usb.firmware }),
        description: product ? `character device ${this.#path} (${product})` : `character device ${this.#path}`,
      };
      return;
    }
    const kernel = await readKernelHwrng(root);
    if (!kernel || kernel.current === 'none') throw new SourceError('OPEN', this.deviceName, 'no kernel hwrng driver is bound (rng_current is none or missing)');
    const quality = kernel.quality;
    this.#identity = {
      kind: 'hwrng',
      path: this.#path,
      description: `kernel hwrng ${kernel.current}${quality === undefined ? '' : ` (rng_quality ${quality}/1024)`}`,
    };
    if (this.#options.minEntropy !== undefined || quality === undefined) return;
    if (quality === 0) throw new SourceError('CONFIG', this.deviceName, `the kernel rates ${kernel.current} at rng_quality 0 (no entropy credited); give h= to claim some`);
    this.#minEntropy = Math.min(DEFAULT_CAP, Math.floor((8 * quality) / 1024 * 100) / 100);
  }

  #failed(handle: FileHandle, err: NodeJS.ErrnoException): SourceError {
    if (handle !== this.#handle) return this.#fault ?? new SourceError('READ', this.deviceName, 'source closed');
    if (err.code && GONE.has(err.code)) return this.#lost(handle, err);
    return new SourceError('READ', this.deviceName, `read failed: ${err.message}`, { cause: err });
  }

  #lost(handle: FileHandle, cause: Error): SourceError {
    if (this.#state !== 'open' || handle !== this.#handle) return this.#fault ?? new SourceError('READ', this.deviceName, 'source closed');
    const error = new SourceError('DISCONNECTED', this.deviceName, `device disconnected (${cause.message})`, { cause });
    this.#handle = null;
    this.#state = 'disconnected';
    this.#fault = error;
    handle.close().catch(() => {});
    this.announceDisconnect(error);
    return error;
  }
}
