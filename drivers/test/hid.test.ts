/**
 * @module test/hid
 * HidSource against a fake FIDO key that implements the device side of
 * CTAPHID: it checks the report-ID byte and report length of every write,
 * reassembles requests (init + continuation packets, sequence numbers),
 * allocates a channel on INIT, refuses unknown channels, and answers GETRNG
 * with multi-packet responses, optional KEEPALIVEs, ERROR frames and
 * cross-talk on other channels. Also: node-hid itself loads here.
 */

import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { CTAPHID, HidSource, SourceError, framePackets, type HidLike } from '../src/index.js';

const BROADCAST = 0xffffffff;

interface Faults {
  /** CID the key hands out on INIT. */
  initCid?: number;
  /** Answer GETRNG with CTAPHID_ERROR and this code. */
  errorOnRng?: number;
  /** Answer GETRNG on a different channel. */
  wrongCid?: boolean;
  /** Send KEEPALIVE frames before each GETRNG answer. */
  keepalive?: boolean;
  /** Interleave a frame for another channel into each answer. */
  crossTalk?: boolean;
  /** Ignore the requested count and answer this many bytes (trussed firmware may answer a fixed 57). */
  rngLength?: number;
  /** Never answer GETRNG. */
  silent?: boolean;
}

interface Incoming {
  cid: number;
  cmd: number;
  data: Uint8Array;
  filled: number;
  seq: number;
}

/** The device side of CTAPHID, as a SoloKeys-style key implements it. */
class FakeFidoKey extends EventEmitter implements HidLike {
  readonly writes: Buffer[] = [];
  readonly sent: Uint8Array[] = [];
  readonly requests: Array<{ cid: number; cmd: number; data: Uint8Array }> = [];
  readonly channels = new Set<number>();
  faults: Faults = {};
  closed = false;
  #nextCid = 0x0a0b0c01;
  #rx: Incoming | null = null;

  write(report: number[] | Buffer): number {
    const buf = Buffer.from(report);
    if (buf.length !== 65) throw new Error(`report is ${buf.length} bytes; hidraw wants report ID + 64`);
    if (buf[0] !== 0x00) throw new Error(`report ID byte is 0x${buf[0]!.toString(16)}, not 0x00`);
    this.writes.push(buf);
    this.#packet(buf.subarray(1));
    return buf.length;
  }

  close(): void {
    this.closed = true;
  }

  unplug(): void {
    this.emit('error', new Error('could not read from HID device'));
  }

  #packet(p: Buffer): void {
    const cid = p.readUInt32BE(0);
    const type = p[4]!;
    if (type & 0x80) {
      const bcnt = p.readUInt16BE(5);
      this.#rx = { cid, cmd: type, data: new Uint8Array(bcnt), filled: 0, seq: 0 };
      this.#rx.filled = copy(this.#rx.data, 0, p.subarray(7, 7 + CTAPHID.INIT_DATA));
    } else {
      const rx = this.#rx;
      if (!rx || rx.cid !== cid) return this.#error(cid, 0x04);
      if (type !== rx.seq) {
        this.#rx = null;
        return this.#error(cid, 0x04);
      }
      rx.seq++;
      rx.filled += copy(rx.data, rx.filled, p.subarray(5, 5 + CTAPHID.CONT_DATA));
    }
    const rx = this.#rx!;
    if (rx.filled < rx.data.length) return;
    this.#rx = null;
    this.requests.push({ cid: rx.cid, cmd: rx.cmd, data: rx.data });
    this.#handle(rx.cid, rx.cmd, rx.data);
  }

  #handle(cid: number, cmd: number, data: Uint8Array): void {
    if (cmd === CTAPHID.INIT) {
      if (data.length !== 8) return this.#error(cid, 0x03);
      const allocated = this.faults.initCid ?? this.#nextCid++;
      this.channels.add(allocated);
      const payload = Buffer.alloc(17);
      payload.set(data, 0);
      payload.writeUInt32BE(allocated >>> 0, 8);
      payload.set([2, 4, 1, 2, 0x05], 12); // CTAPHID v2, firmware 4.1.2, WINK|CBOR
      return this.#respond(cid, CTAPHID.INIT, payload);
    }
    if (!this.channels.has(cid)) return this.#error(cid, 0x0b);
    if (cmd !== CTAPHID.GETRNG) return this.#error(cid, 0x01);
    if (this.faults.silent) return;
    if (this.faults.errorOnRng) return this.#error(cid, this.faults.errorOnRng);
    const bytes = randomBytes(this.faults.rngLength ?? (data[0] || 57));
    this.sent.push(bytes);
    if (this.faults.keepalive) {
      this.#respond(cid, CTAPHID.KEEPALIVE, Uint8Array.of(1));
      this.#respond(cid, CTAPHID.KEEPALIVE, Uint8Array.of(1));
    }
    this.#respond(this.faults.wrongCid ? cid ^ 0x1 : cid, CTAPHID.GETRNG, bytes);
  }

  #error(cid: number, code: number): void {
    this.#respond(cid, CTAPHID.ERROR, Uint8Array.of(code));
  }

  #respond(cid: number, cmd: number, payload: Uint8Array): void {
    const packets = deviceFrames(cid, cmd, payload);
    if (this.faults.crossTalk) packets.splice(1, 0, deviceFrames(0x77777777, CTAPHID.GETRNG, randomBytes(100))[0]!);
    for (const packet of packets) setImmediate(() => this.emit('data', packet));
  }
}

