/**
 * The memory limit of isolated work: a shader with a huge local array (`float a[100000000]`) grows the
 * driver's memory, not the targets maxFrameBytes counts. Under the untrusted limits (maxMemoryBytes lowered
 * here to keep the test cheap; the preset is 2 GiB) it ends as LIMIT_EXCEEDED naming the limit, the child
 * sampled every 20 ms never above the limit plus a margin, and the next job runs on a fresh child.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ISFError } from '../../src/core/errors.ts';
import { IsolatedRenderer, UNTRUSTED_LIMITS } from '../../src/node/isolate/index.ts';
import { residentBytes } from '../../src/node/supervisor.ts';
import { alive, pixelOf } from '../helpers.ts';
import { VALID, VALID_PIXEL } from './fixtures.ts';

const MiB = 1024 * 1024;
const HUGE_ARRAY = `/*{ "ISFVSN": "2" }*/
void main() {
  float a[100000000];
  for (int i = 0; i < 4; i++) a[i * 1000 + int(gl_FragCoord.x)] = float(i);
  gl_FragColor = vec4(a[int(gl_FragCoord.y)], 0.0, 0.0, 1.0);
}
`;

test('the untrusted preset limits memory to 2 GiB', () => {
  assert.equal(UNTRUSTED_LIMITS.maxMemoryBytes, 2 * 1024 * MiB);
});

test('a huge local array: LIMIT_EXCEEDED naming maxMemoryBytes, never far above it, then a fresh child', async () => {
  const limit = 512 * MiB;
  const renderer = new IsolatedRenderer({ timeoutMs: 120_000, limits: { maxMemoryBytes: limit } });
  try {
    await renderer.render({ source: VALID, width: 4, height: 4 });
    const pid = renderer.stats().pid!;
    let max = 0;
    const sampler = setInterval(() => {
      void residentBytes(pid).then((b) => {
        if (b !== undefined && b > max) max = b;
      });
    }, 20);
    const error = await renderer
      .render({ source: HUGE_ARRAY, path: '/x/huge-array.fs', width: 8, height: 8 })
      .then(
        () => assert.fail('the huge array rendered'),
        (e: unknown) => e,
      );
    clearInterval(sampler);
    assert.ok(error instanceof ISFError, String(error));
    assert.equal(error.code, 'LIMIT_EXCEEDED', error.message);
    assert.match(
      error.message,
      /^Rendering \/x\/huge-array\.fs used \d+ MiB of memory, over the limit of 512 MiB \(maxMemoryBytes\)/,
    );
    assert.equal(error.details.limit, 'maxMemoryBytes');
    // Polled every 100 ms: the child can only have grown by what it allocates in about that long.
    assert.ok(max < limit + 256 * MiB, `the child reached ${Math.round(max / MiB)} MiB`);
    assert.equal(alive(pid), false, 'the child was killed');
    assert.equal(renderer.stats().memoryKills, 1);
    const frame = await renderer.render({ source: VALID, width: 4, height: 4 });
    assert.deepEqual(pixelOf(frame, 1, 1), VALID_PIXEL);
  } finally {
    await renderer.close();
  }
});
