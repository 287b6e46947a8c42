// Rendering shaders you did not write: limits, a killable child process, time limits (docs/untrusted.md).
export { CHECK_FRAME_SIZE, type CheckOptions, checkShaderFile } from './check.ts';
export { type IsolatedOperation, isRenderTimeout, RenderTimeout } from './errors.ts';
export { assertInsideFolder, type GuardOptions, guardedPlatform } from './guard.ts';
export * from './limits.ts';
export type { CompileResult, FilesResult, ShaderInfo, ShaderRef, ShaderReport } from './protocol.ts';
export * from './renderer.ts';
