import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type GL2, glErrorName } from '../../src/gl/gl2.ts';

// Compile-time check: a browser's WebGL2RenderingContext must be usable wherever the renderer wants a GL2.
// (tsc fails `npm run lint` if the GL2 interface drifts away from the WebGL2 API.)
export function acceptsBrowserContext(ctx: WebGL2RenderingContext): GL2 {
  return ctx;
}

test('glErrorName names GL errors by their GL_ names', () => {
  const gl = {
    NO_ERROR: 0,
    INVALID_ENUM: 0x500,
    INVALID_VALUE: 0x501,
    INVALID_OPERATION: 0x502,
    INVALID_FRAMEBUFFER_OPERATION: 0x506,
    OUT_OF_MEMORY: 0x505,
    CONTEXT_LOST_WEBGL: 0x9242,
  } as unknown as GL2;
  assert.equal(glErrorName(gl, 0x502), 'GL_INVALID_OPERATION');
  assert.equal(glErrorName(gl, 0x1234), 'GL error 0x1234');
});
