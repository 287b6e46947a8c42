/**
 * Bench 1: the library's cost over the floor. Scene.render + readback against a minimal raw loop through the
 * same GL binding (NodeGL2 over koffi + EGL, the same context), drawing the same generated shader at the same
 * size: per frame one uniform (TIME), clear, draw, glReadPixels into one reused buffer, nothing else.
 *
 * Library variants (all read the output back top row first; the raw loop reads GL's bottom-up rows):
 * - library_reused: render({ pixels: reusedBuffer }).pixels: the same memory strategy as the raw loop (the
 *   headline ratio), rows flipped on the GPU (the last pass drawn upside down);
 * - library: render().pixels, the default, with frame.release() once used (the array goes back to the pool);
 * - library_held: render().pixels never released (a fresh 8 MB array per 1080p frame: page faults on first
 *   touch), what a caller that keeps or drops its frames without release() pays;
 * - library_cpu_flip: as library_reused on a context with flip: 'cpu' (GL's rows read, flipped in JS): the
 *   previous path, for comparison.
 */
import { generateShaders } from '../../src/core/glsl/index.ts';
import type { ISFDocument } from '../../src/core/index.ts';
import type { GL2 } from '../../src/gl/gl2.ts';
import type { GLContext } from '../../src/render/context.ts';
import { Scene } from '../../src/render/scene.ts';
import { framesFor, interleave, log, median, round, timeOnce, type Variant } from './stats.ts';

export interface OverheadResult {
  shader: string;
  width: number;
  height: number;
  framesPerVariant: number;
  raw_ms: number;
  library_reused_ms: number;
  library_ms: number;
  library_held_ms: number;
  library_cpu_flip_ms: number;
  /** library_reused / raw: the overhead ratio (target <= 1.05). */
  ratio: number;
  /** library (default render(), frames released) / raw. */
  ratio_fresh_frames: number;
  /** library_held / raw. */
  ratio_held_frames: number;
  /** library_cpu_flip / raw. */
  ratio_cpu_flip: number;
  /** The raw loop's pixels (flipped) equal the library's (CPU-flip context), byte for byte. */
  pixels_match: boolean;
  /** The GPU-flipped frame equals the CPU-flipped one byte for byte (not for hash noise: docs/glsl.md). */
  gpu_flip_identical: boolean;
}

interface RawLoop {
  begin(): void;
  frame(k: number): Uint8Array;
  destroy(): void;
}

/** The floor: the generated shaders, compiled and drawn with bare GL calls on `gl`. */
function rawLoop(gl: GL2, doc: ISFDocument, width: number, height: number): RawLoop {
  const shaders = generateShaders(doc);
  const compile = (type: number, source: string): WebGLShader => {
    const s = gl.createShader(type)!;
    gl.shaderSource(s, source);
    gl.compileShader(s);
    if (!gl.getShaderParameter(s, gl.COMPILE_STATUS)) throw new Error(gl.getShaderInfoLog(s) ?? 'compile');
    return s;
  };
  const vs = compile(gl.VERTEX_SHADER, shaders.vertex);
  const fs = compile(gl.FRAGMENT_SHADER, shaders.fragment);
  const program = gl.createProgram()!;
  gl.attachShader(program, vs);
  gl.attachShader(program, fs);
  gl.bindAttribLocation(program, 0, 'VERTEXDATA');
  gl.linkProgram(program);
  if (!gl.getProgramParameter(program, gl.LINK_STATUS)) throw new Error(gl.getProgramInfoLog(program) ?? '');
  gl.deleteShader(vs);
  gl.deleteShader(fs);

  const vao = gl.createVertexArray();
  const vbo = gl.createBuffer();
  gl.bindVertexArray(vao);
  gl.bindBuffer(gl.ARRAY_BUFFER, vbo);
  gl.bufferData(gl.ARRAY_BUFFER, new Float32Array([-1, -1, 1, -1, -1, 1, 1, 1]), gl.STATIC_DRAW);
  gl.enableVertexAttribArray(0);
  gl.vertexAttribPointer(0, 2, gl.FLOAT, false, 0, 0);
  gl.bindBuffer(gl.ARRAY_BUFFER, null);

  const texture = gl.createTexture();
  gl.bindTexture(gl.TEXTURE_2D, texture);
  gl.texImage2D(gl.TEXTURE_2D, 0, gl.RGBA8, width, height, 0, gl.RGBA, gl.UNSIGNED_BYTE, null);
  gl.bindTexture(gl.TEXTURE_2D, null);
  const fbo = gl.createFramebuffer();
  gl.bindFramebuffer(gl.FRAMEBUFFER, fbo);
  gl.framebufferTexture2D(gl.FRAMEBUFFER, gl.COLOR_ATTACHMENT0, gl.TEXTURE_2D, texture, 0);

  // Constant uniforms once: the size, pass 0, and the inputs' defaults (as a Scene starts with them).
  gl.useProgram(program);
  gl.uniform2f(gl.getUniformLocation(program, 'RENDERSIZE'), width, height);
  gl.uniform1i(gl.getUniformLocation(program, 'PASSINDEX'), 0);
  for (const input of doc.inputs) {
    const loc = gl.getUniformLocation(program, input.name);
    if (input.type === 'float') gl.uniform1f(loc, input.default);
    if (input.type === 'long' || input.type === 'bool') gl.uniform1i(loc, Number(input.default));
  }
  const time = gl.getUniformLocation(program, 'TIME');
  const pixels = new Uint8Array(width * height * 4);
  return {
    begin() {
      gl.bindFramebuffer(gl.FRAMEBUFFER, fbo);
      gl.viewport(0, 0, width, height);
      gl.useProgram(program);
      gl.bindVertexArray(vao);
    },
    frame(k) {
      gl.uniform1f(time, k / 30);
      gl.clearColor(0, 0, 0, 0);
      gl.clear(gl.COLOR_BUFFER_BIT);
      gl.drawArrays(gl.TRIANGLE_STRIP, 0, 4);
      gl.readPixels(0, 0, width, height, gl.RGBA, gl.UNSIGNED_BYTE, pixels);
      return pixels;
    },
    destroy() {
      gl.bindFramebuffer(gl.FRAMEBUFFER, null);
      gl.bindVertexArray(null);
      gl.useProgram(null);
      gl.deleteFramebuffer(fbo);
      gl.deleteTexture(texture);
      gl.deleteBuffer(vbo);
      gl.deleteVertexArray(vao);
      gl.deleteProgram(program);
    },
  };
}