/** The key's own framing (deliberately not the driver's framePackets). */
function deviceFrames(cid: number, cmd: number, payload: Uint8Array): Buffer[] {
  const init = Buffer.alloc(64);
  init.writeUInt32BE(cid >>> 0, 0);
  init.writeUInt8(cmd, 4);
  init.writeUInt16BE(payload.length, 5);
  init.set(payload.subarray(0, 57), 7);
  const frames = [init];
  for (let seq = 0; 57 + seq * 59 < payload.length; seq++) {
    const cont = Buffer.alloc(64);
    cont.writeUInt32BE(cid >>> 0, 0);
    cont.writeUInt8(seq, 4);
    cont.set(payload.subarray(57 + seq * 59, 57 + (seq + 1) * 59), 5);
    frames.push(cont);
  }
  return frames;
}

function copy(target: Uint8Array, at: number, data: Uint8Array): number {
  const n = Math.min(data.length, target.length - at);
  target.set(data.subarray(0, n), at);
  return n;
}

function keyed(key: FakeFidoKey, extra: Partial<ConstructorParameters<typeof HidSource>[0]> = {}): HidSource {
  return new HidSource({ path: '/dev/hidraw-fake', openDevice: () => key, ...extra });
}

describe('HidSource over CTAPHID', () => {
  it('allocates a channel with INIT and returns exactly the bytes the key sent', async () => {
    const key = new FakeFidoKey();
    const source = keyed(key);
    await source.open();
    const init = key.requests[0]!;
    expect(init).toMatchObject({ cid: BROADCAST, cmd: CTAPHID.INIT });
    expect(init.data).toHaveLength(8);
    expect(source.identity).toMatchObject({ kind: 'hid', path: '/dev/hidraw-fake', firmware: '4.1.2' });
    expect(source.minEntropy).toBe(7.5);

    // 200 bytes: one init packet (57) + three continuation packets (59 each).
    expect(deviceFrames(1, CTAPHID.GETRNG, new Uint8Array(200))).toHaveLength(4);
    const bytes = await source.read(200);
    expect(key.requests[1]).toMatchObject({ cid: 0x0a0b0c01, cmd: CTAPHID.GETRNG, data: Uint8Array.of(200) });
    expect(Buffer.from(bytes).equals(Buffer.from(key.sent[0]!))).toBe(true);

    // A request larger than one GETRNG is capped at 255 bytes.
    const more = await source.read(10_000);
    expect(more).toHaveLength(255);
    expect(Buffer.from(more).equals(Buffer.from(key.sent[1]!))).toBe(true);
    expect(key.writes.every((w) => w.length === 65 && w[0] === 0)).toBe(true);
    await source.close();
    expect(key.closed).toBe(true);
  });

  it('skips KEEPALIVE frames and other channels’ traffic', async () => {
    const key = new FakeFidoKey();
    key.faults = { keepalive: true, crossTalk: true };
    const source = keyed(key);
    await source.open();
    const bytes = await source.read(150);
    expect(Buffer.from(bytes).equals(Buffer.from(key.sent[0]!))).toBe(true);
    await source.close();
  });

  it('keeps the surplus when a key answers more than asked (a fixed 57, as trussed firmware may)', async () => {
    const key = new FakeFidoKey();
    key.faults = { rngLength: 57 };
    const source = keyed(key);
    await source.open();
    const first = await source.read(10);
    const rest = await source.read(100);
    expect(key.sent).toHaveLength(1);
    expect(Buffer.concat([first, rest]).equals(Buffer.from(key.sent[0]!))).toBe(true);
    await source.close();
  });

  it('turns CTAPHID_ERROR into a SourceError and recovers with a fresh INIT', async () => {
    const key = new FakeFidoKey();
    const source = keyed(key);
    await source.open();
    key.faults = { errorOnRng: 0x06 };
    await expect(source.read(32)).rejects.toMatchObject({ name: 'SourceError', fault: 'READ', message: expect.stringMatching(/CTAPHID_ERROR 0x06 \(ERR_CHANNEL_BUSY\)/) });
    key.faults = {};
    const bytes = await source.read(32);
    expect(Buffer.from(bytes).equals(Buffer.from(key.sent[0]!))).toBe(true);
    expect(key.requests.filter((r) => r.cmd === CTAPHID.INIT)).toHaveLength(2);
    await source.close();
  });

  it('frames requests as the spec lays them out', () => {
    const payload = Uint8Array.from({ length: 130 }, (_, i) => i);
    const packets = framePackets(0x01020304, CTAPHID.GETRNG, payload);
    expect(packets.map((p) => Buffer.from(p))).toEqual(deviceFrames(0x01020304, CTAPHID.GETRNG, payload));
    expect(packets.map((p) => p[4])).toEqual([0xe0, 0, 1]);
  });

  it('rejects a reserved channel ID from INIT', async () => {
    for (const bad of [0, BROADCAST]) {
      const key = new FakeFidoKey();
      key.faults = { initCid: bad };
      await expect(keyed(key).open()).rejects.toMatchObject({ fault: 'OPEN', message: expect.stringMatching(/reserved channel ID/) });
      expect(key.closed).toBe(true);
    }
  });

  it('times out when the answer comes on the wrong channel', async () => {
    const key = new FakeFidoKey();
    const source = keyed(key, { timeoutMs: 80 });
    await source.open();
    key.faults = { wrongCid: true };
    await expect(source.read(16)).rejects.toMatchObject({ fault: 'READ', message: expect.stringMatching(/no CTAPHID response within 80 ms/) });
    await source.close();
  });

  it('a device error (unplug) emits disconnect, rejects the pending read, and open() reconnects', async () => {
    const keys = [new FakeFidoKey(), new FakeFidoKey()];
    let opened = 0;
    const source = new HidSource({ usb: '1209:5070', listDevices: async () => [{ vendorId: 0x1209, productId: 0x5070, path: '/dev/hidraw9', usagePage: 0xf1d0, serialNumber: 'SOLO1' }], openDevice: () => keys[opened++]! });
    await source.open();
    expect(source.identity).toMatchObject({ usb: '1209:5070', serial: 'SOLO1', description: expect.stringContaining('SoloKeys') });
    keys[0]!.faults = { silent: true };
    const disconnected = new Promise<SourceError>((resolve) => source.once('disconnect', resolve));
    const pending = expect(source.read(64)).rejects.toMatchObject({ fault: 'DISCONNECTED', device: 'hid:1209:5070' });
    await new Promise((resolve) => setImmediate(resolve));
    keys[0]!.unplug();
    expect(await disconnected).toMatchObject({ name: 'SourceError', fault: 'DISCONNECTED' });
    await pending;
    await expect(source.read(1)).rejects.toMatchObject({ fault: 'DISCONNECTED' });
    expect(keys[0]!.closed).toBe(true);

    await source.open();
    const bytes = await source.read(64);
    expect(Buffer.from(bytes).equals(Buffer.from(keys[1]!.sent[0]!))).toBe(true);
    await source.close();
  });

  it('finds no interface for an absent VID:PID', async () => {
    const source = new HidSource({ usb: '20a0:42b1', listDevices: async () => [{ vendorId: 0x20a0, productId: 0x42b1, path: '/dev/hidraw1', usagePage: 0x01 }] });
    await expect(source.open()).rejects.toMatchObject({ fault: 'OPEN', message: expect.stringContaining('no FIDO HID interface with USB 20a0:42b1') });
  });
});

describe('node-hid', () => {
  it('loads on this host and enumerates (the lazy import path)', async () => {
    const HID = await import('node-hid');
    const devices = HID.devices();
    expect(Array.isArray(devices)).toBe(true);
    // HidSource's own lazy import and devicesAsync: no Solo is attached here.
    if (!devices.some((d) => d.vendorId === 0x1209 && d.productId === 0x5070)) {
      await expect(new HidSource({ usb: '1209:5070' }).open()).rejects.toMatchObject({ fault: 'OPEN', message: expect.stringContaining('no FIDO HID interface') });
    }
  });
});
