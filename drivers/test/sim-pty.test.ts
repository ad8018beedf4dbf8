/**
 * @module test/sim-pty
 * The serial driver end to end through serialport's native binding and a
 * real pty served by SimPty (socat), once per simulator fault: the bytes
 * SerialSource delivers are exactly the simulator's stream (faults
 * included), a stall delivers nothing, and an unplug (socat killed) is a
 * DISCONNECTED error after which open() works again once the simulator is
 * back on the same path.
 */

import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { SerialSource, SimPty, SimSource, SourceError, type SimOptions } from '../src/index.js';

let pty: SimPty | null = null;
let serial: SerialSource | null = null;

afterEach(async () => {
  await serial?.close();
  await pty?.close();
  serial = null;
  pty = null;
});

async function serve(options: SimOptions): Promise<{ sim: SimSource; source: SerialSource }> {
  const sim = new SimSource(options);
  pty = await SimPty.start({ sim });
  serial = new SerialSource({ path: pty.path, driver: 'truerng' });
  await serial.open();
  return { sim, source: serial };
}

async function collect(source: SerialSource, n: number): Promise<Uint8Array> {
  const out = new Uint8Array(n);
  for (let got = 0; got < n; ) {
    const chunk = await source.read(n - got);
    out.set(chunk, got);
    got += chunk.length;
  }
  return out;
}

/**
 * Where in the simulator's stream the received bytes start. Opening a tty
 * flushes its input queue, so bytes socat relayed in the instant before the
 * open completed may be gone; after that nothing may be lost or reordered.
 */
function offsetIn(sim: SimSource, received: Uint8Array, from = 0, window = 1 << 16): number {
  const haystack = Buffer.from(sim.bytesAt(from, window));
  const at = haystack.indexOf(Buffer.from(received.subarray(0, 32)));
  expect(at, 'received bytes are not from the simulator stream').toBeGreaterThanOrEqual(0);
  return from + at;
}

describe('SerialSource ← pty ← SimSource', () => {
  for (const [fault, check] of [
    ['none', () => {}],
    ['stuck', (bytes: Uint8Array, start: number) => expect(new Set(bytes.subarray(4096 - start))).toEqual(new Set([0x00]))],
    ['bias', (bytes: Uint8Array, start: number) => expect(bytes.subarray(4096 - start).filter((b) => b === 0).length).toBeGreaterThan(3000)],
    ['repeat', (bytes: Uint8Array, start: number) => expect(bytes.subarray(4096 - start, 4096 - start + 16)).toEqual(bytes.subarray(4096 - start + 16, 4096 - start + 32))],
  ] as const) {
    it(`delivers the ${fault} stream intact and in order`, async () => {
      const { sim, source } = await serve({ seed: `pty-${fault}`, fault, at: 4096 });
      const bytes = await collect(source, 20_000);
      const start = offsetIn(sim, bytes);
      expect(start).toBeLessThan(4096);
      expect(Buffer.from(bytes).equals(Buffer.from(sim.bytesAt(start, bytes.length)))).toBe(true);
      check(bytes, start);
    });
  }

  it('stall: the stream stops at the offset', async () => {
    const { sim, source } = await serve({ seed: 'pty-stall', fault: 'stall', at: 3000 });
    const first = await source.read(100);
    const start = offsetIn(sim, first, 0, 3000);
    const rest = await collect(source, 3000 - start - first.length);
    expect(Buffer.concat([first, rest]).equals(Buffer.from(sim.bytesAt(start, 3000 - start)))).toBe(true);
    let settled = false;
    const pending = source.read(10).finally(() => (settled = true));
    const closed = expect(pending).rejects.toMatchObject({ fault: 'READ' });
    await sleep(200);
    expect(settled).toBe(false);
    await source.close();
    await closed;
  });

  it('disconnect: the unplug reaches the serial reader, and open() works once the device is back', async () => {
    const { sim, source } = await serve({ seed: 'pty-unplug', fault: 'disconnect', at: 6000, rate: 40_000, reappear: 250 });
    const events: SourceError[] = [];
    source.on('disconnect', (e) => events.push(e));
    const received: Uint8Array[] = [];
    const error = await (async () => {
      for (;;) received.push(await source.read(4096));
    })().catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'SourceError', fault: 'DISCONNECTED', device: `serial:${pty!.path}` });
    expect(events).toHaveLength(1);
    const before = Buffer.concat(received);
    const start = offsetIn(sim, before, 0, 6000);
    // The tail still in the pty when its master closed is lost, as on a real unplug.
    expect(before.equals(Buffer.from(sim.bytesAt(start, before.length)))).toBe(true);
    expect(start + before.length).toBeLessThanOrEqual(6000);
    await expect(source.open()).rejects.toMatchObject({ fault: 'OPEN', message: expect.stringContaining(pty!.path) });

    let attempts = 0;
    for (;;) {
      try {
        await source.open();
        break;
      } catch (err) {
        expect(err).toMatchObject({ fault: 'OPEN' });
        expect(++attempts).toBeLessThan(200);
        await sleep(20);
      }
    }
    const after = await collect(source, 2000);
    const resumed = offsetIn(sim, after, 6000);
    expect(Buffer.from(after).equals(Buffer.from(sim.bytesAt(resumed, after.length)))).toBe(true);
    expect(pty!.starts).toBe(2);
  });
});
