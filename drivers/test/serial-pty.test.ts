/**
 * @module test/serial-pty
 * SerialSource through a real pseudo-terminal pair (socat) and serialport's
 * native binding: bytes arrive intact and in order; killing socat is a
 * disconnect (event, pending and later reads reject with DISCONNECTED
 * naming the path); once socat is back on the same link, open() works again.
 */

import { createHash } from 'node:crypto';
import { mkdtemp, open, rm, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SerialSource, SourceError } from '../src/index.js';
import { startPtyPair, type PtyPair } from './socat.js';

/** 256 distinct-ish bytes per SHA-256 block: any reordering or loss shows. */
function pattern(length: number, label = 'pty'): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i * 32 < length; i++) out.set(createHash('sha256').update(`${label}${i}`).digest().subarray(0, Math.min(32, length - i * 32)), i * 32);
  return out;
}

async function readExactly(source: SerialSource, n: number): Promise<Uint8Array> {
  const out = new Uint8Array(n);
  for (let got = 0; got < n; ) {
    const chunk = await source.read(n - got);
    expect(chunk.length).toBeGreaterThan(0);
    out.set(chunk, got);
    got += chunk.length;
  }
  return out;
}

async function writeInChunks(writer: FileHandle, bytes: Uint8Array, size: number): Promise<void> {
  for (let at = 0; at < bytes.length; at += size) await writer.write(bytes.subarray(at, at + size));
}

describe('SerialSource over a real pty pair', () => {
  let dir: string;
  let pair: PtyPair | null = null;
  let source: SerialSource | null = null;
  let writer: FileHandle | null = null;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rngseal-serial-pty-'));
  });

  afterEach(async () => {
    await writer?.close().catch(() => {});
    await source?.close();
    await pair?.kill();
    await rm(dir, { recursive: true, force: true });
  });

  it('delivers bytes intact and in order, then reports the unplug and reconnects', async () => {
    pair = await startPtyPair(dir);
    source = new SerialSource({ path: pair.b, driver: 'truerng' });
    expect(source.minEntropy).toBe(7.5);
    await source.open();
    expect(source.identity).toMatchObject({ kind: 'serial', path: pair.b });

    writer = await open(pair.a, 'r+');
    const sent = pattern(16384);
    await writeInChunks(writer, sent, 1000);
    expect(await readExactly(source, sent.length)).toEqual(sent);

    // Unplug: kill socat while a read is pending.
    const disconnected = new Promise<SourceError>((resolve) => source!.once('disconnect', resolve));
    const pending = expect(source.read(100)).rejects.toMatchObject({ name: 'SourceError', fault: 'DISCONNECTED', device: `serial:${pair.b}` });
    await pair.kill();
    const event = await disconnected;
    expect(event).toBeInstanceOf(SourceError);
    expect(event.fault).toBe('DISCONNECTED');
    expect(event.message).toContain(pair.b);
    await pending;
    await expect(source.read(1)).rejects.toMatchObject({ fault: 'DISCONNECTED' });
    await writer.close();
    writer = null;

    // While the device is absent, open() fails naming the path.
    await expect(source.open()).rejects.toMatchObject({ fault: 'OPEN', message: expect.stringContaining(pair.b) });

    // Plugged back in on the same link: open() works and bytes flow again.
    pair = await startPtyPair(dir);
    await source.open();
    writer = await open(pair.a, 'r+');
    const again = pattern(4096, 'again');
    await writeInChunks(writer, again, 512);
    expect(await readExactly(source, again.length)).toEqual(again);
  });

  it('close() rejects a pending read and a closed source refuses reads', async () => {
    pair = await startPtyPair(dir);
    source = new SerialSource({ path: pair.b, driver: 'neug' });
    await source.open();
    const pending = expect(source.read(10)).rejects.toMatchObject({ fault: 'READ', message: expect.stringContaining('closed') });
    await source.close();
    await pending;
    await expect(source.read(1)).rejects.toMatchObject({ fault: 'READ' });
  });

  it('a missing device is an OPEN error naming the path', async () => {
    source = new SerialSource({ path: join(dir, 'nothing-here'), driver: 'truerng' });
    await expect(source.open()).rejects.toMatchObject({ name: 'SourceError', fault: 'OPEN', message: expect.stringContaining(join(dir, 'nothing-here')) });
  });
});
