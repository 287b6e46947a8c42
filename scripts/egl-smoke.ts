/**
 * Quick timing of the Node EGL backend: renders a trivial full-screen shader into an RGBA8 FBO and reads it back.
 * Usage: node --import tsx scripts/egl-smoke.ts [--device cpu|gpu|N] [--size 1920x1080] [--frames 50]
 * Prints the context info and median/mean ms per frame for render+readback, render only (glFinish) and readback.
 */
import { createEglContext, type DeviceOption } from '../src/node/egl/index.ts';

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : dflt;
}

const deviceArg = arg('device', 'cpu');
const device: DeviceOption = deviceArg === 'cpu' || deviceArg === 'gpu' ? deviceArg : Number(deviceArg);
const [width, height] = arg('size', '1920x1080').split('x').map(Number) as [number, number];
const frames = Number(arg('frames', '50'));

const ctx = createEglContext({ device });
const gl = ctx.gl;
const info = ctx.info();
console.log(
  `${info.renderer} | ${info.version} | platform ${info.platform} | ${width}x${height} x ${frames} frames`,
);

function shader(type: number, src: string): WebGLShader {
  const s = gl.createShader(type)!;
  gl.shaderSource(s, src);
  gl.compileShader(s);
  if (!gl.getShaderParameter(s, gl.COMPILE_STATUS))
    throw new Error(gl.getShaderInfoLog(s) ?? 'compile failed');
  return s;
}
const program = gl.createProgram()!;
gl.attachShader(
  program,
  shader(
    gl.VERTEX_SHADER,
    '#version 300 es\nin vec2 VERTEXDATA;\nout vec2 uv;\nvoid main() { uv = VERTEXDATA * 0.5 + 0.5; gl_Position = vec4(VERTEXDATA, 0.0, 1.0); }\n',
  ),
);
gl.attachShader(
  program,
  shader(
    gl.FRAGMENT_SHADER,
    '#version 300 es\nprecision highp float;\nin vec2 uv;\nuniform float TIME;\nout vec4 c;\nvoid main() { c = vec4(uv, fract(TIME), 1.0); }\n',
  ),
);
gl.bindAttribLocation(program, 0, 'VERTEXDATA');
gl.linkProgram(program);
if (!gl.getProgramParameter(program, gl.LINK_STATUS))
  throw new Error(gl.getProgramInfoLog(program) ?? 'link');
gl.useProgram(program);
const time = gl.getUniformLocation(program, 'TIME');

gl.bindVertexArray(gl.createVertexArray());
gl.bindBuffer(gl.ARRAY_BUFFER, gl.createBuffer());
gl.bufferData(gl.ARRAY_BUFFER, new Float32Array([-1, -1, 1, -1, -1, 1, 1, 1]), gl.STATIC_DRAW);
gl.enableVertexAttribArray(0);
gl.vertexAttribPointer(0, 2, gl.FLOAT, false, 0, 0);

const tex = gl.createTexture();
gl.bindTexture(gl.TEXTURE_2D, tex);
gl.texImage2D(gl.TEXTURE_2D, 0, gl.RGBA8, width, height, 0, gl.RGBA, gl.UNSIGNED_BYTE, null);
gl.bindFramebuffer(gl.FRAMEBUFFER, gl.createFramebuffer());
gl.framebufferTexture2D(gl.FRAMEBUFFER, gl.COLOR_ATTACHMENT0, gl.TEXTURE_2D, tex, 0);
gl.viewport(0, 0, width, height);
const pixels = new Uint8Array(width * height * 4);

function frame(k: number, read: boolean): void {
  gl.uniform1f(time, k / 30);
  gl.clear(gl.COLOR_BUFFER_BIT);
  gl.drawArrays(gl.TRIANGLE_STRIP, 0, 4);
  if (read) gl.readPixels(0, 0, width, height, gl.RGBA, gl.UNSIGNED_BYTE, pixels);
  else gl.finish();
}

function measure(fn: (k: number) => void): { median: number; mean: number } {
  for (let k = 0; k < 3; k++) fn(k); // warm-up (shader JIT, first allocations)
  const times: number[] = [];
  for (let k = 0; k < frames; k++) {
    const t = process.hrtime.bigint();
    fn(k);
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  times.sort((a, b) => a - b);
  return { median: times[times.length >> 1]!, mean: times.reduce((a, b) => a + b, 0) / times.length };
}

const full = measure((k) => frame(k, true));
const render = measure((k) => frame(k, false));
const readback = measure(() => gl.readPixels(0, 0, width, height, gl.RGBA, gl.UNSIGNED_BYTE, pixels));
const fmt = (m: { median: number; mean: number }) =>
  `median ${m.median.toFixed(2)} ms, mean ${m.mean.toFixed(2)} ms`;
console.log(`render + readback: ${fmt(full)}`);
console.log(`render only:       ${fmt(render)}`);
console.log(`readback only:     ${fmt(readback)}`);
console.log(
  `pixel (0,0): ${Array.from(pixels.subarray(0, 4)).join(',')}  GL error: 0x${gl.getError().toString(16)}`,
);
ctx.destroy();
