/**
 * @module hid
 * FIDO security keys as entropy sources, over CTAPHID (the FIDO USB HID
 * transport, CTAP 2.x §11.2) on 64-byte HID reports:
 *
 * 1. CTAPHID_INIT (0x86) on the broadcast channel 0xffffffff with an 8-byte
 *    nonce; the key answers with the nonce, a fresh 4-byte channel ID (CID),
 *    the CTAPHID protocol version, the firmware version and capabilities.
 * 2. The vendor command 0x60 (CTAPHID_GETRNG in Solo 1 / Nitrokey FIDO2
 *    firmware, answered as 0xe0) on that channel, payload one byte: how
 *    many random bytes (1–255; 0 means 57). Solo 1 answers exactly that
 *    many; trussed firmware (Solo 2, Nitrokey 3) may answer a fixed 57, and
 *    a surplus is kept for the next read.
 *
 * Framing: an initialization packet is CID(4) CMD|0x80(1) BCNT(2, big-endian)
 * DATA(57); continuation packets are CID(4) SEQ(1, 0…0x7f) DATA(59). The key
 * may interleave KEEPALIVE (0xbb) frames and answers failures with ERROR
 * (0xbf) and a one-byte code. Every write is prefixed with report ID 0x00,
 * as hidraw requires for devices without numbered reports. Reports on other
 * channels are ignored: hidraw hands every report to every reader.
 *
 * node-hid is imported only inside open(), so the service runs on hosts
 * without libusb/hidraw when no HID source is configured; tests inject a
 * device through `openDevice`.
 */

import { randomBytes } from 'node:crypto';
import { basename } from 'node:path';
import { knownFido } from './known-devices.js';
import { EventedSource, ReadQueue, SourceError, checkEntropyClaim, checkReadSize, type SourceIdentity } from './source.js';
import { usbInfoFor } from './sysfs.js';

/** The subset of node-hid's HIDAsync this driver uses. */
export interface HidLike {
  write(report: number[] | Buffer): Promise<number> | number;
  on(event: 'data', listener: (report: Buffer) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  close(): Promise<void> | void;
}

/** A HID interface as node-hid's devices() describes it. */
export interface HidDeviceInfo {
  vendorId: number;
  productId: number;
  path?: string | undefined;
  serialNumber?: string | undefined;
  manufacturer?: string | undefined;
  product?: string | undefined;
  usagePage?: number | undefined;
}

export const CTAPHID = {
  REPORT_SIZE: 64,
  BROADCAST_CID: 0xffffffff,
  INIT: 0x86,
  ERROR: 0xbf,
  KEEPALIVE: 0xbb,
  /** Vendor command 0x60 with the init-packet bit set. */
  GETRNG: 0xe0,
  /** Usage page of FIDO authenticator interfaces. */
  FIDO_USAGE_PAGE: 0xf1d0,
  INIT_DATA: 57,
  CONT_DATA: 59,
} as const;

/** CTAPHID_ERROR codes (CTAP 2.x §11.2.9.1.6). */
export const CTAPHID_ERRORS: Readonly<Record<number, string>> = {
  0x01: 'ERR_INVALID_CMD',
  0x02: 'ERR_INVALID_PAR',
  0x03: 'ERR_INVALID_LEN',
  0x04: 'ERR_INVALID_SEQ',
  0x05: 'ERR_MSG_TIMEOUT',
  0x06: 'ERR_CHANNEL_BUSY',
  0x0a: 'ERR_LOCK_REQUIRED',
  0x0b: 'ERR_INVALID_CHANNEL',
  0x7f: 'ERR_OTHER',
};

export interface HidSourceOptions {
  /** hidraw path (`/dev/hidraw3`) or node-hid path. Give this or `usb`. */
  path?: string;
  /** `vvvv:pppp`: the first FIDO interface with this VID:PID. */
  usb?: string;
  /** Overrides the default claim of 7.5 bits per byte. */
  minEntropy?: number;
  /** Wait for each report, ms; a KEEPALIVE restarts it. Default 2000. */
  timeoutMs?: number;
  /** Opens a device; default node-hid's HIDAsync.open, loaded lazily. */
  openDevice?: (path: string) => HidLike | Promise<HidLike>;
  /** Lists HID interfaces for `usb`; default node-hid's devicesAsync. */
  listDevices?: () => Promise<HidDeviceInfo[]>;
  sysfsRoot?: string;
}

/** Parsed CTAPHID_INIT response. */
export interface CtapHidInit {
  cid: number;
  protocol: number;
  version: string;
  capabilities: { wink: boolean; cbor: boolean; nmsg: boolean };
}

// The key's RNG output (Solo 1: the STM32L4 TRNG); no vendor rates it, so
// 7.5 keeps a margin below full entropy.
const DEFAULT_H = 7.5;

export class HidSource extends EventedSource {
  readonly sampleBits = 8 as const;
  readonly minEntropy: number;
  readonly #options: HidSourceOptions;
  #identity: SourceIdentity;
  #device: HidLike | null = null;
  #state: 'closed' | 'open' | 'disconnected' = 'closed';
  #fault: SourceError | null = null;
  #cid: number | null = null;
  #reports: Uint8Array[] = [];
  #waiter: { resolve: (r: Uint8Array) => void; reject: (e: Error) => void } | null = null;
  #spare: Uint8Array = new Uint8Array(0);
  readonly #reads = new ReadQueue();
  #opening: Promise<void> | null = null;

