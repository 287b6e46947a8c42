/**
 * End-to-end tests of the `isf` command through child processes: what a user or a tool sees (files, exit
 * codes, messages, JSON).
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import sharp from 'sharp';
import { FILES_DIR, ISF_BIN, type IsfResult, needs, probeVideo, runIsf, testShader } from '../helpers.ts';

const work = mkdtempSync(join(tmpdir(), 'isf-cli-'));
const hasFfmpeg = spawnSync('ffmpeg', ['-version']).status === 0;

const isf = (...args: string[]): IsfResult => runIsf(work, args);

function write(name: string, text: string): string {
  const p = join(work, name);
  writeFileSync(p, text);
  return p;
}

const GRADIENT = write(
  'gradient.fs',
  `/*{ "ISFVSN": "2", "INPUTS": [
  { "NAME": "tint", "TYPE": "color", "DEFAULT": [1, 1, 1, 1] },
  { "NAME": "center", "TYPE": "point2D", "DEFAULT": [0.5, 0.5] },
  { "NAME": "mode", "TYPE": "long", "VALUES": [0, 1], "LABELS": ["Plain", "Timed"], "DEFAULT": 0 },
  { "NAME": "flag", "TYPE": "bool", "DEFAULT": false }
] }*/
void main() {
  float t = mode == 1 ? fract(TIME) : 0.0;
  gl_FragColor = vec4(isf_FragNormCoord.x * tint.r, t, flag ? 1.0 : 0.0, 1.0);
}
`,
);

const BROKEN_GLSL = write(
  'broken.fs',
  `/*{
  "ISFVSN": "2",
  "INPUTS": []
}*/
void main() {
  vec4 c = vec4(1.0);
  gl_FragColor = c + undefinedThing;
}
`,
);

async function pixels(file: string): Promise<{ width: number; height: number; data: Buffer }> {
  const { data, info } = await sharp(file).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data };
}

test('validate: valid files exit 0; --json gives file/ok/kind/errors/warnings/compatibility', () => {
  const r = isf('validate', '--json', testShader('Test-Float'), GRADIENT);
  assert.equal(r.status, 0, r.stderr);
  const reports = JSON.parse(r.stdout);
  assert.equal(reports.length, 2);
  assert.deepEqual(Object.keys(reports[0]).sort(), [
    'compatibility',
    'errors',
    'file',
    'kind',
    'ok',
    'warnings',
  ]);
  assert.equal(reports[0].kind, 'filter');
  assert.equal(reports[1].kind, 'generator');
  assert.equal(reports[0].compatibility.strict, true);
  assert.equal(reports[0].compatibility.hosts.VVISF, true);
});

test('validate: a departure is a located warning by default and an ISF_STRICT error with --strict', () => {
  const lenient = write(
    'lenient.fs',
    '/*{\n  "ISFVSN": "2",\n  "INPUTS": [ { "NAME": "a", "TYPE": "float", "DEFAULT": 0.5 }, ]\n}*/\nvoid main() { gl_FragColor = vec4(a); }\n',
  );
  const r = isf('validate', '--json', lenient);
  assert.equal(r.status, 0, r.stderr);
  const [report] = JSON.parse(r.stdout);
  assert.deepEqual(
    report.warnings.map((w: { code: string; line: number; column: number }) => [w.code, w.line, w.column]),
    [['W_JSON_LENIENT', 3, 63]],
  );
  assert.deepEqual(report.warnings[0].refusedBy, ['VVISF', 'ISF editor', 'ossia score']);
  assert.deepEqual(report.compatibility.departures, ['W_JSON_LENIENT']);
  assert.equal(report.compatibility.strict, false);
  assert.equal(report.compatibility.hosts.VVISF, false);
  const s = isf('validate', '--json', '--strict', lenient);
  assert.equal(s.status, 3);
  const [strict] = JSON.parse(s.stdout);
  assert.equal(strict.ok, false);
  assert.equal(strict.errors[0].code, 'ISF_STRICT');
  assert.equal(strict.errors[0].departure, 'W_JSON_LENIENT');
  assert.equal(strict.errors[0].line, 3);
  const render = isf(
    'render',
    '--strict',
    lenient,
    '-o',
    join(dirname(lenient), 'lenient.png'),
    '--size',
    '8x8',
  );
  assert.equal(render.status, 3);
  assert.match(render.stderr, /lenient\.fs:3:63: Trailing comma/);
  // Without --strict the render goes through and says, located, what it accepted.
  const lenientRender = isf('render', lenient, '-o', join(dirname(lenient), 'lenient.png'), '--size', '8x8');
  assert.equal(lenientRender.status, 0, lenientRender.stderr);
  assert.match(
    lenientRender.stderr,
    /warning W_JSON_LENIENT .*lenient\.fs:3:63: Trailing comma: VVISF \(VDMX\), the ISF editor and ossia score would refuse this file/,
  );
  assert.match(lenientRender.stderr, /--strict refuses these departures/);
  const quiet = isf(
    'render',
    '--quiet',
    lenient,
    '-o',
    join(dirname(lenient), 'lenient.png'),
    '--size',
    '8x8',
  );
  assert.equal(quiet.status, 0, quiet.stderr);
  assert.doesNotMatch(quiet.stderr, /W_JSON_LENIENT/);
});

test('validate --json: warnings, errors and compatibility of several files in one run (parse- and GLSL-level)', () => {
  // Departures found while reading the JSON and while generating the GLSL, next to a real error in the same file.
  const mixed = write(
    'mixed.fs',
    '/*{\n  "ISFVSN": "2",\n  "INPUTS": [ { "NAME": "a", "TYPE": "float", "DEFAULT": "0.5" }, ]\n}*/\nvoid main() {\n  gl_FragColor = vec4(a, IMG_THIS_PIXEL(nothing, vec2(0.0)).r, 0.0, 1.0);\n}\n',
  );
  const glsl = write(
    'glsl-departures.fs',
    '/*{\n  "ISFVSN": "2",\n  "INPUTS": [ { "NAME": "inputImage", "TYPE": "image" } ]\n}*/\nvoid main() {\n  float x = 1;\n  gl_FragColor = vec4(x, IMG_THIS_PIXEL(inputImage, vec2(0.0)).r, 0.0, 1.0);\n}\n',
  );
  const r = isf('validate', '--json', mixed, glsl, GRADIENT);
  assert.equal(r.status, 3, r.stderr);
  const [m, g, clean] = JSON.parse(r.stdout);
  const at = (ds: Array<{ code: string; line: number; column: number }>) =>
    ds.map((d) => `${d.code}@${d.line}:${d.column}`).sort();
  assert.equal(m.ok, false);
  assert.deepEqual(at(m.errors), ['ISF_IMG_ARGS@6:41']);
  assert.deepEqual(at(m.warnings), ['W_COERCED@3:58', 'W_JSON_LENIENT@3:65']);
  assert.deepEqual(m.compatibility.departures, ['W_COERCED', 'W_JSON_LENIENT']);
  assert.equal(m.compatibility.hosts.VVISF, false);
  assert.equal(m.compatibility.hosts.Vuo, true);

  // GLSL-level departures are found without --compile (the shaders are generated, not compiled).
  assert.equal(g.ok, true);
  assert.deepEqual(at(g.warnings), ['W_GLSL_DIALECT@7:26', 'W_IMPLICIT_CONVERSION@6:13']);
  assert.deepEqual([...g.compatibility.departures].sort(), ['W_GLSL_DIALECT', 'W_IMPLICIT_CONVERSION']);
  assert.equal(g.compatibility.strict, false);
  assert.equal(g.compatibility.hosts['ossia score'], true);
  assert.equal(g.compatibility.hosts['ISF editor'], false);
  assert.equal(clean.ok, true);
  assert.equal(clean.compatibility.strict, true);

  // --strict: the same departures, now ISF_STRICT errors at the same places, each naming its warning code.
  const s = isf('validate', '--json', '--strict', mixed, glsl);
  assert.equal(s.status, 3);
  const [ms, gs] = JSON.parse(s.stdout);
  assert.deepEqual(at(ms.errors), ['ISF_IMG_ARGS@6:41', 'ISF_STRICT@3:58', 'ISF_STRICT@3:65']);
  assert.equal(gs.ok, false);
  assert.deepEqual(
    gs.errors.map((d: { departure: string; line: number }) => `${d.departure}@${d.line}`),
    ['W_IMPLICIT_CONVERSION@6', 'W_GLSL_DIALECT@7'],
  );
  assert.deepEqual(gs.warnings, []);
});

test('render --set: point3D (Vuo, ossia score) takes x,y,z', async () => {
  const p3 = write(
    'point3d.fs',
    '/*{ "ISFVSN": "2", "INPUTS": [ { "NAME": "p", "TYPE": "point3D", "DEFAULT": [0, 0, 0] } ] }*/\nvoid main() { gl_FragColor = vec4(p, 1.0); }\n',
  );
  const out = join(work, 'point3d.png');
  const r = isf('render', p3, '-o', out, '--size', '4x4', '--set', 'p=1,0,0.5');
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual([...(await pixels(out)).data.subarray(0, 4)], [255, 0, 128, 255]);
  const bad = isf('render', p3, '-o', out, '--size', '4x4', '--set', 'p=1,0');
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /point3D input "p"/);
});

test("../ into the user's own tree: a local render warns and renders; --untrusted and validate refuse it", async () => {
  // The project folder is the working directory (the trusted root of a local render); the shader sits in a
  // subfolder and reaches the project's shared texture and include with ../ (issue 14, IMPORTED).
  const project = join(work, 'climb-project');
  mkdirSync(join(project, 'shaders'), { recursive: true });
  await sharp(Buffer.from([0, 255, 0, 255]), { raw: { width: 1, height: 1, channels: 4 } })
    .png()
    .toFile(join(project, 'green.png'));
  writeFileSync(join(project, 'common.glsl'), 'const float HALF = 0.5;\n');
  const fs = join(project, 'shaders', 'climb.fs');
  writeFileSync(
    fs,
    '/*{ "ISFVSN": "2", "IMPORTED": { "tex": { "PATH": "../green.png" } } }*/\n#include "../common.glsl"\nvoid main() { gl_FragColor = vec4(HALF, IMG_NORM_PIXEL(tex, vec2(0.5)).g, 0.0, 1.0); }\n',
  );
  const out = join(project, 'climb.png');
  const local = runIsf(project, ['render', fs, '-o', out, '--size', '4x4']);
  assert.equal(local.status, 0, local.stderr);
  assert.deepEqual([...(await pixels(out)).data.subarray(0, 4)], [128, 255, 0, 255]);
  // `isf info` reads it the same way and shows the warnings, one for the IMPORTED path and one for the #include.
  const info = runIsf(project, ['info', '--json', fs]);
  assert.equal(info.status, 0, info.stderr);
  const outside = JSON.parse(info.stdout).warnings.filter(
    (w: { code: string }) => w.code === 'W_IMPORT_OUTSIDE_FOLDER',
  );
  assert.deepEqual(
    outside.map((w: { line: number }) => w.line),
    [1, 2],
  );

  const untrusted = runIsf(project, [
    'render',
    '--untrusted',
    fs,
    '-o',
    join(project, 'u.png'),
    '--size',
    '4x4',
  ]);
  assert.equal(untrusted.status, 3, untrusted.stderr);
  assert.match(untrusted.stderr, /ISF_IMPORTED_PATH|leav|outside the shader's folder/);
  assert.equal(existsSync(join(project, 'u.png')), false);

  const v = runIsf(project, ['validate', '--json', fs]);
  assert.equal(v.status, 3, v.stderr);
  const [report] = JSON.parse(v.stdout);
  assert.ok(
    report.errors.some((d: { code: string }) => d.code === 'ISF_IMPORTED_PATH'),
    JSON.stringify(report.errors),
  );
});

test('validate: a broken document exits 3 with its code and the line in the .fs', () => {
  const bad = write('bad-json.fs', '/*{\n  "ISFVSN": "2",\n  "INPUTS": [,]\n}*/\nvoid main(){}\n');
  const r = isf('validate', '--json', bad);
  assert.equal(r.status, 3);
  const [report] = JSON.parse(r.stdout);
  assert.equal(report.ok, false);
  assert.equal(report.errors[0].code, 'ISF_JSON_SYNTAX');
  assert.equal(report.errors[0].line, 3);
  const human = isf('validate', bad);
  assert.equal(human.status, 3);
  assert.match(human.stdout, /FAIL .*bad-json\.fs/);
  assert.match(human.stdout, /ISF_JSON_SYNTAX .*bad-json\.fs:3:/);
});

test('validate --compile reports GLSL errors at the user’s own line', () => {
  const r = isf('validate', '--compile', '--json', BROKEN_GLSL, GRADIENT);
  assert.equal(r.status, 3, r.stderr);
  const [broken, good] = JSON.parse(r.stdout);
  assert.equal(good.ok, true);
  assert.equal(broken.ok, false);
  assert.equal(broken.errors[0].code, 'GLSL_COMPILE');
  assert.equal(broken.errors[0].line, 7, JSON.stringify(broken.errors[0]));
  assert.match(broken.errors[0].message, /undefinedThing/);
});

test('validate: folders are searched recursively', () => {
  const dir = join(work, 'folder');
  mkdirSync(join(dir, 'sub'), { recursive: true });
  writeFileSync(join(dir, 'a.fs'), readFileSync(GRADIENT));
  writeFileSync(
    join(dir, 'sub', 'b.fs'),
    '/*{ "INPUTS": [ { "NAME": "x", "TYPE": "nope" } ] }*/\nvoid main(){}\n',
  );
  const r = isf('validate', '--json', dir);
  assert.equal(r.status, 3);
  const reports = JSON.parse(r.stdout);
  assert.equal(reports.length, 2);
  assert.equal(reports[1].errors[0].code, 'ISF_INPUT_TYPE');
});

test('info --json: normalised metadata', () => {
  const r = isf('info', '--json', testShader('Test-Long'));
  assert.equal(r.status, 0, r.stderr);
  const info = JSON.parse(r.stdout);
  assert.equal(info.kind, 'filter');
  assert.equal(info.isfVersion, 2);
  const long = info.inputs.find((i: { type: string }) => i.type === 'long');
  assert.ok(Array.isArray(long.values) && Array.isArray(long.labels));
  assert.equal(info.passes.length, 1);
});

test('render: one PNG of the requested size; --set parses by type', async () => {
  const out = join(work, 'one.png');
  const r = isf(
    'render',
    GRADIENT,
    '-o',
    out,
    '--size',
    '64x32',
    '--set',
    'tint=#ff0000',
    '--set',
    'flag=true',
  );
  assert.equal(r.status, 0, r.stderr);
  const img = await pixels(out);
  assert.equal(img.width, 64);
  assert.equal(img.height, 32);
  const right = (10 * 64 + 63) * 4;
  assert.ok(img.data[right]! > 240, 'red ramp reaches the right edge');
  assert.equal(img.data[right + 2], 255, 'flag=true sets blue');
});

test('render: unknown input and bad values exit 2 and list the valid inputs', () => {
  const unknown = isf('render', GRADIENT, '-o', join(work, 'x.png'), '--size', '8x8', '--set', 'nope=1');
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /no input named "nope".*tint \(color\).*center \(point2D\)/);
  const badColor = isf('render', GRADIENT, '-o', join(work, 'x.png'), '--size', '8x8', '--set', 'tint=1,2');
  assert.equal(badColor.status, 2);
  assert.match(badColor.stderr, /color input "tint"/);
  const badLabel = isf('render', GRADIENT, '-o', join(work, 'x.png'), '--size', '8x8', '--set', 'mode=Loud');
  assert.equal(badLabel.status, 2);
  assert.match(badLabel.stderr, /"Plain", "Timed"/);
  const badSize = isf('render', GRADIENT, '-o', join(work, 'x.png'), '--size', '0x8');
  assert.equal(badSize.status, 2);
  const missing = isf('render', join(work, 'missing.fs'), '-o', join(work, 'x.png'));
  assert.equal(missing.status, 4);
  assert.match(missing.stderr, /missing\.fs/);
  const shader = isf('render', BROKEN_GLSL, '-o', join(work, 'x.png'), '--size', '8x8');
  assert.equal(shader.status, 3);
  assert.match(shader.stderr, /broken\.fs:7/);
  assert.equal(existsSync(join(work, 'x.png')), false, 'nothing written on failure');
});

test('render: a 30-frame sequence gives 30 PNGs whose content changes with time', async () => {
  const dir = join(work, 'seq');
  const r = isf(
    'render',
    GRADIENT,
    '-o',
    join(dir, 'f-%03d.png'),
    '--size',
    '32x16',
    '--frames',
    '30',
    '--fps',
    '24',
    '--set',
    'mode=Timed',
    '--json',
  );
  assert.equal(r.status, 0, r.stderr);
  const summary = JSON.parse(r.stdout.trim().split('\n').pop()!);
  assert.equal(summary.frames, 30);
  const files = readdirSync(dir).sort();
  assert.equal(files.length, 30);
  assert.equal(files[0], 'f-000.png');
  const g = async (k: number) => (await pixels(join(dir, files[k]!))).data[1]!;
  const first = await g(0);
  const later = await g(12);
  assert.equal(first, 0, 'TIME 0');
  assert.ok(Math.abs(later - Math.round((12 / 24) * 255)) <= 1, `TIME 0.5 gives green ~128, got ${later}`);
  assert.equal((await pixels(join(dir, files[29]!))).width, 32);
});

test('render: a 2-second 30 fps mp4 has 60 frames', needs(!hasFfmpeg && 'ffmpeg is not installed'), () => {
  const out = join(work, 'clip.mp4');
  const r = isf(
    'render',
    GRADIENT,
    '-o',
    out,
    '--size',
    '64x36',
    '--duration',
    '2',
    '--fps',
    '30',
    '--set',
    'mode=Timed',
  );
  assert.equal(r.status, 0, r.stderr);
  const probe = probeVideo(out, 'nb_read_frames,width,height');
  assert.equal(probe.stdout.trim(), '64,36,60');
  assert.deepEqual(
    readdirSync(work).filter((f) => f.endsWith('.tmp')),
    [],
    'no temporary files left',
  );
});

test(
  'render: a filter over a generated clip gives a clip of the same length',
  needs(!hasFfmpeg && 'ffmpeg is not installed'),
  () => {
    const src = join(work, 'src.mp4');
    const gen = spawnSync('ffmpeg', [
      '-v',
      'error',
      '-f',
      'lavfi',
      '-i',
      'testsrc=size=64x36:rate=30:duration=1',
      '-pix_fmt',
      'yuv420p',
      src,
    ]);
    assert.equal(gen.status, 0);
    const out = join(work, 'filtered.webm');
    const r = isf(
      'render',
      testShader('Test-Long'),
      '-o',
      out,
      '--size',
      '64x36',
      '--frames',
      '30',
      '--image',
      `inputImage=${src}`,
      '--set',
      'longInputIsPopUpButton=1',
    );
    assert.equal(r.status, 0, r.stderr);
    const probe = probeVideo(out);
    assert.equal(probe.stdout.trim(), '30');
  },
);

test('render: a transition over two images moves from one to the other', async () => {
  const a = join(work, 'red.png');
  const b = join(work, 'blue.png');
  await sharp({ create: { width: 32, height: 16, channels: 4, background: '#ff0000' } })
    .png()
    .toFile(a);
  await sharp({ create: { width: 32, height: 16, channels: 4, background: '#0000ff' } })
    .png()
    .toFile(b);
  const dir = join(work, 'trans');
  const r = isf(
    'render',
    join(FILES_DIR, 'Fade.fs'),
    '-o',
    join(dir, 't-%02d.png'),
    '--size',
    '32x16',
    '--frames',
    '5',
    '--image',
    `startImage=${a}`,
    '--image',
    `endImage=${b}`,
  );
  assert.equal(r.status, 0, r.stderr);
  const reds = [];
  for (let k = 0; k < 5; k++) reds.push((await pixels(join(dir, `t-0${k}.png`))).data[0]!);
  assert.equal(reds[0], 255, 'progress 0 shows startImage');
  assert.equal(reds[4], 0, 'progress 1 shows endImage');
  assert.ok(reds[2]! > 100 && reds[2]! < 155, `halfway mixes, got ${reds[2]}`);
  const pinned = isf(
    'render',
    join(FILES_DIR, 'Fade.fs'),
    '-o',
    join(work, 'pinned.png'),
    '--size',
    '32x16',
    '--frames',
    '5',
    '--image',
    `startImage=${a}`,
    '--image',
    `endImage=${b}`,
    '--set',
    'progress=0.25',
  );
  assert.equal(pinned.status, 0, pinned.stderr);
  assert.ok(Math.abs((await pixels(join(work, 'pinned.png'))).data[0]! - 191) <= 1, '--set progress pins it');
});

test('render: an interrupted run stops cleanly and leaves no partial file', async () => {
  const dir = join(work, 'interrupted');
  const child = spawn(
    process.execPath,
    [ISF_BIN, 'render', GRADIENT, '-o', join(dir, 'f-%04d.png'), '--size', '256x256', '--frames', '100000'],
    { cwd: work },
  );
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  const deadline = Date.now() + 60_000;
  while (!(existsSync(dir) && readdirSync(dir).filter((f) => f.endsWith('.png')).length >= 3)) {
    if (Date.now() > deadline) throw new Error(`no frames appeared: ${stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill('SIGINT');
  const code = await new Promise<number | null>((r) => child.on('close', r));
  assert.equal(code, 130, stderr);
  assert.match(stderr, /interrupted/);
  const left = readdirSync(dir);
  assert.deepEqual(
    left.filter((f) => !f.endsWith('.png')),
    [],
    'no temporary files',
  );
  assert.ok(left.length < 100000);
  for (const f of left) {
    const img = await pixels(join(dir, f));
    assert.equal(img.width, 256, `${f} is a complete PNG`);
  }
  assert.match(stderr, /frames written: .*f-0000\.png/);
});

