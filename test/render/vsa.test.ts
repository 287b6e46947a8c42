/**
 * VERTEX_SHADER_ART documents (ossia score): parsed with their settings, validated with located errors, drawn as
 * POINT_COUNT vertices of PRIMITIVE_MODE over BACKGROUND_COLOR with vertexId / vertexCount / time / resolution,
 * and compile errors located on the user's own line.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { parseISF, validateISF } from '../../src/core/index.ts';
import { Scene } from '../../src/render/scene.ts';
import { assertISFError, context } from '../helpers.ts';
import { at, GRID, MANY_POINTS_VSA, POINTS_VSA, TRIANGLES_VSA } from './vsa-fixtures.ts';

after(() => context().destroy());

async function render(source: string, width: number, height: number): Promise<Uint8Array> {
  const scene = new Scene(context());
  try {
    await scene.useDoc(parseISF(source, { path: 'art.vs' }));
    return scene.render({ width, height, time: 1 }).pixels;
  } finally {
    scene.destroy();
  }
}

describe('VERTEX_SHADER_ART', () => {
  it('reads POINT_COUNT, PRIMITIVE_MODE, LINE_SIZE and BACKGROUND_COLOR, warning only that the MODE is a host mode', () => {
    const doc = parseISF(POINTS_VSA, { path: 'art.vs' });
    assert.deepEqual(doc.vertexShaderArt, {
      pointCount: 4,
      primitive: 'POINTS',
      lineSize: 'NATIVE',
      background: [0, 0, 0.5, 1],
    });
    assert.deepEqual(
      doc.warnings.map((w) => [w.code, w.line, w.refusedBy]),
      [['W_HOST_MODE', 3, ['VVISF', 'ISF editor', 'Vuo', 'MadMapper']]],
    );
    assert.throws(
      () => parseISF(POINTS_VSA, { path: 'art.vs', strict: true }),
      (e) => assertISFError(e, 'ISF_STRICT', /ossia score's Vertex Shader Art/),
    );
  });

  it('a points document draws each vertex where its position puts it, over the background', async () => {
    const px = await render(POINTS_VSA, 8, 8);
    // clip ±0.5 on an 8-pixel frame: pixels 1..2 and 5..6; vertex k has green k/4.
    assert.deepEqual(at(px, 8, 8, 1, 1), [255, 0, 0, 255]);
    assert.deepEqual(at(px, 8, 8, 6, 2), [255, 64, 0, 255]);
    assert.deepEqual(at(px, 8, 8, 2, 5), [255, 128, 0, 255]);
    assert.deepEqual(at(px, 8, 8, 5, 6), [255, 191, 0, 255]);
    assert.deepEqual(at(px, 8, 8, 0, 0), [0, 0, 128, 255]);
    assert.deepEqual(at(px, 8, 8, 4, 4), [0, 0, 128, 255]);
  });

  it('a triangles document fills its triangle and leaves the rest to the background', async () => {
    const px = await render(TRIANGLES_VSA, 16, 16);
    assert.deepEqual(at(px, 16, 16, 1, 1), [0, 255, 16, 255], 'inside: green, blue = resolution.x / 255');
    assert.deepEqual(
      at(px, 16, 16, 14, 14),
      [0, 0, 0, 255],
      'outside: BACKGROUND_COLOR (3 numbers: alpha 1)',
    );
  });

  it('draws 100,000 points', async () => {
    const px = await render(MANY_POINTS_VSA, GRID.width, GRID.height);
    let white = 0;
    for (let i = 0; i < px.length; i += 4)
      if (px[i] === 255 && px[i + 1] === 255 && px[i + 2] === 255) white++;
    assert.equal(white, 100_000);
  });

  it('refuses bad settings with the line of the value', () => {
    const bad = POINTS_VSA.replace('"POINTS"', '"QUADS"').replace(
      '"POINT_COUNT": 4',
      '"POINT_COUNT": 200000',
    );
    const r = validateISF(bad, { path: 'art.vs' });
    assert.equal(r.ok, false);
    const errors = r.diagnostics.filter((d) => d.code === 'ISF_VSA_INVALID');
    const lineOf = (key: string) => bad.split('\n').findIndex((l) => l.includes(key)) + 1;
    assert.deepEqual(
      errors.map((d) => d.line),
      [lineOf('POINT_COUNT'), lineOf('PRIMITIVE_MODE')],
    );
    assert.match(
      errors[0]!.message,
      /POINT_COUNT must be a whole number of vertices from 1 to 100000 but is the number 200000/,
    );
    assert.match(errors[1]!.message, /PRIMITIVE_MODE must be one of POINTS, .* but is the string "QUADS"/);
  });

  it('a compile error names the user file and line', async () => {
    const broken = POINTS_VSA.replace('gl_PointSize = 2.0;', 'gl_PointSize = undefinedThing;');
    const line = broken.split('\n').findIndex((l) => l.includes('undefinedThing')) + 1;
    const scene = new Scene(context());
    try {
      await assert.rejects(scene.useDoc(parseISF(broken, { path: 'art.vs' })), (e) => {
        assertISFError(e, 'GLSL_COMPILE', /undefinedThing/);
        const err = e as { file?: string; line?: number };
        assert.equal(err.file, 'art.vs');
        assert.equal(err.line, line);
        return true;
      });
    } finally {
      scene.destroy();
    }
  });
});
