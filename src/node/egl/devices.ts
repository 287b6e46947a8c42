import { type EglDeviceInfo, queryDevices } from './display.ts';
import { type LibraryOptions, loadNative } from './native.ts';

/** The EGL devices this machine exposes (eglQueryDevicesEXT); empty when EGL lacks device enumeration. */
export function listEglDevices(options: LibraryOptions = {}): EglDeviceInfo[] {
  return queryDevices(loadNative(options)).infos;
}
