/**
 * @module sysfs
 * Reads USB descriptors for a device node from Linux sysfs
 * (`/sys/class/<class>/<name>/device/..`), the way udev would, without
 * needing udevadm (absent on many servers and containers; serialport's own
 * `list()` depends on it). The root is injectable so tests can build a fake
 * tree.
 */

import { access, readFile, realpath } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { usbId } from './known-devices.js';

export interface UsbInfo {
  usb: string;
  serial?: string;
  manufacturer?: string;
  product?: string;
  /** bcdDevice, the device release number firmware vendors bump (`0200`). */
  firmware?: string;
}

/** Whether a path (device node, sysfs entry, pty link) exists now. */
export async function pathExists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/** Trimmed contents of a sysfs attribute, or undefined when absent. */
export async function readAttr(path: string): Promise<string | undefined> {
  try {
    return (await readFile(path, 'utf8')).trim();
  } catch {
    return undefined;
  }
}

/**
 * USB descriptors of the device behind `/sys/class/<cls>/<name>`. `device`
 * links to the USB *interface* (tty, usbmisc) or to a HID device below it
 * (hidraw), so the USB device with idVendor/idProduct is found by walking up
 * a few levels.
 */
export async function usbInfoFor(cls: string, name: string, sysfsRoot = '/sys'): Promise<UsbInfo | undefined> {
  let dir: string;
  try {
    // realpath, not path.join(…, '..'): join would resolve '..' lexically
    // against the symlink instead of its target.
    dir = await realpath(join(sysfsRoot, 'class', cls, name, 'device'));
  } catch {
    return undefined;
  }
  for (let level = 0; level < 4; level++, dir = dirname(dir)) {
    const vendor = await readAttr(join(dir, 'idVendor'));
    const product = await readAttr(join(dir, 'idProduct'));
    if (vendor && product) return describeUsbDevice(dir, usbId(vendor, product));
  }
  return undefined;
}

async function describeUsbDevice(dir: string, usb: string): Promise<UsbInfo> {
  const info: UsbInfo = { usb };
  const serial = await readAttr(join(dir, 'serial'));
  const manufacturer = await readAttr(join(dir, 'manufacturer'));
  const product = await readAttr(join(dir, 'product'));
  const firmware = await readAttr(join(dir, 'bcdDevice'));
  if (serial) info.serial = serial;
  if (manufacturer) info.manufacturer = manufacturer;
  if (product) info.product = product;
  if (firmware) info.firmware = firmware;
  return info;
}

/** USB descriptors for a tty path such as /dev/ttyACM0 or a /dev/serial/by-id link. */
export async function usbInfoForTty(path: string, sysfsRoot = '/sys'): Promise<UsbInfo | undefined> {
  let node: string;
  try {
    node = await realpath(path);
  } catch {
    return undefined;
  }
  return usbInfoFor('tty', basename(node), sysfsRoot);
}
