/**
 * `isf thumbnails`: a folder with three good shaders, an endless loop and a broken file. Every good one gets a
 * thumbnail with the right pixels, the two bad ones are listed in index.html with their errors, the endless one
 * is stopped at its time limit, a second run renders nothing, and changing one file re-renders only it.
 */
import assert from 'node:assert/strict';
import {
  appendFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import sharp from 'sharp';
import { runIsf } from '../helpers.ts';
import { DRAW_HANG } from '../untrusted/fixtures.ts';

const work = mkdtempSync(join(tmpdir(), 'isf-thumbnails-'));
after(() => rmSync(work, { recursive: true, force: true }));
const shaders = join(work, 'shaders');
const out = join(work, 'thumbs');
const TIMEOUT_MS = 3000;

mkdirSync(join(shaders, 'sub'), { recursive: true });
const write = (name: string, text: string) => writeFileSync(join(shaders, name), text);

interface Summary {
  ok: boolean;
  rendered: string[];
  unchanged: string[];
  failed: string[];
  durations: Record<string, number>;
  entries: {
    path: string;
    ok: boolean;
    kind: string | null;
    thumbnail?: string;
    error?: { code: string; message: string; line?: number };
  }[];
}

function thumbnails(): Summary {
  const r = runIsf(work, [
    'thumbnails',
    shaders,
    '-o',
    out,
    '--timeout',
    String(TIMEOUT_MS),
    '--size',
    '32x18',
    '--json',
  ]);
  // Two shaders fail: exit 3, as `isf validate` with an invalid file.
  assert.equal(r.status, 3, r.stderr);
  return JSON.parse(r.stdout) as Summary;
}

async function pixel(file: string, x: number, y: number): Promise<number[]> {
  const { data, info } = await sharp(join(out, file)).raw().toBuffer({ resolveWithObject: true });
  const i = (y * info.width + x) * info.channels;
  return [...data.subarray(i, i + 3)];
}

const mtimes = (files: string[]) => files.map((f) => statSync(join(out, f)).mtimeMs);

test('good shaders get thumbnails with their pixels; the endless and the broken one are listed with their errors', async () => {
  write(
    'red.fs',
    '/*{ "DESCRIPTION": "solid <script>alert(1)</script> & red", "INPUTS": [ { "NAME": "level", "TYPE": "float", "DEFAULT": 1 } ] }*/\nvoid main() { gl_FragColor = vec4(level, 0.0, 0.0, 1.0); }\n',
  );
  write(
    'sub/filter.fs',
    '/*{ "INPUTS": [ { "NAME": "inputImage", "TYPE": "image" } ] }*/\nvoid main() { gl_FragColor = IMG_THIS_NORM_PIXEL(inputImage); }\n',
  );
  write(
    'fade.fs',
    '/*{ "INPUTS": [ { "NAME": "startImage", "TYPE": "image" }, { "NAME": "endImage", "TYPE": "image" }, { "NAME": "progress", "TYPE": "float" } ] }*/\nvoid main() { gl_FragColor = mix(vec4(0.0, 0.0, 1.0, 1.0), vec4(0.0, 1.0, 0.0, 1.0), progress); }\n',
  );
  write('endless.fs', DRAW_HANG);
  write('broken.fs', '/*{ "INPUTS": [] }*/\nvoid main() {\n  gl_FragColor = vec4(1.0)\n}\n');

  const first = thumbnails();
  assert.deepEqual(first.rendered, ['broken.fs', 'endless.fs', 'fade.fs', 'red.fs', 'sub/filter.fs']);
  assert.deepEqual(first.failed, ['broken.fs', 'endless.fs']);
  const byPath = new Map(first.entries.map((e) => [e.path, e]));
  assert.equal(byPath.get('endless.fs')!.error!.code, 'RENDER_TIMEOUT');
  assert.equal(byPath.get('broken.fs')!.error!.code, 'GLSL_COMPILE');
  assert.equal(byPath.get('broken.fs')!.error!.line, 4);
  // Stopped at its limit: not before it, and long before the ~15 s its 8x8 check draw takes on llvmpipe.
  const endlessMs = first.durations['endless.fs']!;
  assert.ok(endlessMs >= TIMEOUT_MS * 0.9, `endless stopped after ${endlessMs} ms`);
  assert.ok(endlessMs < TIMEOUT_MS * 3, `endless stopped after ${endlessMs} ms, limit ${TIMEOUT_MS}`);

  assert.deepEqual(await pixel('red.fs.png', 16, 9), [255, 0, 0]);
  // The filter got the built-in test pattern: yellow marker top-left, white bottom-right.
  assert.deepEqual(await pixel('sub/filter.fs.png', 0, 0), [255, 255, 0]);
  assert.deepEqual(await pixel('sub/filter.fs.png', 31, 17), [255, 255, 255]);
  // The transition is shown halfway.
  assert.deepEqual(await pixel('fade.fs.png', 16, 9), [0, 128, 128]);

  const html = readFileSync(join(out, 'index.html'), 'utf8');
  assert.match(html, /<img src="red\.fs\.png"/);
  assert.match(html, /<img src="sub\/filter\.fs\.png"/);
  assert.match(html, /<code>RENDER_TIMEOUT<\/code>/);
  assert.match(html, /<code>GLSL_COMPILE<\/code> line 4: [^<]*unexpected/);
  assert.match(html, /data-path="endless\.fs"/);
  // The description is the shader's own (untrusted) text: escaped, never markup.
  assert.doesNotMatch(html, /<script>/);
  assert.match(html, /solid &#60;script&#62;alert\(1\)&#60;\/script&#62; &#38; red/);
  assert.match(html, /<li>level: float<\/li>/);
});

test('a second run renders nothing; changing one file re-renders only it', () => {
  const pngs = ['fade.fs.png', 'red.fs.png', 'sub/filter.fs.png'];
  const before = mtimes([...pngs, 'manifest.json']);
  const manifest = readFileSync(join(out, 'manifest.json'), 'utf8');

  const second = thumbnails();
  assert.deepEqual(second.rendered, []);
  assert.deepEqual(second.unchanged, ['broken.fs', 'endless.fs', 'fade.fs', 'red.fs', 'sub/filter.fs']);
  assert.deepEqual(second.failed, ['broken.fs', 'endless.fs']);
  assert.deepEqual(mtimes(pngs), before.slice(0, 3));
  assert.equal(readFileSync(join(out, 'manifest.json'), 'utf8'), manifest);

  appendFileSync(join(shaders, 'red.fs'), '// changed\n');
  const third = thumbnails();
  assert.deepEqual(third.rendered, ['red.fs']);
  assert.equal(third.unchanged.length, 4);
  const after = mtimes(pngs);
  assert.equal(after[0], before[0]);
  assert.equal(after[2], before[2]);
  assert.ok(after[1]! > before[1]!, 'red.fs.png was written again');
});