  constructor(options: HidSourceOptions) {
    super();
    if (!options.path === !options.usb) throw new SourceError('CONFIG', 'hid', 'give exactly one of path and usb');
    if (options.usb && !/^[0-9a-f]{4}:[0-9a-f]{4}$/.test(options.usb)) throw new SourceError('CONFIG', `hid:${options.usb}`, 'usb must be vvvv:pppp in lower-case hex');
    this.#options = options;
    const path = options.path ?? options.usb!;
    this.#identity = { kind: 'hid', path, ...(options.usb && { usb: options.usb }), description: describeModel(options.usb) };
    this.minEntropy = checkEntropyClaim(this.deviceName, options.minEntropy ?? DEFAULT_H, 8);
  }

  get identity(): SourceIdentity {
    return this.#identity;
  }

  async open(): Promise<void> {
    if (this.#state === 'open') return;
    this.#opening ??= this.#connect().finally(() => (this.#opening = null));
    return this.#opening;
  }

  read(max: number): Promise<Uint8Array> {
    checkReadSize(max);
    return this.#reads.run(() => this.#readOnce(max));
  }

  async close(): Promise<void> {
    await this.#opening?.catch(() => {});
    const device = this.#device;
    this.#detach('closed', new SourceError('READ', this.deviceName, 'source closed'));
    this.#fault = null;
    if (device) await Promise.resolve(device.close()).catch(() => {});
  }

  async #connect(): Promise<void> {
    const path = this.#options.path ?? (await this.#findByUsb());
    const open = this.#options.openDevice ?? (await nodeHidOpener(this.deviceName));
    let device: HidLike;
    try {
      device = await open(path);
    } catch (err) {
      throw new SourceError('OPEN', this.deviceName, `cannot open ${path}: ${(err as Error).message}`, { cause: err });
    }
    this.#reports = [];
    this.#spare = new Uint8Array(0);
    this.#device = device;
    device.on('data', (report) => device === this.#device && this.#onReport(report));
    device.on('error', (err) => device === this.#device && this.#lost(err));
    try {
      // Reads stay refused (state is not 'open') until the channel exists.
      await this.#init();
      this.#state = 'open';
      this.#fault = null;
    } catch (err) {
      this.#detach('closed', err as SourceError);
      await Promise.resolve(device.close()).catch(() => {});
      const cause = err as Error;
      throw err instanceof SourceError && err.fault === 'DISCONNECTED' ? err : new SourceError('OPEN', this.deviceName, `CTAPHID_INIT failed: ${cause.message}`, { cause });
    }
    await this.#describe(path);
  }

  async #findByUsb(): Promise<string> {
    const usb = this.#options.usb!;
    const list = this.#options.listDevices ?? (await nodeHidLister(this.deviceName));
    const all = await list();
    const match = all.find((d) => usbOf(d) === usb && (d.usagePage === undefined || d.usagePage === CTAPHID.FIDO_USAGE_PAGE) && d.path);
    if (!match) throw new SourceError('OPEN', this.deviceName, `no FIDO HID interface with USB ${usb} (of ${all.length} HID interfaces)`);
    if (match.serialNumber) this.#identity = { ...this.#identity, serial: match.serialNumber };
    return match.path!;
  }

  async #describe(path: string): Promise<void> {
    const info = path.startsWith('/dev/') ? await usbInfoFor('hidraw', basename(path), this.#options.sysfsRoot) : undefined;
    const usb = this.#options.usb ?? info?.usb;
    this.#identity = {
      ...this.#identity,
      ...(usb && { usb }),
      ...(info?.serial && { serial: info.serial }),
      description: `${describeModel(usb)}${info?.product ? ` (${[info.manufacturer, info.product].filter(Boolean).join(' ')})` : ''}`,
    };
  }

