/**
 * Lazy koffi bindings to libEGL and libGLESv2.
 *
 * Nothing native is touched at import time: the first createEglContext() loads koffi, then the libraries, and
 * declares every function once with a typed prototype (a koffi call costs ~70 ns; re-declaring or string parsing
 * per call would dominate). Library names are injectable so a test can point at a missing library.
 */

import { createRequire } from 'node:module';
import { isMainThread } from 'node:worker_threads';
import { ISFError } from '../../core/errors.ts';

type Koffi = typeof import('koffi');
type Ptr = bigint | null;
/** A pointer argument: a native pointer (BigInt), null, or a typed array / Buffer passed in place. */
type PtrArg = Ptr | ArrayBufferView;

export const APT_FIX = 'apt-get install libegl1 libgles2 libegl-mesa0 libgl1-mesa-dri';

export interface EglFuncs {
  eglGetError(): number;
  eglQueryString(dpy: Ptr, name: number): string | null;
  eglGetProcAddress(name: string): Ptr;
  /** EGL 1.5 (EGLAttrib list); null when the library only has EGL 1.4. */
  eglGetPlatformDisplay: ((platform: number, nativeDisplay: Ptr, attribs: PtrArg) => Ptr) | null;
  /** EGL_EXT_platform_base (EGLint list), through eglGetProcAddress; null when absent. */
  eglGetPlatformDisplayEXT: ((platform: number, nativeDisplay: Ptr, attribs: PtrArg) => Ptr) | null;
  eglInitialize(dpy: Ptr, major: PtrArg, minor: PtrArg): number;
  eglTerminate(dpy: Ptr): number;
  eglBindAPI(api: number): number;
  eglChooseConfig(dpy: Ptr, attribs: PtrArg, configs: PtrArg, size: number, num: PtrArg): number;
  eglCreateContext(dpy: Ptr, config: Ptr, share: Ptr, attribs: PtrArg): Ptr;
  eglDestroyContext(dpy: Ptr, ctx: Ptr): number;
  eglMakeCurrent(dpy: Ptr, draw: Ptr, read: Ptr, ctx: Ptr): number;
  eglReleaseThread(): number;
  /** EGL_EXT_device_enumeration / device_query, null when absent. */
  eglQueryDevicesEXT: ((max: number, devices: PtrArg, num: PtrArg) => number) | null;
  eglQueryDeviceStringEXT: ((device: Ptr, name: number) => string | null) | null;
}

export interface GlesFuncs {
  glGetError(): number;
  glGetString(name: number): string | null;
  glGetIntegerv(pname: number, data: PtrArg): void;
  glGetFloatv(pname: number, data: PtrArg): void;
  glIsEnabled(cap: number): number;
  glEnable(cap: number): void;
  glDisable(cap: number): void;
  glViewport(x: number, y: number, w: number, h: number): void;
  glScissor(x: number, y: number, w: number, h: number): void;
  glClearColor(r: number, g: number, b: number, a: number): void;
  glClear(mask: number): void;
  glPixelStorei(pname: number, param: number): void;
  glFinish(): void;
  glFlush(): void;

  glGenTextures(n: number, out: PtrArg): void;
  glDeleteTextures(n: number, ids: PtrArg): void;
  glBindTexture(target: number, id: number): void;
  glActiveTexture(unit: number): void;
  glTexParameteri(target: number, pname: number, param: number): void;
  glTexImage2D(
    target: number,
    level: number,
    internalformat: number,
    width: number,
    height: number,
    border: number,
    format: number,
    type: number,
    pixels: PtrArg,
  ): void;
  glTexSubImage2D(
    target: number,
    level: number,
    x: number,
    y: number,
    width: number,
    height: number,
    format: number,
    type: number,
    pixels: PtrArg,
  ): void;

