/**
 * @module test/hwrng
 * HwrngSource on this machine's real /dev/hwrng (virtio-rng; a few KB
 * only, it runs at ~10 KB/s), its claim from the kernel's rng_quality (fake
 * sysfs), missing devices, and end-of-file as a disconnect (through a FIFO,
 * whose writer closing is the nearest thing to an unplug without hardware).
 */

import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HwrngSource, SourceError, readKernelHwrng } from '../src/index.js';

describe('HwrngSource on the real /dev/hwrng', () => {
  it('reads 2 KB that are not all equal, identified by the kernel driver', async () => {
    expect(existsSync('/dev/hwrng'), '/dev/hwrng is missing: this test needs the kernel hwrng (virtio-rng in CI VMs; `modprobe virtio-rng`)').toBe(true);
    const kernel = await readKernelHwrng();
    expect(kernel?.current, 'no hwrng driver is bound (/sys/class/misc/hw_random/rng_current)').toMatch(/virtio_rng/);

    const source = new HwrngSource();
    await source.open();
    expect(source.identity).toMatchObject({ kind: 'hwrng', path: '/dev/hwrng', description: expect.stringContaining('virtio_rng') });
    expect(source.minEntropy).toBe(7.5); // rng_quality 1024 → 8, capped at 7.5
    const bytes = new Uint8Array(2048);
    for (let got = 0; got < bytes.length; ) {
      const chunk = await source.read(bytes.length - got);
      expect(chunk.length).toBeGreaterThan(0);
      bytes.set(chunk, got);
      got += chunk.length;
    }
    await source.close();
    expect(new Set(bytes).size).toBeGreaterThan(200); // 2048 uniform bytes hit ~255 values
    await expect(source.read(1)).rejects.toMatchObject({ fault: 'READ', message: expect.stringContaining('not open') });
  });

  it('a nonexistent path is an OPEN error naming it', async () => {
    const source = new HwrngSource({ path: '/dev/no-such-rng', minEntropy: 6 });
    const err = await source.open().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SourceError);
    expect(err).toMatchObject({ fault: 'OPEN', device: 'hwrng:/dev/no-such-rng', message: expect.stringContaining('/dev/no-such-rng') });
  });

  it('other device nodes need a measured claim', () => {
    expect(() => new HwrngSource({ path: '/dev/chaoskey0' })).toThrow(/give h=/);
    expect(new HwrngSource({ path: '/dev/chaoskey0', minEntropy: 6 }).minEntropy).toBe(6);
  });
});

describe('the kernel rating (fake sysfs)', () => {
  let sys: string;
  beforeEach(async () => {
    sys = await mkdtemp(join(tmpdir(), 'rngseal-hwrng-sysfs-'));
    await mkdir(join(sys, 'class', 'misc', 'hw_random'), { recursive: true });
  });
  afterEach(() => rm(sys, { recursive: true, force: true }));

  const kernel = async (current: string, quality?: number) => {
    await writeFile(join(sys, 'class', 'misc', 'hw_random', 'rng_current'), `${current}\n`);
    await writeFile(join(sys, 'class', 'misc', 'hw_random', 'rng_available'), `${current} none\n`);
    if (quality !== undefined) await writeFile(join(sys, 'class', 'misc', 'hw_random', 'rng_quality'), `${quality}\n`);
  };

  it('scales rng_quality to bits per byte', async () => {
    await kernel('tpm-rng-0', 512);
    const source = new HwrngSource({ sysfsRoot: sys });
    await source.open();
    expect(source.minEntropy).toBe(4);
    expect(source.identity.description).toBe('kernel hwrng tpm-rng-0 (rng_quality 512/1024)');
    await source.close();
  });

  it('quality 0 needs h=, and h= wins over the kernel', async () => {
    await kernel('timeriomem_rng', 0);
    await expect(new HwrngSource({ sysfsRoot: sys }).open()).rejects.toMatchObject({ fault: 'CONFIG', message: expect.stringContaining('rng_quality 0') });
    const claimed = new HwrngSource({ sysfsRoot: sys, minEntropy: 3 });
    await claimed.open();
    expect(claimed.minEntropy).toBe(3);
    await claimed.close();
  });

  it('no bound driver is an OPEN error', async () => {
    await kernel('none');
    await expect(new HwrngSource({ sysfsRoot: sys }).open()).rejects.toMatchObject({ fault: 'OPEN', message: expect.stringContaining('no kernel hwrng driver') });
  });
});

describe('end of file is a disconnect', () => {
  it('emits disconnect and rejects reads when the writer side goes away', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rngseal-hwrng-fifo-'));
    const fifo = join(dir, 'rng');
    execFileSync('mkfifo', [fifo]);
    try {
      const source = new HwrngSource({ path: fifo, minEntropy: 7 });
      const opening = source.open(); // blocks (in the thread pool) until a writer appears
      const writer = await open(fifo, 'w');
      await opening;
      await writer.write(Buffer.from([9, 8, 7]));
      expect(await source.read(10)).toEqual(Uint8Array.of(9, 8, 7));
      const disconnected = new Promise<SourceError>((resolve) => source.once('disconnect', resolve));
      await writer.close();
      await expect(source.read(10)).rejects.toMatchObject({ fault: 'DISCONNECTED', device: `hwrng:${fifo}` });
      expect((await disconnected).fault).toBe('DISCONNECTED');
      await expect(source.read(1)).rejects.toMatchObject({ fault: 'DISCONNECTED' });
      await source.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
