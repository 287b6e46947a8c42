/**
 * Bench 1: the library's cost over the floor. Scene.render + readback against a minimal raw loop through the
 * same GL binding (NodeGL2 over koffi + EGL, the same context), drawing the same generated shader at the same
 * size: per frame one uniform (TIME), clear, draw, glReadPixels into one reused buffer, nothing else.
 *
 * Library variants (all read the output back; the pixels are flipped to top-row-first on first access):
 * - library_reused: render({ pixels: reusedBuffer }).pixels: the same memory strategy as the raw loop (the
 *   headline ratio);
 * - library: render().pixels, the default: a fresh 8 MB array per 1080p frame (page faults on first touch);
 * - library_no_flip: render({ pixels }) without reading .pixels: the readback happens, the lazy row flip never
 *   does (what a consumer that never looks at the pixels pays).
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
  library_no_flip_ms: number;
  /** library_reused / raw: the overhead ratio (target <= 1.05). */
  ratio: number;
  /** library (fresh frame) / raw. */
  ratio_fresh_frames: number;
  /** library_no_flip / raw. */
  ratio_no_flip: number;
  /** The raw loop's pixels (flipped) equal the library's, byte for byte. */
  pixels_match: boolean;
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
  name: string,
  doc: ISFDocument,
  size: { width: number; height: number },
  options: { quick: boolean },
): OverheadResult {
  const { width, height } = size;
  const scene = new Scene(context).useDocSync(doc);
  const gl = context.use('bench raw loop');
  const raw = rawLoop(gl, doc, width, height);
  const reused = new Uint8Array(width * height * 4);
  const reusedNoFlip = new Uint8Array(width * height * 4);
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
      { name: 'library', frame: (k) => scene.render({ width, height, time: k / 30 }).pixels },
      {
        name: 'library_no_flip',
        frame: (k) => scene.render({ width, height, time: k / 30, pixels: reusedNoFlip }),
      },
    ];
    log(`overhead ${name} ${width}x${height}: ${rounds} rounds x ${framesPerBlock} frames per variant`);
    const times = interleave(variants, { rounds, framesPerBlock, warmup: 1 });
    const m = (n: string) => median(times.get(n)!);

    raw.begin();
    const rawPixels = raw.frame(5);
    const libPixels = scene.render({ width, height, time: 5 / 30 }).pixels;
    const pixels_match = sameImage(rawPixels, libPixels, width, height);
    return {
      shader: name,
      width,
      height,
      framesPerVariant: rounds * framesPerBlock,
      raw_ms: round(m('raw')),
      library_reused_ms: round(m('library_reused')),
      library_ms: round(m('library')),
      library_no_flip_ms: round(m('library_no_flip')),
      ratio: round(m('library_reused') / m('raw')),
      ratio_fresh_frames: round(m('library') / m('raw')),
      ratio_no_flip: round(m('library_no_flip') / m('raw')),
      pixels_match,
    };
  } finally {
    raw.destroy();
    context.resetState();
    scene.destroy();
  }
}