  glGenFramebuffers(n: number, out: PtrArg): void;
  glDeleteFramebuffers(n: number, ids: PtrArg): void;
  glBindFramebuffer(target: number, id: number): void;
  glFramebufferTexture2D(
    target: number,
    attachment: number,
    textarget: number,
    tex: number,
    level: number,
  ): void;
  glCheckFramebufferStatus(target: number): number;
  glBlitFramebuffer(
    sx0: number,
    sy0: number,
    sx1: number,
    sy1: number,
    dx0: number,
    dy0: number,
    dx1: number,
    dy1: number,
    mask: number,
    filter: number,
  ): void;
  glReadPixels(x: number, y: number, w: number, h: number, format: number, type: number, out: PtrArg): void;
  glGenRenderbuffers(n: number, out: PtrArg): void;
  glDeleteRenderbuffers(n: number, ids: PtrArg): void;
  glBindRenderbuffer(target: number, id: number): void;
  glRenderbufferStorage(target: number, format: number, w: number, h: number): void;
  glFramebufferRenderbuffer(target: number, attachment: number, rbTarget: number, rb: number): void;

  glCreateShader(type: number): number;
  glShaderSource(shader: number, count: number, sources: string[], lengths: PtrArg): void;
  glCompileShader(shader: number): void;
  glGetShaderiv(shader: number, pname: number, out: PtrArg): void;
  glGetShaderInfoLog(shader: number, size: number, length: PtrArg, log: PtrArg): void;
  glDeleteShader(shader: number): void;

  glCreateProgram(): number;
  glAttachShader(program: number, shader: number): void;
  glBindAttribLocation(program: number, index: number, name: string): void;
  glLinkProgram(program: number): void;
  glGetProgramiv(program: number, pname: number, out: PtrArg): void;
  glGetProgramInfoLog(program: number, size: number, length: PtrArg, log: PtrArg): void;
  glDeleteProgram(program: number): void;
  glUseProgram(program: number): void;
  glGetUniformLocation(program: number, name: string): number;
  glUniform1i(loc: number, x: number): void;
  glUniform1f(loc: number, x: number): void;
  glUniform2f(loc: number, x: number, y: number): void;
  glUniform3f(loc: number, x: number, y: number, z: number): void;
  glUniform4f(loc: number, x: number, y: number, z: number, w: number): void;

  glGenBuffers(n: number, out: PtrArg): void;
  glDeleteBuffers(n: number, ids: PtrArg): void;
  glBindBuffer(target: number, id: number): void;
  glBufferData(target: number, size: number, data: PtrArg, usage: number): void;
  /** glReadPixels into the bound PIXEL_PACK_BUFFER: the last argument is a byte offset. */
  glReadPixelsToBuffer(
    x: number,
    y: number,
    w: number,
    h: number,
    format: number,
    type: number,
    offset: number,
  ): void;
  glMapBufferRange(target: number, offset: number, length: number, access: number): Ptr;
  glUnmapBuffer(target: number): number;
  glFenceSync(condition: number, flags: number): Ptr;
  glClientWaitSync(sync: Ptr, flags: number, timeout: number): number;
  glDeleteSync(sync: Ptr): void;
  glGenVertexArrays(n: number, out: PtrArg): void;
  glDeleteVertexArrays(n: number, ids: PtrArg): void;
  glBindVertexArray(id: number): void;
  glEnableVertexAttribArray(index: number): void;
  glVertexAttribPointer(
    index: number,
    size: number,
    type: number,
    normalized: boolean,
    stride: number,
    offset: number,
  ): void;
  glDrawArrays(mode: number, first: number, count: number): void;
}

export interface Native {
  koffi: Koffi;
  egl: EglFuncs;
  gles: GlesFuncs;
  /** The library names that were actually loaded (for messages and info). */
  libEGL: string;
  libGLES: string;
}

