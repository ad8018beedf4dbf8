/**
 * @module devices
 * Discovers entropy devices on this host, for `rngseal devices` and for
 * operators writing a source spec:
 *
 * - USB serial noise generators: every `/sys/class/tty/*` whose USB device
 *   has a known VID:PID (read from sysfs directly; udevadm is not needed,
 *   unlike serialport's own list()).
 * - FIDO keys with the random-number vendor command, from node-hid's
 *   device list (loaded lazily; if it cannot load, that becomes a warning).
 * - The kernel hwrng (`/sys/class/misc/hw_random`) and ChaosKey nodes
 *   (`/sys/class/usbmisc/chaoskey*`).
 *
 * Every entry carries a ready-to-use spec. Nothing is opened.
 */

import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { HidDeviceInfo } from './hid.js';
import { CTAPHID } from './hid.js';
import { readKernelHwrng } from './hwrng.js';
import { KNOWN_CHAR_DEVICES, knownFido, knownSerial, usbId } from './known-devices.js';
import { pathExists, usbInfoFor } from './sysfs.js';

export interface FoundDevice {
  kind: 'serial' | 'hid' | 'hwrng';
  path: string;
  usb?: string;
  /** Serial driver to use (serial devices only). */
  driver?: string;
  serial?: string;
  description: string;
  /** A source spec for this device (`serial:/dev/ttyACM0?driver=truerng`); ChaosKeys still need `?h=`. */
  spec: string;
}

export interface DeviceList {
  devices: FoundDevice[];
  warnings: string[];
}

export interface ListDevicesOptions {
  /** Default /sys. */
  sysfsRoot?: string;
  /** Where device nodes live. Default /dev. */
  devRoot?: string;
  /** HID enumeration; default node-hid's devicesAsync (lazy import). `false` skips HID. */
  hidDevices?: (() => Promise<HidDeviceInfo[]>) | false;
}

export async function listDevices(options: ListDevicesOptions = {}): Promise<DeviceList> {
  const sysfs = options.sysfsRoot ?? '/sys';
  const dev = options.devRoot ?? '/dev';
  const warnings: string[] = [];
  const devices = [
    ...(await serialDevices(sysfs, dev)),
    ...(await hidDevices(options.hidDevices, warnings)),
    ...(await kernelHwrng(sysfs, dev, warnings)),
    ...(await chaosKeys(sysfs, dev)),
  ];
  return { devices, warnings };
}

async function serialDevices(sysfs: string, dev: string): Promise<FoundDevice[]> {
  const found: FoundDevice[] = [];
  for (const name of await list(join(sysfs, 'class', 'tty'))) {
    const info = await usbInfoFor('tty', name, sysfs);
    const known = knownSerial(info?.usb);
    if (!info || !known) continue;
    const path = join(dev, name);
    const product = [info.manufacturer, info.product].filter(Boolean).join(' ');
    found.push({
      kind: 'serial',
      path,
      usb: info.usb,
      driver: known.driver,
      ...(info.serial && { serial: info.serial }),
      description: product ? `${known.model} (${product})` : known.model,
      spec: `serial:${path}?driver=${known.driver}`,
    });
  }
  return found;
}

async function hidDevices(enumerate: ListDevicesOptions['hidDevices'], warnings: string[]): Promise<FoundDevice[]> {
  if (enumerate === false) return [];
  let all: HidDeviceInfo[];
  try {
    all = enumerate ? await enumerate() : await (await import('node-hid')).devicesAsync();
  } catch (err) {
    warnings.push(`HID devices not listed: node-hid unavailable (${(err as Error).message})`);
    return [];
  }
  const found: FoundDevice[] = [];
  for (const d of all) {
    const usb = usbId(d.vendorId, d.productId);
    const known = knownFido(usb);
    // One key exposes several interfaces; only the FIDO one speaks CTAPHID.
    if (!known || !d.path || (d.usagePage !== undefined && d.usagePage !== CTAPHID.FIDO_USAGE_PAGE)) continue;
    found.push({
      kind: 'hid',
      path: d.path,
      usb,
      ...(d.serialNumber && { serial: d.serialNumber }),
      description: `${known.model}${d.product ? ` (${[d.manufacturer, d.product].filter(Boolean).join(' ')})` : ''}`,
      spec: `hid:${d.path}`,
    });
  }
  return found;
}

async function kernelHwrng(sysfs: string, dev: string, warnings: string[]): Promise<FoundDevice[]> {
  const kernel = await readKernelHwrng(sysfs);
  if (!kernel) return [];
  const available = kernel.available.filter((name) => name !== 'none').join(' ') || 'none';
  if (kernel.current === 'none') {
    warnings.push(`kernel hwrng present but no driver bound (rng_available: ${available})`);
    return [];
  }
  const path = join(dev, 'hwrng');
  if (!(await pathExists(path))) warnings.push(`kernel hwrng ${kernel.current} is bound but ${path} does not exist`);
  const quality = kernel.quality === undefined ? '' : `, rng_quality ${kernel.quality}/1024`;
  return [
    {
      kind: 'hwrng',
      path,
      description: `kernel hwrng ${kernel.current} (available: ${available}${quality})`,
      spec: 'hwrng',
    },
  ];
}

async function chaosKeys(sysfs: string, dev: string): Promise<FoundDevice[]> {
  const found: FoundDevice[] = [];
  for (const name of await list(join(sysfs, 'class', 'usbmisc'))) {
    if (!name.startsWith('chaoskey')) continue;
    const info = await usbInfoFor('usbmisc', name, sysfs);
    const model = KNOWN_CHAR_DEVICES.find((k) => k.usb === info?.usb)?.model ?? 'ChaosKey';
    const path = join(dev, name);
    found.push({
      kind: 'hwrng',
      path,
      ...(info && { usb: info.usb }),
      ...(info?.serial && { serial: info.serial }),
      description: `${model}: no vendor entropy rating, add a measured h= to the spec`,
      spec: `hwrng:${path}`,
    });
  }
  return found;
}

async function list(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).sort();
  } catch {
    return [];
  }
}