  /** Allocates a channel: INIT on the broadcast CID, matched by our nonce. */
  async #init(): Promise<void> {
    const nonce = randomBytes(8);
    this.#cid = null;
    await this.#send(CTAPHID.BROADCAST_CID, CTAPHID.INIT, nonce);
    for (;;) {
      const payload = await this.#receive(CTAPHID.BROADCAST_CID, CTAPHID.INIT);
      // Another program's INIT answer shares the broadcast channel: skip it.
      if (payload.length < 17 || !nonce.equals(payload.subarray(0, 8))) continue;
      const init = parseInit(payload);
      if (init.cid === 0 || init.cid === CTAPHID.BROADCAST_CID) {
        throw new SourceError('READ', this.deviceName, `device allocated the reserved channel ID 0x${hex32(init.cid)}`);
      }
      this.#cid = init.cid;
      this.#identity = { ...this.#identity, firmware: init.version };
      return;
    }
  }

  async #readOnce(max: number): Promise<Uint8Array> {
    if (this.#state !== 'open') throw this.#fault ?? new SourceError('READ', this.deviceName, 'not open');
    if (this.#spare.length === 0) {
      try {
        if (this.#cid === null) await this.#init();
        this.#spare = await this.#getRng(Math.min(max, 255));
      } catch (err) {
        // A protocol failure may leave the channel mid-message: start over
        // with a fresh INIT on the next read.
        this.#cid = null;
        throw err;
      }
    }
    const out = this.#spare.slice(0, max);
    this.#spare = this.#spare.subarray(out.length);
    return out;
  }

  async #getRng(count: number): Promise<Uint8Array> {
    const cid = this.#cid!;
    await this.#send(cid, CTAPHID.GETRNG, Uint8Array.of(count));
    const bytes = await this.#receive(cid, CTAPHID.GETRNG);
    if (bytes.length === 0) throw new SourceError('READ', this.deviceName, 'GETRNG answered with no bytes');
    return bytes;
  }

  /** Writes one message as an init packet plus continuation packets. */
  async #send(cid: number, cmd: number, payload: Uint8Array): Promise<void> {
    this.#reports = []; // stale frames from an abandoned exchange must not answer this one
    for (const packet of framePackets(cid, cmd, payload)) {
      const device = this.#device;
      if (!device) throw this.#fault ?? new SourceError('READ', this.deviceName, 'not open');
      const report = Buffer.alloc(1 + CTAPHID.REPORT_SIZE); // byte 0: report ID 0x00
      report.set(packet, 1);
      try {
        await device.write(report);
      } catch (err) {
        // hidraw write fails with ENODEV once the key is pulled.
        this.#lost(err as Error);
        throw this.#fault;
      }
    }
  }

  /** Reassembles the response to `cmd` on `cid`, skipping keep-alives and other channels. */
  async #receive(cid: number, cmd: number): Promise<Uint8Array> {
    let message: Uint8Array | null = null;
    let filled = 0;
    let seq = 0;
    while (message === null || filled < message.length) {
      const report = await this.#nextReport();
      if (report.length < 7 || readU32(report, 0) !== cid) continue;
      const type = report[4]!;
      if (type & 0x80) {
        if (type === CTAPHID.KEEPALIVE) continue;
        if (type === CTAPHID.ERROR) throw this.#ctapError(report[7] ?? 0);
        if (type !== cmd) throw new SourceError('READ', this.deviceName, `expected response 0x${hex8(cmd)}, got command 0x${hex8(type)}`);
        if (message !== null) throw new SourceError('READ', this.deviceName, 'new initialization packet in the middle of a response');
        message = new Uint8Array((report[5]! << 8) | report[6]!);
        filled = copyInto(message, 0, report.subarray(7));
      } else {
        if (message === null) throw new SourceError('READ', this.deviceName, `continuation packet seq ${type} without an initialization packet`);
        if (type !== seq) throw new SourceError('READ', this.deviceName, `continuation packet seq ${type}, expected ${seq}`);
        seq++;
        filled += copyInto(message, filled, report.subarray(5));
      }
    }
    return message;
  }

  #ctapError(code: number): SourceError {
    return new SourceError('READ', this.deviceName, `CTAPHID_ERROR 0x${hex8(code)} (${CTAPHID_ERRORS[code] ?? 'unknown'})`);
  }

  #nextReport(): Promise<Uint8Array> {
    const queued = this.#reports.shift();
    if (queued) return Promise.resolve(queued);
    if (!this.#device) return Promise.reject(this.#fault ?? new SourceError('READ', this.deviceName, 'not open'));
    const ms = this.#options.timeoutMs ?? 2000;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiter = null;
        reject(new SourceError('READ', this.deviceName, `no CTAPHID response within ${ms} ms`));
      }, ms);
      this.#waiter = {
        resolve: (r) => (clearTimeout(timer), resolve(r)),
        reject: (e) => (clearTimeout(timer), reject(e)),
      };
    });
  }

  #onReport(report: Buffer): void {
    const bytes = Uint8Array.from(report);
    const waiter = this.#waiter;
    this.#waiter = null;
    if (waiter) waiter.resolve(bytes);
    else this.#reports.push(bytes);
  }

  #lost(cause: Error): void {
    const device = this.#device;
    if (!device) return;
    const error = new SourceError('DISCONNECTED', this.deviceName, `device disconnected (${cause.message})`, { cause });
    this.#detach('disconnected', error);
    Promise.resolve(device.close()).catch(() => {});
    this.announceDisconnect(error);
  }

  #detach(state: 'closed' | 'disconnected', error: SourceError): void {
    this.#device = null;
    this.#state = state;
    this.#fault = error;
    this.#cid = null;
    this.#reports = [];
    this.#spare = new Uint8Array(0);
    const waiter = this.#waiter;
    this.#waiter = null;
    waiter?.reject(error);
  }
}