export interface LibraryOptions {
  /** Name or path of libEGL (or several, tried in order). Default: libEGL.so.1, then libEGL.so. */
  libEGL?: string | string[];
  /** Name or path of libGLESv2 (or several, tried in order). Default: libGLESv2.so.2, then libGLESv2.so. */
  libGLES?: string | string[];
}

const DEFAULT_EGL = ['libEGL.so.1', 'libEGL.so'];
const DEFAULT_GLES = ['libGLESv2.so.2', 'libGLESv2.so'];

let koffiModule: Koffi | undefined;
const cache = new Map<string, Native>();

function firstLine(e: unknown): string {
  const s = e instanceof Error ? e.message : String(e);
  return (s.split('\n')[0] ?? s).trim();
}

function unavailable(what: string, tried: string[], fixes: string[], cause?: unknown): ISFError {
  const message = [
    what,
    'Tried:',
    ...tried.map((t) => `- ${t}`),
    'Possible solutions:',
    ...fixes.map((f) => `- ${f}`),
  ].join('\n');
  return new ISFError('GL_UNAVAILABLE', message, { suggestion: fixes[0], details: { tried }, cause });
}

function loadKoffi(): Koffi {
  if (koffiModule) return koffiModule;
  try {
    const mod = createRequire(import.meta.url)('koffi') as Koffi & { default?: Koffi };
    koffiModule = mod.default ?? mod;
    return koffiModule;
  } catch (e) {
    throw unavailable(
      'Could not load koffi, the native FFI module used to reach EGL/OpenGL ES.',
      [`require('koffi'): ${firstLine(e)}`],
      [
        'Reinstall dependencies including optional ones (koffi ships its binary in a platform package): npm install --include=optional',
        `Check that your platform has a koffi prebuild (${process.platform}-${process.arch})`,
      ],
      e,
    );
  }
}

function loadLibrary(koffi: Koffi, names: string[], what: string, tried: string[]) {
  for (const name of names) {
    try {
      return { lib: koffi.load(name), name };
    } catch (e) {
      tried.push(`${what} ${name}: ${firstLine(e)}`);
    }
  }
  return null;
}

function toList(v: string | string[] | undefined, dflt: string[]): string[] {
  if (v === undefined) return dflt;
  return Array.isArray(v) ? v : [v];
}

/** Loads (once per library-name pair) koffi, libEGL and libGLESv2 and declares every function. */
export function loadNative(options: LibraryOptions = {}): Native {
  const eglNames = toList(options.libEGL, DEFAULT_EGL);
  const glesNames = toList(options.libGLES, DEFAULT_GLES);
  const key = `${eglNames.join(',')}|${glesNames.join(',')}`;
  const hit = cache.get(key);
  if (hit) return hit;

  const koffi = loadKoffi();
  const tried: string[] = [];
  const egl = loadLibrary(koffi, eglNames, 'libEGL', tried);
  const gles = egl ? loadLibrary(koffi, glesNames, 'libGLESv2', tried) : null;
  const fixes = [
    `Install Mesa's EGL and OpenGL ES libraries (software rendering with llvmpipe): ${APT_FIX}`,
    'On an NVIDIA machine: install the NVIDIA driver with its EGL vendor library plus libglvnd (libegl1 libgles2)',
    'If the libraries are installed elsewhere, pass their paths as the libEGL / libGLES options',
  ];
  if (!egl || !gles) {
    throw unavailable(
      'Could not load the EGL / OpenGL ES libraries needed for offscreen rendering.',
      tried,
      fixes,
    );
  }
  let native: Native;
  try {
    native = {
      koffi,
      egl: declareEgl(koffi, egl.lib),
      gles: declareGles(gles.lib),
      libEGL: egl.name,
      libGLES: gles.name,
    };
  } catch (e) {
    tried.push(`declaring functions from ${egl.name} / ${gles.name}: ${firstLine(e)}`);
    throw unavailable('The EGL / OpenGL ES libraries loaded but lack required functions.', tried, fixes, e);
  }
  if (!isMainThread) pinLibraries(koffi, [egl.name, gles.name]);
  cache.set(key, native);
  return native;
}

