/**
 * EGLDisplay acquisition, shared per platform/device.
 *
 * EGL returns the same EGLDisplay for the same platform + native display, in every thread, and a plain
 * eglTerminate is not counted: one eglTerminate tears down every context on that display, including those of other
 * worker threads (seen with Mesa: EGL_BAD_DISPLAY in a worker after the main thread destroyed its last context).
 * Node gives each worker its own module state, so no JavaScript count can see the whole process. Hence:
 * - where EGL offers EGL_KHR_display_reference, the display is opened with EGL_TRACK_REFERENCES_KHR and every
 *   context pairs one eglInitialize with one eglTerminate: EGL itself counts, process-wide, and terminates the
 *   display when the last context anywhere goes;
 * - otherwise the display is initialized once and kept for the life of the process (never terminated). An
 *   initialized display without contexts costs little, and it needs no process-wide state of our own (no
 *   environment variable, no native block, no lock) for a thread to go wrong about.
 */
import { ISFError } from '../../core/errors.ts';
import { EGL, eglErrorName } from './constants.ts';
import { APT_FIX, type Native } from './native.ts';

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
  /** Contexts of this thread holding the display (for diagnostics; EGL does the process-wide counting). */
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
  // Untracked: eglInitialize on an initialized display is a cheap no-op, so each thread's first context simply
  // calls it (another thread may have initialized it already). Tracked: every context counts one.
  if (entry.refs === 0 || entry.tracked) {
    if (native.egl.eglInitialize(entry.display, scratch.subarray(0, 1), scratch.subarray(1, 2)) === 0) {
      throw fail(
        `eglInitialize failed with ${lastError(native)} for the ${entry.platform} display (${key}).`,
        [`Install Mesa's EGL and DRI drivers: ${APT_FIX}`],
      );
    }
    entry.eglVersion = native.egl.eglQueryString(entry.display, EGL.VERSION) ?? `${scratch[0]}.${scratch[1]}`;
  }
  entry.refs++;
  return entry;
}

/**
 * Drops one reference. With EGL_KHR_display_reference this is one counted eglTerminate (EGL terminates the display
 * after the last one in the process); without it the display stays initialized for the life of the process.
 */
export function releaseDisplay(native: Native, handle: DisplayHandle): void {
  const entry = displays.get(handle.key);
  if (!entry || entry.refs === 0) return;
  entry.refs--;
  if (entry.tracked) native.egl.eglTerminate(entry.display);
}

/** Number of contexts holding each display on this thread (for tests and diagnostics). */
export function displayRefs(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, e] of displays) out[k] = e.refs;
  return out;
}
