/**
 * EGLDisplay acquisition, shared and reference-counted per platform/device.
 *
 * EGL returns the same EGLDisplay for the same platform + native display, in every thread, and eglTerminate is not
 * counted: one eglTerminate tears down every context on that display. So contexts share one initialized display per
 * key, and the display is terminated when the last context of the whole process goes: counted in native memory
 * shared by all threads (shared-refs.ts), or by EGL itself where it offers EGL_KHR_display_reference. Should the
 * shared block be unavailable, only the main thread terminates (on its own count) and workers leave it initialized.
 */
import { isMainThread } from 'node:worker_threads';
import { ISFError } from '../../core/errors.ts';
import { EGL, eglErrorName } from './constants.ts';
import { APT_FIX, type Native } from './native.ts';
import { sharedRefs, slotOf, withLock } from './shared-refs.ts';

export type DeviceOption = 'cpu' | 'gpu' | number;

export interface EglDeviceInfo {
  index: number;
  /** The device's EGL extension string. */
  extensions: string;
  /** DRM device or render node file, when the device has one. */
  drmFile: string | null;
  /** Mesa's software device (llvmpipe). */
  software: boolean;
  /** An NVIDIA device (EGL_NV_device_cuda). */
  nvidia: boolean;
}

export interface DisplayHandle {
  key: string;
  display: bigint;
  platform: 'surfaceless' | 'device';
  deviceIndex: number | null;
  eglVersion: string;
}

interface DisplayEntry extends DisplayHandle {
  /** Contexts of this thread holding the display. */
  refs: number;
  /** EGL_KHR_display_reference is on: eglInitialize/eglTerminate are counted by EGL itself. */
  tracked: boolean;
}

const displays = new Map<string, DisplayEntry>();
const EGL_TRACK_REFERENCES_KHR = 0x3352;
const scratch = new Int32Array(2);

function fail(message: string, fixes: string[] = []): ISFError {
  const text = fixes.length
    ? `${message}\nPossible solutions:\n${fixes.map((f) => `- ${f}`).join('\n')}`
    : message;
  return new ISFError('GL_UNAVAILABLE', text, fixes[0] === undefined ? {} : { suggestion: fixes[0] });
}

function lastError(native: Native): string {
  return eglErrorName(native.egl.eglGetError());
}

export function clientExtensions(native: Native): string {
  return native.egl.eglQueryString(null, EGL.EXTENSIONS) ?? '';
}

/** The devices eglQueryDevicesEXT reports (empty when the extension is missing). */
export function queryDevices(native: Native): { devices: bigint[]; infos: EglDeviceInfo[] } {
  const { eglQueryDevicesEXT, eglQueryDeviceStringEXT } = native.egl;
  if (!eglQueryDevicesEXT) return { devices: [], infos: [] };
  const buf = new BigUint64Array(32);
  const num = new Int32Array(1);
  if (!eglQueryDevicesEXT(buf.length, buf, num)) return { devices: [], infos: [] };
  const devices = Array.from(buf.subarray(0, num[0]));
  const infos = devices.map((dev, index) => {
    const extensions = eglQueryDeviceStringEXT?.(dev, EGL.EXTENSIONS) ?? '';
    let drmFile: string | null = null;
    if (eglQueryDeviceStringEXT && extensions.includes('EGL_EXT_device_drm_render_node'))
      drmFile = eglQueryDeviceStringEXT(dev, EGL.DRM_RENDER_NODE_FILE_EXT);
    if (!drmFile && eglQueryDeviceStringEXT && /EGL_EXT_device_drm\b/.test(extensions))
      drmFile = eglQueryDeviceStringEXT(dev, EGL.DRM_DEVICE_FILE_EXT);
    native.egl.eglGetError(); // a refused query leaves an error behind; do not let it leak into later messages
    return {
      index,
      extensions,
      drmFile,
      software: extensions.includes('EGL_MESA_device_software'),
      nvidia: extensions.includes('EGL_NV_device_cuda'),
    };
  });
  return { devices, infos };
}

export function describeDevice(d: EglDeviceInfo): string {
  const kind = d.nvidia ? 'NVIDIA' : d.software ? 'software (Mesa llvmpipe)' : 'hardware';
  return `#${d.index} ${kind}${d.drmFile ? ` ${d.drmFile}` : ''} [${d.extensions.trim() || 'no extensions'}]`;
}

function pickDevice(native: Native, device: 'gpu' | number): { ptr: bigint; index: number } {
  const clientExt = clientExtensions(native);
  const { devices, infos } = queryDevices(native);
  const found = infos.length
    ? `eglQueryDevicesEXT found ${infos.length} device(s): ${infos.map(describeDevice).join('; ')}`
    : native.egl.eglQueryDevicesEXT
      ? 'eglQueryDevicesEXT found no device'
      : `EGL has no eglQueryDevicesEXT (client extensions: ${clientExt || 'none'})`;
  const gpuFixes = [
    'On an NVIDIA machine: install the driver and point glvnd at its EGL vendor file, e.g. export __EGL_VENDOR_LIBRARY_FILENAMES=/usr/share/glvnd/egl_vendor.d/10_nvidia.json',
    "Use device: 'cpu' to render in software (Mesa llvmpipe)",
  ];
  if (!clientExt.includes('EGL_EXT_platform_device'))
    throw fail(
      `EGL does not support EGL_EXT_platform_device, so no GPU device can be opened. ${found}`,
      gpuFixes,
    );
  let index: number;
  if (device === 'gpu') {
    const pick = infos.find((d) => d.nvidia) ?? infos.find((d) => !d.software);
    if (!pick) throw fail(`No GPU EGL device found for device: 'gpu'. ${found}`, gpuFixes);
    index = pick.index;
  } else {
    index = device;
    if (index >= devices.length) throw fail(`EGL device index ${device} does not exist. ${found}`, gpuFixes);
  }
  return { ptr: devices[index]!, index };
}