const RTLD_NOW = 2;
const RTLD_NODELETE = 0x1000;

/**
 * Keeps libEGL/libGLESv2 mapped for the life of the process. A worker thread's koffi unloads its libraries when
 * the worker ends; if no other thread holds them they are unmapped, and Mesa's thread-exit destructors (registered
 * by the worker's thread) then jump into unmapped code: a segfault when the thread exits. dlopen with
 * RTLD_NODELETE makes the libraries permanent whatever the workers do. Best effort: without it (non-glibc), the
 * RenderPool still pins them by loading them in the main thread.
 */
function pinLibraries(koffi: Koffi, names: string[]): void {
  try {
    const libc = koffi.load('libc.so.6');
    const dlopen = libc.func('void *dlopen(const char *filename, int flags)') as (
      n: string,
      f: number,
    ) => unknown;
    for (const name of names) dlopen(name, RTLD_NOW | RTLD_NODELETE);
  } catch {
    // not glibc: see above
  }
}

type Lib = ReturnType<Koffi['load']>;

// koffi registers named prototypes globally: declare each once per process even if several library sets load.
const protoTypes = new Map<string, ReturnType<Koffi['proto']>>();
function protoType(koffi: Koffi, decl: string) {
  let t = protoTypes.get(decl);
  if (!t) {
    t = koffi.proto(decl);
    protoTypes.set(decl, t);
  }
  return t;
}

function declareEgl(koffi: Koffi, lib: Lib): EglFuncs {
  const f = (decl: string) => lib.func(decl);
  const optional = (decl: string) => {
    try {
      return lib.func(decl);
    } catch {
      return null;
    }
  };
  const eglGetProcAddress = f('void *eglGetProcAddress(const char *name)');
  const viaProc = (name: string, proto: string) => {
    const p = eglGetProcAddress(name) as Ptr;
    return p ? koffi.decode(p, protoType(koffi, proto)) : null;
  };
  return {
    eglGetError: f('int32_t eglGetError()'),
    eglQueryString: f('const char *eglQueryString(void *dpy, int32_t name)'),
    eglGetProcAddress,
    eglGetPlatformDisplay: optional(
      'void *eglGetPlatformDisplay(uint32_t platform, void *native_display, const void *attribs)',
    ),
    eglGetPlatformDisplayEXT: viaProc(
      'eglGetPlatformDisplayEXT',
      'void *isf_eglGetPlatformDisplayEXT(uint32_t platform, void *native_display, const void *attribs)',
    ),
    eglInitialize: f('uint32_t eglInitialize(void *dpy, void *major, void *minor)'),
    eglTerminate: f('uint32_t eglTerminate(void *dpy)'),
    eglBindAPI: f('uint32_t eglBindAPI(uint32_t api)'),
    eglChooseConfig: f(
      'uint32_t eglChooseConfig(void *dpy, const void *attribs, void *configs, int32_t size, void *num)',
    ),
    eglCreateContext: f('void *eglCreateContext(void *dpy, void *config, void *share, const void *attribs)'),
    eglDestroyContext: f('uint32_t eglDestroyContext(void *dpy, void *ctx)'),
    eglMakeCurrent: f('uint32_t eglMakeCurrent(void *dpy, void *draw, void *read, void *ctx)'),
    eglReleaseThread: f('uint32_t eglReleaseThread()'),
    eglQueryDevicesEXT: viaProc(
      'eglQueryDevicesEXT',
      'uint32_t isf_eglQueryDevicesEXT(int32_t max, void *devices, void *num)',
    ),
    eglQueryDeviceStringEXT: viaProc(
      'eglQueryDeviceStringEXT',
      'const char *isf_eglQueryDeviceStringEXT(void *device, int32_t name)',
    ),
  };
}