test('render --workers 2 renders on 2 workers, writing the same files as one thread; persistent shaders stay on one thread', async () => {
  const one = join(work, 'w1');
  const two = join(work, 'w2');
  // 40 frames: 10 jobs of 4, so the second worker, starting beside the first, gets its share.
  const args = ['--size', '96x54', '--frames', '40', '--set', 'mode=Timed', '--json'];
  const single = isf('render', GRADIENT, '-o', join(one, 'f-%02d.png'), ...args);
  assert.equal(single.status, 0, single.stderr);
  assert.equal((JSON.parse(single.stdout) as { workers: number }).workers, 1);
  const r = isf('render', GRADIENT, '-o', join(two, 'f-%02d.png'), ...args, '--workers', '2');
  assert.equal(r.status, 0, r.stderr);
  // The isolated child renders on its pool (it used to fall back to one thread: "custom scene options").
  assert.doesNotMatch(r.stderr, /rendering on one thread/);
  assert.equal(
    (JSON.parse(r.stdout) as { workers: number }).workers,
    2,
    'frames rendered by 2 distinct workers',
  );
  const files = readdirSync(one).sort();
  assert.equal(files.length, 40);
  assert.deepEqual(readdirSync(two).sort(), files);
  for (const f of files)
    assert.ok(readFileSync(join(one, f)).equals(readFileSync(join(two, f))), `${f} differs`);
  const persistent = isf(
    'render',
    testShader('Test-PersistentBuffer'),
    '-o',
    join(work, 'p.png'),
    '--size',
    '16x16',
    '--frames',
    '3',
    '--workers',
    '2',
  );
  assert.equal(persistent.status, 0, persistent.stderr);
  assert.match(persistent.stderr, /rendering on one thread: the shader has persistent buffers/);
  const bad = isf('render', GRADIENT, '-o', join(work, 'x.png'), '--workers', '0');
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--workers/);
});

