/**
 * High-bit-depth image sequences through `isf render` (issue 15): OpenEXR frames (half float by default,
 * full float with --depth 32) keep a float shader's values above 1.0; 16-bit PNG and TIFF keep more than 256
 * levels of a smooth ramp. Decoded back with ffmpeg (EXR) and sharp (PNG/TIFF), not with our own code.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import sharp from 'sharp';
import { ISFError } from '../../src/core/errors.ts';
import { checkSequence } from '../../src/node/batch.ts';
import { encodeFrame } from '../../src/node/images.ts';
import { ISF_BIN, type IsfResult, needsTool, runIsf } from '../helpers.ts';

const work = mkdtempSync(join(tmpdir(), 'isf-deep-frames-'));
after(() => rmSync(work, { recursive: true, force: true }));
const noFfmpeg = needsTool('ffmpeg');

const isf = (...args: string[]): IsfResult => runIsf(work, args);

function write(name: string, text: string): string {
  const p = join(work, name);
  writeFileSync(p, text);
  return p;
}

// Float output: red 2.5 (above what 8 or 16-bit integers hold), green a ramp across x, blue -0.25, alpha 1.
const HDR = write(
  'hdr.fs',
  `/*{ "ISFVSN": "2", "PASSES": [ { "FLOAT": true } ] }*/
void main() { gl_FragColor = vec4(2.5, isf_FragNormCoord.x, -0.25, 1.0); }
`,
);

// A smooth ramp rendered float, so 16-bit files get more than the 256 levels of its 8-bit view.
const RAMP = write(
  'ramp.fs',
  `/*{ "ISFVSN": "2", "PASSES": [ { "FLOAT": true } ] }*/
