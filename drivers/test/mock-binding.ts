/**
 * @module test/mock-binding
 * @serialport/binding-mock with its types: the package's ESM entry ships
 * none, so it is loaded through its CommonJS entry, which does.
 */

import { createRequire } from 'node:module';
import type { MockBindingInterface } from '@serialport/binding-mock' with { 'resolution-mode': 'require' };

export type { MockPortBinding } from '@serialport/binding-mock' with { 'resolution-mode': 'require' };

export const MockBinding: MockBindingInterface = createRequire(import.meta.url)('@serialport/binding-mock').MockBinding;