/** Splits a message into 64-byte CTAPHID packets. */
export function framePackets(cid: number, cmd: number, payload: Uint8Array): Uint8Array[] {
  const packets: Uint8Array[] = [];
  const first = new Uint8Array(CTAPHID.REPORT_SIZE);
  writeU32(first, 0, cid);
  first[4] = cmd;
  first[5] = payload.length >> 8;
  first[6] = payload.length & 0xff;
  first.set(payload.subarray(0, CTAPHID.INIT_DATA), 7);
  packets.push(first);
  for (let at = CTAPHID.INIT_DATA, seq = 0; at < payload.length; at += CTAPHID.CONT_DATA, seq++) {
    const cont = new Uint8Array(CTAPHID.REPORT_SIZE);
    writeU32(cont, 0, cid);
    cont[4] = seq;
    cont.set(payload.subarray(at, at + CTAPHID.CONT_DATA), 5);
    packets.push(cont);
  }
  return packets;
}

/** nonce(8) CID(4) protocol(1) major(1) minor(1) build(1) capabilities(1). */
export function parseInit(payload: Uint8Array): CtapHidInit {
  const caps = payload[16]!;
  return {
    cid: readU32(payload, 8),
    protocol: payload[12]!,
    version: `${payload[13]}.${payload[14]}.${payload[15]}`,
    capabilities: { wink: (caps & 0x01) !== 0, cbor: (caps & 0x04) !== 0, nmsg: (caps & 0x08) !== 0 },
  };
}

function describeModel(usb: string | undefined): string {
  const model = knownFido(usb)?.model ?? 'FIDO security key';
  return `${model}: random bytes by CTAPHID vendor command 0x60`;
}

function usbOf(d: HidDeviceInfo): string {
  return `${d.vendorId.toString(16).padStart(4, '0')}:${d.productId.toString(16).padStart(4, '0')}`;
}

async function nodeHid(device: string): Promise<typeof import('node-hid')> {
  try {
    return await import('node-hid');
  } catch (err) {
    throw new SourceError('OPEN', device, `node-hid unavailable: ${(err as Error).message}`, { cause: err });
  }
}

async function nodeHidOpener(device: string): Promise<(path: string) => Promise<HidLike>> {
  const hid = await nodeHid(device);
  return (path) => hid.HIDAsync.open(path);
}

async function nodeHidLister(device: string): Promise<() => Promise<HidDeviceInfo[]>> {
  const hid = await nodeHid(device);
  return () => hid.devicesAsync();
}

function copyInto(target: Uint8Array, at: number, data: Uint8Array): number {
  const n = Math.min(data.length, target.length - at);
  target.set(data.subarray(0, n), at);
  return n;
}

function readU32(bytes: Uint8Array, at: number): number {
  return ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>> 0;
}

function writeU32(bytes: Uint8Array, at: number, value: number): void {
  bytes[at] = value >>> 24;
  bytes[at + 1] = (value >>> 16) & 0xff;
  bytes[at + 2] = (value >>> 8) & 0xff;
  bytes[at + 3] = value & 0xff;
}

const hex8 = (v: number) => v.toString(16).padStart(2, '0');
const hex32 = (v: number) => v.toString(16).padStart(8, '0');