/** Returns an initialized display for the requested device, with its reference count raised by one. */
export function acquireDisplay(native: Native, device: DeviceOption | undefined): DisplayHandle {
  const useDevice = device === 'gpu' || typeof device === 'number';
  let picked: { ptr: bigint; index: number } | null = null;
  if (useDevice) picked = pickDevice(native, device);
  const key = `${picked ? `device:${picked.index}` : 'surfaceless'}@${native.libEGL}`;
  let entry = displays.get(key);
  if (!entry) {
    const clientExt = clientExtensions(native);
    if (!picked && !clientExt.includes('EGL_MESA_platform_surfaceless')) {
      throw fail(
        `EGL cannot open a surfaceless display: the client extensions lack EGL_MESA_platform_surfaceless (found: ${clientExt || 'none'}).`,
        [
          `Install Mesa's EGL driver: ${APT_FIX}`,
          "On an NVIDIA machine without Mesa, use device: 'gpu' (EGL device platform)",
        ],
      );
    }
    const platform = picked ? EGL.PLATFORM_DEVICE_EXT : EGL.PLATFORM_SURFACELESS_MESA;
    const nativeDisplay = picked ? picked.ptr : null; // EGL_DEFAULT_DISPLAY for surfaceless
    const tracked = clientExt.includes('EGL_KHR_display_reference');
    const { eglGetPlatformDisplay, eglGetPlatformDisplayEXT } = native.egl;
    let display: bigint | null = null;
    if (eglGetPlatformDisplay) {
      const attribs = tracked
        ? new BigInt64Array([BigInt(EGL_TRACK_REFERENCES_KHR), 1n, BigInt(EGL.NONE)])
        : null;
      display = eglGetPlatformDisplay(platform, nativeDisplay, attribs);
    } else if (eglGetPlatformDisplayEXT) {
      display = eglGetPlatformDisplayEXT(platform, nativeDisplay, null);
    } else {
      throw fail(
        'EGL has neither eglGetPlatformDisplay nor eglGetPlatformDisplayEXT (EGL 1.5 or EXT_platform_base).',
        [`Install a current EGL loader: ${APT_FIX}`],
      );
    }
    const what = picked ? `EGL device #${picked.index}` : 'the surfaceless Mesa platform';
    if (!display) throw fail(`eglGetPlatformDisplay for ${what} failed with ${lastError(native)}.`);
    entry = {
      key,
      display,
      platform: picked ? 'device' : 'surfaceless',
      deviceIndex: picked ? picked.index : null,
      eglVersion: '',
      refs: 0,
      tracked: tracked && eglGetPlatformDisplay !== null,
    };
    displays.set(key, entry);
  }
  const e = entry;
  const initialize = () => {
    // eglInitialize on an initialized display is a cheap no-op, so each thread's first context simply calls it.
    if (e.refs > 0 && !e.tracked) return;
    if (native.egl.eglInitialize(e.display, scratch.subarray(0, 1), scratch.subarray(1, 2)) === 0) {
      throw fail(`eglInitialize failed with ${lastError(native)} for the ${e.platform} display (${key}).`, [
        `Install Mesa's EGL and DRI drivers: ${APT_FIX}`,
      ]);
    }
    e.eglVersion = native.egl.eglQueryString(e.display, EGL.VERSION) ?? `${scratch[0]}.${scratch[1]}`;
  };
  const shared = e.tracked ? null : sharedRefs(native);
  if (shared) {
    const slot = slotOf(key);
    withLock(shared, () => {
      initialize();
      Atomics.add(shared, slot, 1);
    });
  } else {
    initialize();
  }
  e.refs++;
  return e;
}

/** Drops one reference; terminates the display when it was the last one in the process (see module comment). */
export function releaseDisplay(native: Native, handle: DisplayHandle): void {
  const entry = displays.get(handle.key);
  if (!entry || entry.refs === 0) return;
  entry.refs--;
  if (entry.tracked) {
    native.egl.eglTerminate(entry.display); // EGL_KHR_display_reference: EGL counts for us
    return;
  }
  const shared = sharedRefs(native);
  if (shared) {
    const slot = slotOf(handle.key);
    withLock(shared, () => {
      if (Atomics.sub(shared, slot, 1) === 1) native.egl.eglTerminate(entry.display);
    });
  } else if (entry.refs === 0 && isMainThread) {
    native.egl.eglTerminate(entry.display);
  }
}

/** Number of contexts holding each display on this thread (for tests and diagnostics). */
export function displayRefs(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, e] of displays) out[k] = e.refs;
  return out;
}
