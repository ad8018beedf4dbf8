/**
 * @module known-devices
 * USB vendor:product IDs of the entropy devices rngseal has drivers for, so
 * device discovery can suggest a spec and a driver can refuse to speak the
 * wrong protocol to a device it recognises as something else.
 */

export type SerialDriverName = 'truerng' | 'truerngpro' | 'neug' | 'onerng';

export interface KnownSerialDevice {
  usb: string;
  driver: SerialDriverName;
  model: string;
}

export interface KnownHidDevice {
  usb: string;
  model: string;
}

/** CDC-ACM noise generators (they appear as /dev/ttyACM*). */
export const KNOWN_SERIAL: readonly KnownSerialDevice[] = [
  { usb: '04d8:f5fe', driver: 'truerng', model: 'ubld.it TrueRNG (v1–v3)' },
  { usb: '16d0:0aa0', driver: 'truerngpro', model: 'ubld.it TrueRNGpro' },
  { usb: '04d8:ebb5', driver: 'truerngpro', model: 'ubld.it TrueRNGpro V2' },
  { usb: '234b:0001', driver: 'neug', model: 'FSIJ NeuG (FST-01)' },
  { usb: '1d50:6086', driver: 'onerng', model: 'Moonbase Otago OneRNG' },
];

/** FIDO security keys whose firmware answers the CTAPHID vendor command 0x60 (random bytes). */
export const KNOWN_FIDO_RNG: readonly KnownHidDevice[] = [
  { usb: '0483:a2ca', model: 'SoloKeys Solo (STM32 VID)' },
  { usb: '1209:5070', model: 'SoloKeys Solo (pid.codes VID)' },
  { usb: '1209:beee', model: 'SoloKeys Solo 2' },
  { usb: '20a0:42b1', model: 'Nitrokey FIDO2' },
  { usb: '20a0:42b2', model: 'Nitrokey 3' },
];

/** Character devices that are themselves noise sources, with the kernel driver exposing them. */
export const KNOWN_CHAR_DEVICES: readonly KnownHidDevice[] = [{ usb: '1d50:60c6', model: 'Altus Metrum ChaosKey' }];

/** `vvvv:pppp`, lower-case hex, from numeric or string IDs. */
export function usbId(vendor: number | string, product: number | string): string {
  const hex = (v: number | string) => (typeof v === 'number' ? v.toString(16) : v.trim().toLowerCase()).padStart(4, '0');
  return `${hex(vendor)}:${hex(product)}`;
}

export function knownSerial(usb: string | undefined): KnownSerialDevice | undefined {
  return KNOWN_SERIAL.find((d) => d.usb === usb);
}

export function knownFido(usb: string | undefined): KnownHidDevice | undefined {
  return KNOWN_FIDO_RNG.find((d) => d.usb === usb);
}