// Out-parameters and data pointers are declared `void *` so koffi passes typed arrays in place (no copy back).
function declareGles(lib: Lib): GlesFuncs {
  const f = (decl: string) => lib.func(decl);
  return {
    glGetError: f('uint32_t glGetError()'),
    glGetString: f('const char *glGetString(uint32_t name)'),
    glGetIntegerv: f('void glGetIntegerv(uint32_t pname, void *data)'),
    glGetFloatv: f('void glGetFloatv(uint32_t pname, void *data)'),
    glIsEnabled: f('uint8_t glIsEnabled(uint32_t cap)'),
    glEnable: f('void glEnable(uint32_t cap)'),
    glDisable: f('void glDisable(uint32_t cap)'),
    glViewport: f('void glViewport(int32_t x, int32_t y, int32_t w, int32_t h)'),
    glScissor: f('void glScissor(int32_t x, int32_t y, int32_t w, int32_t h)'),
    glClearColor: f('void glClearColor(float r, float g, float b, float a)'),
    glClear: f('void glClear(uint32_t mask)'),
    glPixelStorei: f('void glPixelStorei(uint32_t pname, int32_t param)'),
    glFinish: f('void glFinish()'),
    glFlush: f('void glFlush()'),

    glGenTextures: f('void glGenTextures(int32_t n, void *out)'),
    glDeleteTextures: f('void glDeleteTextures(int32_t n, const void *ids)'),
    glBindTexture: f('void glBindTexture(uint32_t target, uint32_t id)'),
    glActiveTexture: f('void glActiveTexture(uint32_t unit)'),
    glTexParameteri: f('void glTexParameteri(uint32_t target, uint32_t pname, int32_t param)'),
    glTexImage2D: f(
      'void glTexImage2D(uint32_t target, int32_t level, int32_t internalformat, int32_t width, int32_t height, int32_t border, uint32_t format, uint32_t type, const void *pixels)',
    ),
    glTexSubImage2D: f(
      'void glTexSubImage2D(uint32_t target, int32_t level, int32_t x, int32_t y, int32_t width, int32_t height, uint32_t format, uint32_t type, const void *pixels)',
    ),

    glGenFramebuffers: f('void glGenFramebuffers(int32_t n, void *out)'),
    glDeleteFramebuffers: f('void glDeleteFramebuffers(int32_t n, const void *ids)'),
    glBindFramebuffer: f('void glBindFramebuffer(uint32_t target, uint32_t id)'),
    glFramebufferTexture2D: f(
      'void glFramebufferTexture2D(uint32_t target, uint32_t attachment, uint32_t textarget, uint32_t tex, int32_t level)',
    ),
    glCheckFramebufferStatus: f('uint32_t glCheckFramebufferStatus(uint32_t target)'),
    glBlitFramebuffer: f(
      'void glBlitFramebuffer(int32_t sx0, int32_t sy0, int32_t sx1, int32_t sy1, int32_t dx0, int32_t dy0, int32_t dx1, int32_t dy1, uint32_t mask, uint32_t filter)',
    ),
    glReadPixels: f(
      'void glReadPixels(int32_t x, int32_t y, int32_t w, int32_t h, uint32_t format, uint32_t type, void *out)',
    ),
    glGenRenderbuffers: f('void glGenRenderbuffers(int32_t n, void *out)'),
    glDeleteRenderbuffers: f('void glDeleteRenderbuffers(int32_t n, const void *ids)'),
    glBindRenderbuffer: f('void glBindRenderbuffer(uint32_t target, uint32_t id)'),
    glRenderbufferStorage: f(
      'void glRenderbufferStorage(uint32_t target, uint32_t format, int32_t w, int32_t h)',
    ),
    glFramebufferRenderbuffer: f(
      'void glFramebufferRenderbuffer(uint32_t target, uint32_t attachment, uint32_t rbtarget, uint32_t rb)',
    ),

    glCreateShader: f('uint32_t glCreateShader(uint32_t type)'),
    glShaderSource: f(
      'void glShaderSource(uint32_t shader, int32_t count, const char **src, const void *lengths)',
    ),
    glCompileShader: f('void glCompileShader(uint32_t shader)'),
    glGetShaderiv: f('void glGetShaderiv(uint32_t shader, uint32_t pname, void *out)'),
    glGetShaderInfoLog: f('void glGetShaderInfoLog(uint32_t shader, int32_t size, void *length, void *log)'),
    glDeleteShader: f('void glDeleteShader(uint32_t shader)'),

    glCreateProgram: f('uint32_t glCreateProgram()'),
    glAttachShader: f('void glAttachShader(uint32_t program, uint32_t shader)'),
    glBindAttribLocation: f('void glBindAttribLocation(uint32_t program, uint32_t index, const char *name)'),
    glLinkProgram: f('void glLinkProgram(uint32_t program)'),
    glGetProgramiv: f('void glGetProgramiv(uint32_t program, uint32_t pname, void *out)'),
    glGetProgramInfoLog: f(
      'void glGetProgramInfoLog(uint32_t program, int32_t size, void *length, void *log)',
    ),
    glDeleteProgram: f('void glDeleteProgram(uint32_t program)'),
    glUseProgram: f('void glUseProgram(uint32_t program)'),
    glGetUniformLocation: f('int32_t glGetUniformLocation(uint32_t program, const char *name)'),
    glUniform1i: f('void glUniform1i(int32_t loc, int32_t x)'),
    glUniform1f: f('void glUniform1f(int32_t loc, float x)'),
    glUniform2f: f('void glUniform2f(int32_t loc, float x, float y)'),
    glUniform3f: f('void glUniform3f(int32_t loc, float x, float y, float z)'),
    glUniform4f: f('void glUniform4f(int32_t loc, float x, float y, float z, float w)'),

    glGenBuffers: f('void glGenBuffers(int32_t n, void *out)'),
    glDeleteBuffers: f('void glDeleteBuffers(int32_t n, const void *ids)'),
    glBindBuffer: f('void glBindBuffer(uint32_t target, uint32_t id)'),
    glBufferData: f('void glBufferData(uint32_t target, intptr_t size, const void *data, uint32_t usage)'),
    glReadPixelsToBuffer: f(
      'void glReadPixels(int32_t x, int32_t y, int32_t w, int32_t h, uint32_t format, uint32_t type, intptr_t offset)',
    ),
    glMapBufferRange: f(
      'void *glMapBufferRange(uint32_t target, intptr_t offset, intptr_t length, uint32_t access)',
    ),
    glUnmapBuffer: f('uint8_t glUnmapBuffer(uint32_t target)'),
    glFenceSync: f('void *glFenceSync(uint32_t condition, uint32_t flags)'),
    glClientWaitSync: f('uint32_t glClientWaitSync(void *sync, uint32_t flags, uint64_t timeout)'),
    glDeleteSync: f('void glDeleteSync(void *sync)'),
    glGenVertexArrays: f('void glGenVertexArrays(int32_t n, void *out)'),
    glDeleteVertexArrays: f('void glDeleteVertexArrays(int32_t n, const void *ids)'),
    glBindVertexArray: f('void glBindVertexArray(uint32_t id)'),
    glEnableVertexAttribArray: f('void glEnableVertexAttribArray(uint32_t index)'),
    // The offset is a byte offset passed in a pointer slot; intptr_t has the same ABI and takes a plain number.
    glVertexAttribPointer: f(
      'void glVertexAttribPointer(uint32_t index, int32_t size, uint32_t type, bool normalized, int32_t stride, intptr_t offset)',
    ),
    glDrawArrays: f('void glDrawArrays(uint32_t mode, int32_t first, int32_t count)'),
  } as unknown as GlesFuncs;
}
