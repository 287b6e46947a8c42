/**
 * The browser loader (src/browser/load.ts) without a browser: fetch is a map of URLs to texts, so the path → URL
 * mapping, nested includes, the limits applyIncludes shares with Node and the errors are checked directly.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadISF } from '../../src/browser/load.ts';
import { ISFError } from '../../src/core/errors.ts';

const HEADER = '/*{ "ISFVSN": "2" }*/\n';

function server(files: Record<string, string>, status: Record<string, number> = {}) {
  const asked: string[] = [];
  const fetch = async (url: string): Promise<Response> => {
    asked.push(url);
    if (status[url] !== undefined) return new Response('not for you', { status: status[url] });
    const text = files[url];
    return text === undefined ? new Response('nope', { status: 404 }) : new Response(text);
  };
  return { fetch, asked };
}

async function rejects(p: Promise<unknown>): Promise<ISFError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof ISFError, String(e));
    return e;
  }
  assert.fail('expected an ISFError');
}

describe('browser loadISF', () => {
  it('fetches nested includes relative to each including file, from baseUrl', async () => {
    const { fetch, asked } = server({
      'http://x/s/a.fs': `${HEADER}#include "lib/outer.glsl"\nvoid main() { gl_FragColor = outer(); }\n`,
      'http://x/s/lib/outer.glsl': '#include "inner.glsl"\nvec4 outer() { return inner(); }\n',
      'http://x/s/lib/inner.glsl': 'vec4 inner() { return vec4(0.5); }\n',
    });
    const doc = await loadISF('s/a.fs', { baseUrl: 'http://x/', fetch });
    assert.deepEqual(asked, ['http://x/s/a.fs', 'http://x/s/lib/outer.glsl', 'http://x/s/lib/inner.glsl']);
    assert.match(doc.fragmentBody, /vec4 inner\(\)[\s\S]*vec4 outer\(\)[\s\S]*void main/);
    const inner = doc.fragmentOrigins?.find((o) => o.file === 's/lib/inner.glsl');
    assert.deepEqual(inner, { file: 's/lib/inner.glsl', line: 1 });
    assert.deepEqual(
      doc.warnings.filter((w) => w.code === 'W_GLSL_DIALECT').map((w) => [w.file, w.line]),
      [
        ['s/a.fs', 2],
        ['s/lib/outer.glsl', 1],
      ],
    );
  });

  it('maps paths through urlOf (isf serve: /file?path=)', async () => {
    const { fetch, asked } = server({
      '/file?path=a.fs': `${HEADER}#include "x.glsl"\nvoid main() { gl_FragColor = vec4(1.0); }\n`,
      '/file?path=x.glsl': 'float x;\n',
    });
    await loadISF('a.fs', { urlOf: (p) => `/file?path=${p}`, fetch });
    assert.deepEqual(asked, ['/file?path=a.fs', '/file?path=x.glsl']);
  });

  it('a missing include is ISF_INCLUDE at the including line; a refused one says why', async () => {
    const { fetch } = server(
      {
        'http://x/a.fs': `${HEADER}\n#include "gone.glsl"\nvoid main() {}\n`,
        'http://x/b.fs': `${HEADER}#include "secret.glsl"\nvoid main() {}\n`,
      },
      { 'http://x/secret.glsl': 403 },
    );
    const missing = await rejects(loadISF('a.fs', { baseUrl: 'http://x/', fetch }));
    assert.equal(missing.code, 'ISF_INCLUDE');
    assert.equal(missing.file, 'a.fs');
    assert.equal(missing.line, 3);
    assert.match(missing.message, /gone\.glsl.*not found/);
    const refused = await rejects(loadISF('b.fs', { baseUrl: 'http://x/', fetch }));
    assert.equal(refused.code, 'ISF_INCLUDE');
    assert.equal(refused.line, 2);
    assert.match(refused.message, /HTTP 403: not for you/);
  });

  it('a cycle is refused with the chain, as in Node', async () => {
    const { fetch } = server({
      'http://x/a.fs': `${HEADER}#include "p.glsl"\nvoid main() {}\n`,
      'http://x/p.glsl': '#include "q.glsl"\n',
      'http://x/q.glsl': '#include "p.glsl"\n',
    });
    const e = await rejects(loadISF('a.fs', { baseUrl: 'http://x/', fetch }));
    assert.equal(e.code, 'ISF_INCLUDE');
    assert.equal(e.file, 'q.glsl');
    assert.match(e.message, /Cyclic.*p\.glsl → q\.glsl → p\.glsl/);
  });

  it('converts a Shadertoy .glsl on the fly; a missing shader is ISF_FILE_NOT_FOUND', async () => {
    const { fetch } = server({
      'http://x/toy.glsl':
        'void mainImage(out vec4 c, in vec2 p) { c = vec4(p / iResolution.xy, 0.0, 1.0); }\nvoid mainVR(out vec4 c, in vec2 p, in vec3 ro, in vec3 rd) { c = vec4(0.0); }\n',
    });
    const doc = await loadISF('toy.glsl', { baseUrl: 'http://x/', fetch });
    assert.match(doc.fragmentBody, /RENDERSIZE/);
    assert.ok(doc.warnings.some((w) => w.code === 'W_CONVERT' && /mainVR/.test(w.message)));
    assert.equal(
      (await rejects(loadISF('none.fs', { baseUrl: 'http://x/', fetch }))).code,
      'ISF_FILE_NOT_FOUND',
    );
  });
});