void main() { float x = isf_FragNormCoord.x; gl_FragColor = vec4(x, x, x, 1.0); }
`,
);

/** An EXR decoded by ffmpeg to planar float RGBA (gbrapf32le: G, B, R, A planes), as [r, g, b, a] arrays. */
function decodeExr(file: string, width: number, height: number): Float32Array[] {
  const r = spawnSync(
    'ffmpeg',
    ['-hide_banner', '-loglevel', 'error', '-i', file, '-f', 'rawvideo', '-pix_fmt', 'gbrapf32le', 'pipe:1'],
    { maxBuffer: 1 << 26 },
  );
  assert.equal(r.status, 0, r.stderr?.toString());
  const n = width * height;
  assert.equal(r.stdout.length, n * 16, 'one RGBA float frame');
  const all = new Float32Array(r.stdout.buffer.slice(r.stdout.byteOffset, r.stdout.byteOffset + n * 16));
  const [g, b, red, a] = [0, 1, 2, 3].map((p) => all.subarray(p * n, (p + 1) * n));
  return [red!, g!, b!, a!];
}

function exrPixelType(file: string): string {
  // ffprobe does not show the EXR pixel type; the channel list in the header does: type 1 is HALF, 2 FLOAT.
  const bytes = spawnSync('head', ['-c', '400', file]).stdout;
  const at = bytes.indexOf('chlist');
  assert.ok(at > 0, 'an EXR header with a channel list');
  // channels\0chlist\0<size int32>, then per channel: name\0, pixel type int32, ...
  const start = at + 'chlist\0'.length + 4;
  const nameEnd = bytes.indexOf(0, start);
  const type = bytes.readInt32LE(nameEnd + 1);
  return type === 1 ? 'half' : type === 2 ? 'float' : `type ${type}`;
}

test('.exr frames of a float shader: half float by default, full float with --depth 32, values above 1.0 kept', {
  skip: noFfmpeg,
}, () => {
  const half = isf('render', HDR, '-o', 'exr/f-%02d.exr', '--size', '16x4', '--frames', '2', '-q');
  assert.equal(half.status, 0, half.stderr);
  assert.deepEqual(readdirSync(join(work, 'exr')).sort(), ['f-00.exr', 'f-01.exr']);
  const full = isf('render', HDR, '-o', 'full.exr', '--size', '16x4', '--depth', '32', '-q');
  assert.equal(full.status, 0, full.stderr);
  assert.equal(exrPixelType(join(work, 'exr', 'f-01.exr')), 'half');
  assert.equal(exrPixelType(join(work, 'full.exr')), 'float');
  for (const [file, tolerance] of [
    [join(work, 'exr', 'f-01.exr'), 1e-3],
    [join(work, 'full.exr'), 1e-6],
  ] as const) {
    const [r, g, b, a] = decodeExr(file, 16, 4);
    for (let i = 0; i < 16 * 4; i++) {
      assert.ok(Math.abs(r![i]! - 2.5) < tolerance, `${file} red ${r![i]} is 2.5`);
      assert.ok(Math.abs(b![i]! + 0.25) < tolerance, `${file} blue ${b![i]} is -0.25`);
      assert.equal(a![i], 1);
    }
    // Green is the ramp, left to right, top row first: pixel x has (x + 0.5) / 16 in every row.
    for (let y = 0; y < 4; y++) {
      for (let x = 0; x < 16; x++) {
        const v = g![y * 16 + x]!;
        assert.ok(Math.abs(v - (x + 0.5) / 16) < tolerance, `${file} green at ${x},${y} is ${v}`);
      }
    }
  }
});

test('--depth 16 PNG and TIFF of a smooth ramp keep more than 256 levels; 8-bit keeps at most 256', async () => {
  for (const ext of ['png', 'tif']) {
    const deep = isf('render', RAMP, '-o', `ramp16-%d.${ext}`, '--size', '1024x1', '--depth', '16', '-q');
    assert.equal(deep.status, 0, deep.stderr);
    const shallow = isf('render', RAMP, '-o', `ramp8.${ext}`, '--size', '1024x1', '-q');
    assert.equal(shallow.status, 0, shallow.stderr);
    const levels = async (file: string) => {
      const image = sharp(join(work, file));
      const meta = await image.metadata();
      // toColourspace('rgb16') keeps 16-bit values as they are (without it sharp reduces them to 8 bits).
      const { data } = await image
        .toColourspace('rgb16')
        .raw({ depth: 'ushort' })
        .toBuffer({ resolveWithObject: true });
      const values = new Uint16Array(data.buffer, data.byteOffset, data.length / 2);
      const reds = new Set<number>();
      for (let i = 0; i < values.length; i += 4) reds.add(values[i]!);
      return { depth: meta.depth, levels: reds.size, first: values[0]!, last: values[values.length - 4]! };
    };
    const d = await levels(`ramp16-0.${ext}`);
    assert.equal(d.depth, 'ushort', `${ext} is 16-bit`);
    assert.ok(d.levels > 256, `${ext}: ${d.levels} distinct values`);
    assert.ok(d.first < 64 && d.last > 65535 - 64, `${ext} ramps from ${d.first} to ${d.last}`);
    const s = await levels(`ramp8.${ext}`);
    assert.equal(s.depth, 'uchar', `${ext} without --depth is 8-bit`);
    assert.ok(s.levels <= 256);
  }
});

test('--depth 32 outside .exr is a usage error; .exr without ffmpeg is FFMPEG_MISSING (exit 4), nothing written', () => {
  const png = isf('render', HDR, '-o', 'bad.png', '--size', '4x4', '--depth', '32');
  assert.equal(png.status, 2, png.stderr);
  assert.match(png.stderr, /--depth 32 \(full float\) is for \.exr output only/);
  assert.equal(existsSync(join(work, 'bad.png')), false);
  // No ffmpeg on PATH (node itself is run by its full path).
  const r = spawnSync(process.execPath, [ISF_BIN, 'render', HDR, '-o', 'none/f-%d.exr', '--size', '4x4'], {
    cwd: work,
    encoding: 'utf8',
    env: { ...process.env, PATH: join(work, 'no-such-bin') },
    timeout: 120_000,
  });
  assert.equal(r.status, 4, r.stderr);
  assert.match(r.stderr, /ffmpeg is not installed.*apt-get install ffmpeg/);
  assert.equal(existsSync(join(work, 'none')), false);
});

test('--depth 16 with .jpg or .webp is a usage error naming the 8-bit format, nothing written (CLI and API)', async () => {
  for (const [file, name] of [
    ['deep.jpg', 'JPEG'],
    ['deep-%d.webp', 'WebP'],
  ] as const) {
    const r = isf('render', RAMP, '-o', file, '--size', '4x4', '--depth', '16', '--json');
    assert.equal(r.status, 2, r.stderr);
    const out = JSON.parse(r.stdout) as { ok: boolean; error: { code: string; message: string } };
    assert.equal(out.ok, false);
    assert.equal(out.error.code, 'BAD_ARGUMENT');
    assert.equal(out.error.message, `--depth 16 cannot be kept in ${file}: ${name} stores 8 bits per value`);
  }
  assert.deepEqual(
    readdirSync(work).filter((f) => /^deep/.test(f)),
    [],
  );
  // The same refusal in the API: renderToFiles checks it up front (checkSequence), encodeFrame on its own.
  assert.throws(
    () => checkSequence({ output: 'f-%d.webp', depth: 16 }),
    (e: unknown) =>
      e instanceof ISFError && e.code === 'BAD_ARGUMENT' && /WebP stores 8 bits/.test(e.message),
  );
  const frame = { width: 1, height: 1, pixels: Uint8Array.of(1, 2, 3, 255), floatPixels: undefined };
  await assert.rejects(
    encodeFrame(frame, 'jpeg', { depth: 16 }),
    (e: unknown) =>
      e instanceof ISFError && e.code === 'BAD_ARGUMENT' && /JPEG stores 8 bits/.test(e.message),
  );
  // 8-bit JPEG/WebP and 16-bit PNG stay as they were.
  assert.equal(checkSequence({ output: 'f.jpg', depth: 8 }).format, 'jpeg');
  assert.equal(checkSequence({ output: 'f.png', depth: 16 }).format, 'png');
  assert.ok((await encodeFrame(frame, 'webp', { depth: 8 })).length > 0);
});
