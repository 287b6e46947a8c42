/**
 * Every shader of ../shared/corpus/shadertoy converts and validates, and its generated GLSL compiles
 * (glslangValidator, one process for all); the multi-pass ones, whose pass wiring is the converter's real work,
 * also compile on Mesa and draw frames. Drawing every corpus shader costs minutes of LLVM time on a cold shader
 * cache, so the single-pass ones stop at glslang.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { ISFDocument } from '../../src/core/document.ts';
import { generateShaders } from '../../src/core/glsl/index.ts';
import { parseISF } from '../../src/core/parse/index.ts';
import { convertPath } from '../../src/node/convert.ts';
import { nodePlatform } from '../../src/node/platform.ts';
import { Scene } from '../../src/render/scene.ts';
import { assertISFError, context, needs, SHARED } from '../helpers.ts';

const CORPUS = join(SHARED, 'corpus', 'shadertoy');
const present = existsSync(CORPUS);
const hasGlslang = spawnSync('glslangValidator', ['--version'], { encoding: 'utf8' }).status === 0;

/**
 * Sources that are not plain Shadertoy and stay broken after conversion, with the error that says why: the Vulkan
 * launcher's own `iTextures[]` array, and a pass whose channel map calls a cube map a "texture".
 */
const KNOWN_FAILURES: Record<string, RegExp> = {
  'multi/danilw-vulkan-launcher-WlcBWr': /iTextures/,
  'multi/trettel-demofox-pathtracer-pt2': /VVSAMPLER_2DBYNORM/,
};

/**
 * Sources glslang refuses and Mesa compiles: `const float MAX_FLOAT = intBitsToFloat(0x7f7fffff);` is a
 * constant expression for Mesa, not for glslang's reading of GLSL ES 3.00. The author's code, not the converter's.
 */
const GLSLANG_STRICTER: Record<string, RegExp> = {
  'multi/elenzil-bh1': /global const initializers must be constant/,
  'multi/elenzil-scintillation_station': /global const initializers must be constant/,
};

function sources(): string[] {
  const out: string[] = [];
  for (const dir of ['single', 'single-json', 'sandbox', 'multi']) {
    for (const name of readdirSync(join(CORPUS, dir)).sort()) out.push(`${dir}/${name}`);
  }
  return out;
}

describe(
  'Shadertoy / GLSL Sandbox corpus',
  needs(!present && `the Shadertoy corpus is missing at ${CORPUS}`),
  () => {
    const converted = new Map<string, ISFDocument[]>();

    test('every source converts and validates', async () => {
      for (const rel of sources()) {
        const results = await convertPath(join(CORPUS, rel));
        assert.ok(results.length >= 1, rel);
        converted.set(
          rel,
          results.map((r) => parseISF(r.source, { path: `/tmp/${r.name}.fs` })),
        );
      }
      assert.ok(converted.size >= 80, `only ${converted.size} sources`);
    });

    test(
      'the generated GLSL compiles (glslangValidator)',
      needs(
        !hasGlslang && 'glslangValidator is not installed (setup-debian.sh --dev installs glslang-tools)',
      ),
      async () => {
        const dir = mkdtempSync(join(tmpdir(), 'isf-convert-'));
        try {
          const names: string[] = [];
          const owner = new Map<string, string>();
          for (const [rel, docs] of converted) {
            docs.forEach((doc, i) => {
              const name = `${String(names.length).padStart(4, '0')}.frag`;
              writeFileSync(join(dir, name), generateShaders(doc).fragment);
              names.push(name);
              owner.set(name, `${rel}${docs.length > 1 ? `#${i}` : ''}`);
            });
          }
          const output = await new Promise<string>((resolve, reject) => {
            const child = spawn('glslangValidator', names, { cwd: dir });
            let out = '';
            child.stdout.on('data', (b: Buffer) => {
              out += b.toString();
            });
            child.on('error', reject);
            child.on('close', () => resolve(out));
          });
          const failed = new Map<string, string>();
          let current = '';
          for (const line of output.split('\n')) {
            if (owner.has(line.trim())) current = owner.get(line.trim())!;
            else if (/^ERROR: /.test(line) && current && !failed.has(current)) failed.set(current, line);
          }
          for (const [rel, pattern] of Object.entries({ ...KNOWN_FAILURES, ...GLSLANG_STRICTER })) {
            assert.ok(failed.has(rel), `${rel} is listed as failing but compiles: remove it from the list`);
            if (pattern !== KNOWN_FAILURES[rel]) assert.match(failed.get(rel)!, pattern, rel);
            failed.delete(rel);
          }
          assert.deepEqual([...failed.entries()], []);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      },
    );

    test('multi-pass conversions compile on the GL and draw frames', () => {
      const scene = new Scene(context(), { platform: nodePlatform });
      try {
        for (const [rel, docs] of converted) {
          if (!rel.startsWith('multi/')) continue;
          for (const doc of docs) {
            const known = KNOWN_FAILURES[rel];
            if (known) {
              assert.throws(
                () => scene.useDocSync(doc),
                (e) => assertISFError(e, 'GLSL_COMPILE', known),
                rel,
              );
              continue;
            }
            scene.useDocSync(doc);
            assert.ok(doc.passes.length >= 2, `${rel}: buffers became passes`);
            assert.ok(
              doc.passes.slice(0, -1).every((p) => p.persistent && p.float),
              rel,
            );
            for (let k = 0; k < 2; k++) scene.render({ width: 16, height: 16, time: k / 30, frameIndex: k });
          }
        }
      } finally {
        scene.destroy();
      }
    });
  },
);
