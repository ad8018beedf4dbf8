/**
 * @module test/devices
 * listDevices() on this machine (its virtio-rng hwrng must show) and on a
 * fake sysfs tree laid out as the kernel does: tty → USB interface → USB
 * device with idVendor/idProduct, hw_random, usbmisc/chaoskey; plus HID
 * enumeration injected, and a failing node-hid reported as a warning.
 */

import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listDevices, parseSourceSpec } from '../src/index.js';

describe('listDevices on this machine', () => {
  it('finds the kernel hwrng (virtio_rng) without udevadm', async () => {
    const { devices, warnings } = await listDevices();
    const hwrng = devices.find((d) => d.kind === 'hwrng' && d.path === '/dev/hwrng');
    expect(hwrng, `no hwrng entry in ${JSON.stringify({ devices, warnings })}`).toBeDefined();
    expect(hwrng).toMatchObject({ spec: 'hwrng', description: expect.stringContaining('virtio_rng') });
    expect(warnings.filter((w) => w.includes('hwrng'))).toEqual([]);
    for (const d of devices) expect(() => parseSourceSpec(d.spec)).not.toThrow();
  });
});

describe('listDevices on a fake sysfs', () => {
  let root: string;
  let sys: string;

  async function usbDevice(id: string, attrs: Record<string, string>): Promise<string> {
    const dir = join(sys, 'devices', 'pci0000:00', '0000:00:14.0', 'usb1', id);
    await mkdir(dir, { recursive: true });
    for (const [k, v] of Object.entries(attrs)) await writeFile(join(dir, k), `${v}\n`);
    return dir;
  }

  async function classEntry(cls: string, name: string, target: string): Promise<void> {
    await mkdir(join(target, cls, name), { recursive: true });
    await mkdir(join(sys, 'class', cls, name), { recursive: true });
    await symlink(target, join(sys, 'class', cls, name, 'device'));
  }

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'rngseal-devices-'));
    sys = join(root, 'sys');
    const trng = await usbDevice('1-1', { idVendor: '04d8', idProduct: 'f5fe', manufacturer: 'ubld.it', product: 'TrueRNG', serial: 'A1' });
    await classEntry('tty', 'ttyACM0', join(trng, '1-1:1.0'));
    const onerng = await usbDevice('1-2', { idVendor: '1d50', idProduct: '6086', product: 'OneRNG' });
    await classEntry('tty', 'ttyACM1', join(onerng, '1-2:1.0'));
    const ftdi = await usbDevice('1-3', { idVendor: '0403', idProduct: '6001', product: 'FT232R' });
    await classEntry('tty', 'ttyUSB0', join(ftdi, '1-3:1.0'));
    await classEntry('tty', 'ttyS0', join(sys, 'devices', 'platform', 'serial8250'));
    await mkdir(join(sys, 'class', 'tty', 'tty0'), { recursive: true }); // no device link at all
    const chaos = await usbDevice('1-4', { idVendor: '1d50', idProduct: '60c6', serial: 'CK9' });
    await classEntry('usbmisc', 'chaoskey0', join(chaos, '1-4:1.0'));
    await mkdir(join(sys, 'class', 'misc', 'hw_random'), { recursive: true });
    await writeFile(join(sys, 'class', 'misc', 'hw_random', 'rng_current'), 'none\n');
    await writeFile(join(sys, 'class', 'misc', 'hw_random', 'rng_available'), 'tpm-rng-0 none\n');
  });

  afterEach(() => rm(root, { recursive: true, force: true }));

  it('lists known USB serial generators with their driver and spec, and ChaosKeys', async () => {
    const hid = async () => [
      { vendorId: 0x1209, productId: 0x5070, path: '/dev/hidraw2', usagePage: 0xf1d0, manufacturer: 'SoloKeys', product: 'Solo 4.1.2', serialNumber: 'S1' },
      { vendorId: 0x1209, productId: 0x5070, path: '/dev/hidraw3', usagePage: 0x01 }, // the keyboard interface
      { vendorId: 0x046d, productId: 0xc52b, path: '/dev/hidraw4', usagePage: 0xf1d0 }, // not a known key
    ];
    const { devices, warnings } = await listDevices({ sysfsRoot: sys, devRoot: join(root, 'dev'), hidDevices: hid });
    expect(devices).toEqual([
      {
        kind: 'serial',
        path: join(root, 'dev', 'ttyACM0'),
        usb: '04d8:f5fe',
        driver: 'truerng',
        serial: 'A1',
        description: 'ubld.it TrueRNG (v1–v3) (ubld.it TrueRNG)',
        spec: `serial:${join(root, 'dev', 'ttyACM0')}?driver=truerng`,
      },
      {
        kind: 'serial',
        path: join(root, 'dev', 'ttyACM1'),
        usb: '1d50:6086',
        driver: 'onerng',
        description: 'Moonbase Otago OneRNG (OneRNG)',
        spec: `serial:${join(root, 'dev', 'ttyACM1')}?driver=onerng`,
      },
      {
        kind: 'hid',
        path: '/dev/hidraw2',
        usb: '1209:5070',
        serial: 'S1',
        description: 'SoloKeys Solo (pid.codes VID) (SoloKeys Solo 4.1.2)',
        spec: 'hid:/dev/hidraw2',
      },
      {
        kind: 'hwrng',
        path: join(root, 'dev', 'chaoskey0'),
        usb: '1d50:60c6',
        serial: 'CK9',
        description: 'Altus Metrum ChaosKey: no vendor entropy rating, add a measured h= to the spec',
        spec: `hwrng:${join(root, 'dev', 'chaoskey0')}`,
      },
    ]);
    expect(warnings).toEqual(['kernel hwrng present but no driver bound (rng_available: tpm-rng-0)']);
  });

  it('reports an unloadable node-hid as a warning instead of throwing', async () => {
    const { devices, warnings } = await listDevices({
      sysfsRoot: sys,
      hidDevices: async () => {
        throw new Error('libusb-1.0.so.0: cannot open shared object file');
      },
    });
    expect(devices.map((d) => d.kind)).toEqual(['serial', 'serial', 'hwrng']);
    expect(warnings).toContain('HID devices not listed: node-hid unavailable (libusb-1.0.so.0: cannot open shared object file)');
  });

  it('warns when the hwrng is bound but its node is missing', async () => {
    await writeFile(join(sys, 'class', 'misc', 'hw_random', 'rng_current'), 'tpm-rng-0\n');
    const { devices, warnings } = await listDevices({ sysfsRoot: sys, devRoot: join(root, 'dev'), hidDevices: false });
    expect(devices.find((d) => d.path === join(root, 'dev', 'hwrng'))).toMatchObject({ kind: 'hwrng', spec: 'hwrng' });
    expect(warnings).toEqual([`kernel hwrng tpm-rng-0 is bound but ${join(root, 'dev', 'hwrng')} does not exist`]);
  });
});
