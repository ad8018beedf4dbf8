/**
 * @module @rngseal/drivers
 * Entropy sources behind one EntropySource interface.
 */
export * from './source.js';
export { OsSource } from './os.js';
export * from './serial.js';
export * from './hid.js';
export * from './hwrng.js';
export * from './sim.js';
export { SimPty, type SimPtyOptions } from './sim-pty.js';
export * from './spec.js';
export * from './devices.js';
export * from './known-devices.js';
export { ByteQueue } from './byte-queue.js';
export { eofAwareBinding } from './serial-eof.js';
export { usbInfoFor, usbInfoForTty, type UsbInfo } from './sysfs.js';
export * from './health/index.js';
export * from './drbg/index.js';