test('render --audio: a WAV file feeds an audioFFT input; a missing file is an I/O error', async () => {
  const rate = 44100;
  const n = 4096;
  const wav = Buffer.alloc(44 + n * 2);
  wav.write('RIFF', 0);
  wav.writeUInt32LE(36 + n * 2, 4);
  wav.write('WAVEfmt ', 8);
  wav.writeUInt32LE(16, 16);
  wav.writeUInt16LE(1, 20);
  wav.writeUInt16LE(1, 22);
  wav.writeUInt32LE(rate, 24);
  wav.writeUInt32LE(rate * 2, 28);
  wav.writeUInt16LE(2, 32);
  wav.writeUInt16LE(16, 34);
  wav.write('data', 36);
  wav.writeUInt32LE(n * 2, 40);
  for (let i = 0; i < n; i++)
    wav.writeInt16LE(Math.round(Math.sin((2 * Math.PI * 3000 * i) / rate) * 20000), 44 + i * 2);
  const tone = write('tone.wav', '');
  writeFileSync(tone, wav);
  const silent = join(work, 'fft-silent.png');
  const loud = join(work, 'fft-loud.png');
  assert.equal(isf('render', testShader('Test-AudioFFT'), '-o', silent, '--size', '64x32').status, 0);
  const r = isf(
    'render',
    testShader('Test-AudioFFT'),
    '-o',
    loud,
    '--size',
    '64x32',
    '--audio',
    `fftImage=${tone}`,
    // The frame at TIME t shows the audio that ends at t: 0.05 s is inside the 0.093 s tone.
    '--time',
    '0.05',
  );
  assert.equal(r.status, 0, r.stderr);
  assert.notDeepEqual(
    (await pixels(loud)).data,
    (await pixels(silent)).data,
    'the tone shows in the picture',
  );
  const missing = isf(
    'render',
    testShader('Test-AudioFFT'),
    '-o',
    loud,
    '--audio',
    `fftImage=${join(work, 'none.wav')}`,
  );
  assert.equal(missing.status, 4);
  assert.match(missing.stderr, /none\.wav/);
});
