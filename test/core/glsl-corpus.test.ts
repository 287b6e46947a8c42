/**
 * Corpus syntax check: every corpus shader (isf-tests + isf-files), every dialect, both stages, through
 * glslangValidator (Debian glslang-tools), in one process per dialect. Skipped when glslangValidator is absent.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { type GLSLDialect, generateShaders } from '../../src/core/glsl/index.ts';
import { DESKTOP_GL_SHADERS, needs } from '../helpers.ts';
import { corpusDirs, loadCorpusDoc } from './glsl-fixtures.ts';

/**
 * Line Group.fs returns an int from a float function (`return 0;`): desktop drivers refuse that too (VVISF's
 * reference run did), so the implicit-conversion rewrite leaves it alone and it fails in every strict dialect.
 * The seven other desktop-GL shaders of the corpus (int literals with floats, `uint c = 0;`, `vec2 / uvec2`:
 * IMPLICIT_CONVERSIONS) compile in es300 because conversions.ts writes their conversions out.
 */
const RETURNS_INT = ['Line Group.fs'];
const IMPLICIT_CONVERSIONS = DESKTOP_GL_SHADERS;
/** Expected failures per dialect ("file.fs frag|vert"). es100 adds the shaders that need ES 3.00. */
const EXPECTED_FAILURES: Record<GLSLDialect, string[]> = {
  es300: RETURNS_INT.map((f) => `${f} frag`),
  es100: [
    ...RETURNS_INT,
    'Color Bars.fs', // array constructor vec4[9](...)
    'Random Characters.fs', // uint, >>
    'Tiny Date Time Overlay.fs', // uint, >>
  ].map((f) => `${f} frag`),
  // es310 = es300 + GL_EXT_shader_implicit_conversions: the whole corpus compiles.
  es310: [],
};
const DIALECTS = ['es300', 'es100', 'es310'] as const;

const hasGlslang = spawnSync('glslangValidator', ['--version'], { encoding: 'utf8' }).status === 0;
const corpusFiles = corpusDirs
  .filter((d) => existsSync(d))
  .flatMap((d) =>
    readdirSync(d)
      .filter((f) => f.endsWith('.fs'))
      .sort()
      .map((f) => join(d, f)),
  );

function run(cmd: string, args: string[], cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd });
    let out = '';
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString();
    });
    child.stderr.on('data', (b: Buffer) => {
      out += b.toString();
    });
    child.on('error', reject);
    child.on('close', () => resolve(out));
  });
}

/** glslangValidator prints each file name, then that file's messages: returns the files with an ERROR. */
function failedFiles(output: string, names: Set<string>): Map<string, string[]> {
  const failed = new Map<string, string[]>();
  let current = '';
  for (const line of output.split('\n')) {
    if (names.has(line.trim())) current = line.trim();
    else if (/^ERROR: \S*:\d+:/.test(line) && current) {
      const list = failed.get(current) ?? [];
      list.push(line);
      failed.set(current, list);
    }
  }
  return failed;
}

describe(
  'corpus through glslangValidator',
  needs(!hasGlslang && 'glslangValidator is not on PATH (apt-get install glslang-tools)'),
  () => {
    const dir = mkdtempSync(join(tmpdir(), 'isf-glsl-'));
    after(() => rmSync(dir, { recursive: true, force: true }));

    it('finds the corpus', () => {
      assert.ok(corpusFiles.length > 200, `only ${corpusFiles.length} corpus files found`);
    });

    it('generates every dialect for every file, and compiles all but the listed ones', async () => {
      const byId: string[] = [];
      const files: Record<GLSLDialect, string[]> = { es300: [], es100: [], es310: [] };
      for (const path of corpusFiles) {
        const doc = await loadCorpusDoc(path);
        const id = String(byId.length).padStart(4, '0');
        byId.push(path.slice(path.lastIndexOf('/') + 1));
        for (const dialect of DIALECTS) {
          const g = generateShaders(doc, { dialect });
          for (const [stage, text] of [
            ['frag', g.fragment],
            ['vert', g.vertex],
          ] as const) {
            const name = `${id}.${dialect}.${stage}`;
            writeFileSync(join(dir, name), text);
            files[dialect].push(name);
          }
        }
      }
      const outputs = await Promise.all(DIALECTS.map((d) => run('glslangValidator', files[d], dir)));
      DIALECTS.forEach((dialect, k) => {
        const failed = failedFiles(outputs[k]!, new Set(files[dialect]));
        const got = [...failed.keys()]
          .map((name) => {
            const [id, , stage] = name.split('.');
            return `${byId[Number(id)]} ${stage}`;
          })
          .sort();
        const details = [...failed.entries()].map(
          ([n, errs]) => `${byId[Number(n.slice(0, 4))]}: ${errs[0]}`,
        );
        assert.deepEqual(got, [...EXPECTED_FAILURES[dialect]].sort(), `${dialect}:\n${details.join('\n')}`);
      });
    });

    it('writes out the implicit conversions of the desktop-GL shaders, with a located warning', async () => {
      for (const file of IMPLICIT_CONVERSIONS) {
        const path = corpusFiles.find((p) => p.endsWith(`/${file}`));
        if (!path) continue;
        const g = generateShaders(await loadCorpusDoc(path));
        const w = g.warnings.find((x) => x.code === 'W_IMPLICIT_CONVERSION');
        assert.ok(w?.line && w.line > 1 && w.file === path, `${file}: ${JSON.stringify(g.warnings)}`);
      }
    });

    it('renames the known ES 3.00 collisions in the corpus', async () => {
      const cases: Record<string, string> = {
        'Etch-a-Sketch.fs': 'round',
        'VU Meter.fs': 'round',
        'Film Burn.fs': 'texture',
        'Solarize.fs': 'inverse',
      };
      for (const [file, name] of Object.entries(cases)) {
        const path = corpusFiles.find((p) => p.endsWith(`/${file}`));
        if (!path) continue; // part of the corpus kept aside
        const doc = await loadCorpusDoc(path);
        const g = generateShaders(doc);
        assert.ok(
          g.renamed.some((r) => r.from === name && r.to === `isf_user_${name}`),
          `${file}: ${JSON.stringify(g.renamed)}`,
        );
        assert.equal(generateShaders(doc, { dialect: 'es100' }).renamed.length, 0);
      }
    });
  },
);