/** Bottom-up raw pixels against top-down library pixels. */
function sameImage(bottomUp: Uint8Array, topDown: Uint8Array, width: number, height: number): boolean {
  const stride = width * 4;
  if (bottomUp.length !== topDown.length) return false;
  for (let y = 0; y < height; y++) {
    const a = bottomUp.subarray((height - 1 - y) * stride, (height - y) * stride);
    const b = topDown.subarray(y * stride, (y + 1) * stride);
    if (Buffer.compare(a, b) !== 0) return false;
  }
  return true;
}

export function benchOverhead(
  context: GLContext,
  /** A context of the same device with flip: 'cpu'. */
  cpuFlipContext: GLContext,
  name: string,
  doc: ISFDocument,
  size: { width: number; height: number },
  options: { quick: boolean },
): OverheadResult {
  const { width, height } = size;
  const scene = new Scene(context).useDocSync(doc);
  const cpuScene = new Scene(cpuFlipContext).useDocSync(doc);
  const gl = context.use('bench raw loop');
  const raw = rawLoop(gl, doc, width, height);
  const reused = new Uint8Array(width * height * 4);
  const reusedCpu = new Uint8Array(width * height * 4);
  try {
    raw.begin();
    raw.frame(0); // the first draw compiles llvmpipe's shader variant
    const sample = timeOnce(() => raw.frame(1));
    const blockMs = options.quick ? 120 : 400;
    const framesPerBlock = framesFor(sample, blockMs, 1, 100);
    // Slow frames (the heavy shader on a CPU) get more rounds of one frame: the same drift cancelling.
    const rounds = options.quick ? 2 : framesPerBlock === 1 ? 6 : 4;
    const variants: Variant[] = [
      { name: 'raw', begin: () => raw.begin(), frame: (k) => raw.frame(k) },
      {
        name: 'library_reused',
        frame: (k) => scene.render({ width, height, time: k / 30, pixels: reused }).pixels,
      },
      {
        name: 'library',
        frame: (k) => {
          const f = scene.render({ width, height, time: k / 30 });
          const p = f.pixels;
          f.release();
          return p;
        },
      },
      { name: 'library_held', frame: (k) => scene.render({ width, height, time: k / 30 }).pixels },
      {
        name: 'library_cpu_flip',
        begin: () => cpuFlipContext.use('bench'),
        frame: (k) => cpuScene.render({ width, height, time: k / 30, pixels: reusedCpu }).pixels,
      },
    ];
    log(`overhead ${name} ${width}x${height}: ${rounds} rounds x ${framesPerBlock} frames per variant`);
    const times = interleave(variants, { rounds, framesPerBlock, warmup: 1 });
    const m = (n: string) => median(times.get(n)!);

    raw.begin();
    const rawPixels = raw.frame(5);
    const libPixels = scene.render({ width, height, time: 5 / 30 }).pixels;
    const cpuPixels = cpuScene.render({ width, height, time: 5 / 30 }).pixels;
    // The same work: the raw loop's rows equal the library's read through the CPU flip, byte for byte. The GPU
    // flip interpolates isf_FragNormCoord across mirrored rows (~1e-7 apart), which hash noise can show.
    const pixels_match = sameImage(rawPixels, cpuPixels, width, height);
    const gpu_flip_identical = Buffer.from(libPixels).equals(Buffer.from(cpuPixels));
    return {
      shader: name,
      width,
      height,
      framesPerVariant: rounds * framesPerBlock,
      raw_ms: round(m('raw')),
      library_reused_ms: round(m('library_reused')),
      library_ms: round(m('library')),
      library_held_ms: round(m('library_held')),
      library_cpu_flip_ms: round(m('library_cpu_flip')),
      ratio: round(m('library_reused') / m('raw')),
      ratio_fresh_frames: round(m('library') / m('raw')),
      ratio_held_frames: round(m('library_held') / m('raw')),
      ratio_cpu_flip: round(m('library_cpu_flip') / m('raw')),
      pixels_match,
      gpu_flip_identical,
    };
  } finally {
    raw.destroy();
    context.resetState();
    scene.destroy();
    cpuScene.destroy();
  }
}
