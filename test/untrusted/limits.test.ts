/**
 * Hostile sizes give their typed error quickly and before any GL work: a 100000x100000 pass, a 50 MB document,
 * JSON nested 10,000 deep, huge render sizes and images, too many passes, too many bytes per frame. "Nothing
 * allocated" is checked on the context's own counters (textures, framebuffers, bytes), in this process and
 * in the isolated child.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import zlib from 'node:zlib';
import { parseISF, validateISF } from '../../src/core/parse/index.ts';
import {
  IsolatedRenderer,
  parseLimitsOf,
  resolveLimits,
  sceneLimitsOf,
  UNTRUSTED_LIMITS,
} from '../../src/node/isolate/index.ts';
import type { ContextStats } from '../../src/render/context.ts';
import { Scene } from '../../src/render/scene.ts';
import { assertFasterThan, assertFasterThanAsync, context, expectISFError } from '../helpers.ts';
import { VALID } from './fixtures.ts';

const dir = mkdtempSync(join(tmpdir(), 'isf-limits-'));
const renderer = new IsolatedRenderer({ timeoutMs: 10_000 });
after(async () => {
  await renderer.close();
  rmSync(dir, { recursive: true, force: true });
});

const doc = (json: Record<string, unknown>, body = 'void main() { gl_FragColor = vec4(1.0); }'): string =>
  `/*${JSON.stringify({ ISFVSN: '2', ...json })}*/\n${body}\n`;

/** 100000x100000 from an expression: 40 GB of pass target if it were allocated. */
const HUGE_PASS = doc({
  INPUTS: [{ NAME: 'k', TYPE: 'float', DEFAULT: 100000, MIN: 0, MAX: 1e6 }],
  PASSES: [{ TARGET: 'big', WIDTH: '$WIDTH * 1562.5', HEIGHT: '$k' }, {}],
});

function allocation(s: ContextStats): Record<string, number> {
  return { textures: s.textures, framebuffers: s.framebuffers, bytes: s.bytes, pool: s.pool.bytes };
}

describe('the UNTRUSTED_LIMITS preset', () => {
  test('holds every limit, and overrides are checked', () => {
    assert.equal(UNTRUSTED_LIMITS.strictPassSizes, true);
    assert.ok(Object.isFrozen(UNTRUSTED_LIMITS));
    assert.deepEqual(sceneLimitsOf(UNTRUSTED_LIMITS), {
      maxPassSize: 8192,
      strictPassSizes: true,
      maxFrameBytes: 1024 ** 3,
      maxPasses: 32,
    });
    assert.deepEqual(parseLimitsOf(UNTRUSTED_LIMITS), { maxBytes: 1024 * 1024, maxJsonDepth: 32 });
    assert.equal(resolveLimits({ maxPasses: 4 }).maxPasses, 4);
    assert.throws(() => resolveLimits({ maxPasses: 0 }), {
      code: 'BAD_ARGUMENT',
      message: /limits\.maxPasses/,
    });
    assert.throws(() => new IsolatedRenderer({ limits: { maxFrameBytes: Number.NaN } }), {
      code: 'BAD_ARGUMENT',
    });
  });
});

describe('in this process: Scene limits refuse before any GL work', () => {
  const scene = (): Scene => new Scene(context(), { limits: sceneLimitsOf(UNTRUSTED_LIMITS) });

  test('a pass expression of 100000x100000 is SIZE_OUT_OF_RANGE, nothing allocated', async () => {
    const s = scene();
    s.useDocSync(parseISF(HUGE_PASS, { path: '/x/huge.fs' }));
    const before = allocation(context().stats());
    const e = await expectISFError(() => s.render({ width: 64, height: 64 }), 'SIZE_OUT_OF_RANGE');
    assert.match(
      e.message,
      /WIDTH of pass "big" in huge evaluates to 100000 \(\$WIDTH \* 1562\.5\); the largest allowed is 8192/,
    );
    assert.deepEqual(allocation(context().stats()), before);
    // Refusing costs less than rendering one ordinary 64x64 frame: it happens before any GL work.
    const valid = scene().useDocSync(parseISF(VALID));
    assertFasterThan(
      () => assert.throws(() => s.render({ width: 64, height: 64 }), { code: 'SIZE_OUT_OF_RANGE' }),
      () => valid.render({ width: 64, height: 64 }),
      1,
      'refusing the pass',
    );
    valid.destroy();
    s.destroy();
  });

  test('without the preset the same pass is clamped (VVISF), so the preset is what refuses it', () => {
    const s = new Scene(context(), { limits: { maxPassSize: 16 } });
    s.useDocSync(parseISF(HUGE_PASS));
    const frame = s.render({ width: 8, height: 8 });
    assert.equal(frame.width, 8);
    s.destroy();
  });

  test('more bytes of targets than maxFrameBytes is LIMIT_EXCEEDED, nothing allocated', async () => {
    const passes = Array.from({ length: 6 }, (_, i) => ({
      TARGET: `t${i}`,
      FLOAT: true,
      WIDTH: 8192,
      HEIGHT: 8192,
    }));
    const s = scene();
    s.useDocSync(parseISF(doc({ PASSES: [...passes, {}] }), { path: '/x/fat.fs' }));
    const before = allocation(context().stats());
    await expectISFError(
      () => s.render({ width: 8, height: 8 }),
      'LIMIT_EXCEEDED',
      /fat would need .* GiB .*the limit is 1\.0 GiB/,
    );
    assert.deepEqual(allocation(context().stats()), before);
    s.destroy();
  });

  test('more than maxPasses passes is LIMIT_EXCEEDED before compiling', async () => {
    const s = scene();
    const programs = context().stats().programs;
    const many = doc({ PASSES: Array.from({ length: 33 }, (_, i) => ({ TARGET: `p${i}` })) });
    await expectISFError(() => s.useDocSync(parseISF(many)), 'LIMIT_EXCEEDED', /33 passes; the limit is 32/);
    assert.equal(context().stats().programs, programs);
    s.destroy();
  });

  test('a 50 MB document and JSON nested 10,000 deep fail in the parser, fast', () => {
    const big = `/*{}*/\n${'x'.repeat(50 * 1024 * 1024)}`;
    assert.throws(() => parseISF(big), { code: 'ISF_TOO_LARGE' });
    assert.throws(() => parseISF(VALID.padEnd(2 * 1024 * 1024, ' '), parseLimitsOf(UNTRUSTED_LIMITS)), {
      code: 'ISF_TOO_LARGE',
      message: /limit of 1048576 bytes/,
    });
    const deep = `/*{"a":${'['.repeat(10000)}${']'.repeat(10000)}}*/\n`;
    assert.throws(() => parseISF(deep), { code: 'ISF_JSON_TOO_DEEP' });
    const deep40 = `/*{"a":${'['.repeat(40)}${']'.repeat(40)}}*/\nvoid main(){}\n`;
    assert.equal(validateISF(deep40).ok, true);
    assert.equal(
      validateISF(deep40, parseLimitsOf(UNTRUSTED_LIMITS)).diagnostics[0]?.code,
      'ISF_JSON_TOO_DEEP',
    );
    // Fast: both refusals together cost less than parsing a valid document as large as the deep one.
    const flat = `/*{"a":[${Array.from({ length: 10000 }, () => '0').join(',')}]}*/\nvoid main(){}\n`;
    assertFasterThan(
      () => {
        assert.throws(() => parseISF(big), { code: 'ISF_TOO_LARGE' });
        assert.throws(() => parseISF(deep), { code: 'ISF_JSON_TOO_DEEP' });
      },
      () => parseISF(flat),
      4,
      'refusing 50 MB and 10,000 levels',
    );
  });
});

describe('IsolatedRenderer: typed errors, fast, nothing allocated', () => {
  test('a 100000x100000 pass expression: SIZE_OUT_OF_RANGE from the child, its context untouched', async () => {
    await renderer.render({ source: VALID, width: 8, height: 8 }); // warm (and settle the pool)
    const before = allocation(await renderer.contextStats());
    const huge = { source: HUGE_PASS, path: join(dir, 'huge.fs'), width: 64, height: 64 };
    const e = await expectISFError(renderer.render(huge), 'SIZE_OUT_OF_RANGE');
    assert.match(e.message, /evaluates to 100000/);
    assert.deepEqual(allocation(await renderer.contextStats()), before);
    // Fast: no slower than a round trip loading and rendering a new valid 64x64 shader in the same child.
    let n = 0;
    await assertFasterThanAsync(
      () => expectISFError(renderer.render(huge), 'SIZE_OUT_OF_RANGE'),
      () => renderer.render({ source: `${VALID}// ${n++}\n`, width: 64, height: 64 }),
      2,
      'refusing in the child',
    );
    // ...and the child is still the same, working one.
    assert.equal((await renderer.render({ source: VALID, width: 4, height: 4 })).width, 4);
    assert.equal(renderer.stats().timeouts + renderer.stats().crashes, 0);
  });

  test('a 50 MB document (text or file) is ISF_TOO_LARGE without reading it or starting a child', async () => {
    const fresh = new IsolatedRenderer();
    try {
      const text = `/*{}*/\n${'x'.repeat(50 * 1024 * 1024)}`;
      await expectISFError(
        fresh.render({ source: text, width: 8, height: 8 }),
        'ISF_TOO_LARGE',
        /52428807 bytes/,
      );
      const file = join(dir, 'big.fs');
      // A sparse 50 MB file: reading it would be the mistake.
      writeFileSync(file, '');
      truncateSync(file, 50 * 1024 * 1024);
      await expectISFError(
        fresh.render({ path: file, width: 8, height: 8 }),
        'ISF_TOO_LARGE',
        /52428800 bytes/,
      );
      await expectISFError(fresh.compile(file), 'ISF_TOO_LARGE');
      assert.equal(fresh.stats().started, 0, 'no child was needed');
      // Without reading the file: refusing it costs less than half of reading it once.
      await assertFasterThanAsync(
        () => expectISFError(fresh.render({ path: file, width: 8, height: 8 }), 'ISF_TOO_LARGE'),
        () => readFile(file),
        0.5,
        'refusing the 50 MB file',
      );
    } finally {
      await fresh.close();
    }
  });

  test('JSON nested 10,000 deep is ISF_JSON_TOO_DEEP from the child, quickly', async () => {
    const deep = `/*{"a":${'{"b":'.repeat(10000)}1${'}'.repeat(10001)}*/\nvoid main(){}\n`;
    await expectISFError(renderer.compile({ source: deep }), 'ISF_JSON_TOO_DEEP');
    // Quickly: no slower than compiling a valid shader as large in the same child (its program cached once warm).
    const flat = `/*{"INPUTS":[{"NAME":"level","TYPE":"float"}],"a":[${Array.from({ length: 30000 }, () => '0').join(',')}]}*/\n${VALID.slice(VALID.indexOf('*/') + 3)}`;
    await assertFasterThanAsync(
      () => expectISFError(renderer.compile({ source: deep }), 'ISF_JSON_TOO_DEEP'),
      () => renderer.compile({ source: flat }),
      3,
      'refusing 10,000 levels in the child',
    );
  });

  test('render sizes and input images over the limits are refused here, before the child', async () => {
    const started = renderer.stats().started;
    const completed = renderer.stats().completed;
    await expectISFError(
      renderer.render({ source: VALID, width: 100000, height: 100000 }),
      'SIZE_OUT_OF_RANGE',
      /100000 is larger than .* 8192/,
    );
    const huge = { width: 100000, height: 100000, data: new Uint8Array(4) };
    await expectISFError(
      renderer.render({ source: VALID, width: 8, height: 8, images: { inputImage: huge } }),
      'LIMIT_EXCEEDED',
      /"inputImage" is 100000x100000; the largest image .* 8192x8192/,
    );
    assert.equal(renderer.stats().started, started);
    assert.equal(renderer.stats().completed, completed, 'nothing was sent to the child');
  });

  test('an IMPORTED image over maxImageSide is refused from its header, before decoding', async () => {
    writeFileSync(join(dir, 'giant.png'), pngHeader(20000, 20000));
    const source = doc({ IMPORTED: { giant: { PATH: 'giant.png' } } });
    await expectISFError(
      renderer.render({ source, path: join(dir, 'uses-giant.fs'), width: 8, height: 8 }),
      'LIMIT_EXCEEDED',
      /giant.png\) is 20000x20000; the largest image allowed is 8192x8192/,
    );
  });

  test('pass count and frame bytes are the child scene limits too', async () => {
    const many = doc({ PASSES: Array.from({ length: 40 }, (_, i) => ({ TARGET: `p${i}` })) });
    await expectISFError(renderer.compile({ source: many }), 'LIMIT_EXCEEDED', /40 passes; the limit is 32/);
    const small = new IsolatedRenderer({ limits: { maxFrameBytes: 1000 } });
    try {
      await expectISFError(
        small.render({ source: VALID, width: 32, height: 32 }),
        'LIMIT_EXCEEDED',
        /limit is/,
      );
      assert.equal((await small.render({ source: VALID, width: 8, height: 8 })).width, 8);
    } finally {
      await small.close();
    }
  });
});

/** A PNG claiming width x height (RGBA8) with one row of data: a valid header, cheap to write. */
function pngHeader(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer): Buffer => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(zlib.crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 6, 0, 0, 0], 8);
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  // One row of pixel data: enough for a header read, far too little to decode.
  const idat = chunk('IDAT', zlib.deflateSync(Buffer.alloc(1 + width * 4)));
  return Buffer.concat([signature, chunk('IHDR', ihdr), idat, chunk('IEND', Buffer.alloc(0))]);
}
