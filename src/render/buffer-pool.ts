/**
 * BufferPool: render targets (texture + framebuffer) reused by exact size and format.
 *
 * Keyed by (width, height, format) with no rounding: ISF passes sample whole textures with normalised
 * coordinates, so a larger texture would change results. Idle buffers are touched with the context's frame
 * counter (not the wall clock) so housekeeping is deterministic and testable (PixiJS TextureGC, counted in frames).
 *
 * Ownership: the pool owns idle buffers; a checked-out buffer belongs to whoever called createBuffer() until its
 * last release() (scenes hold their persistent targets this way). Teardown of the context (cleanup, reinitialize,
 * loss) and forceCleanup() free checked-out buffers too: their holders then see `destroyed` and get
 * RESOURCE_DESTROYED on use, and their release() is a no-op.
 */
import { ISFError } from '../core/errors.ts';
import type { GL2, GLFramebuffer } from '../gl/gl2.ts';
import type { RenderDevice } from './device.ts';
import type { Texture2D, TextureFormat } from './resources.ts';

export interface BufferRequest {
  width: number;
  height: number;
  /** Float target: RGBA32F where renderable, else RGBA16F, else RGBA8 (see `format` on the result). */
  float?: boolean;
}

export interface BufferPoolStats {
  /** Buffers checked out (in use by scenes or callers). */
  inUse: number;
  /** Buffers waiting in the pool. */
  idle: number;
  /** Requests served from the pool / that needed a new buffer. */
  hits: number;
  misses: number;
  /** Buffers freed so far (housekeeping, purge, cleanup, forceCleanup, context teardown). */
  freed: number;
  /** Bytes held by idle + in-use buffers. */
  bytes: number;
}

let nextBufferId = 1;

/** A pooled render target. `release()` gives it back; using it afterwards is RESOURCE_DESTROYED. */
export class RenderTarget {
  readonly id = nextBufferId++;
  /** @internal frame index at which it was last released */
  lastUsed = 0;
  /** @internal */ refs = 1;
  private destroyedFlag = false;

  constructor(
    private readonly pool: BufferPool,
    readonly texture: Texture2D,
    readonly framebuffer: GLFramebuffer,
  ) {}

  get width(): number {
    return this.texture.width;
  }
  get height(): number {
    return this.texture.height;
  }
  get format(): TextureFormat {
    return this.texture.format;
  }
  get destroyed(): boolean {
    return this.destroyedFlag;
  }
  get key(): string {
    return poolKey(this.width, this.height, this.format);
  }

  toString(): string {
    return `RenderTarget#${this.id} ${this.width}x${this.height} ${this.format}`;
  }

  /** Takes one more reference (a buffer can be both a frame's output and a persistent target). */
  retain(): this {
    this.assertLive('retain');
    this.refs += 1;
    return this;
  }

  /** Drops one reference; the last one returns the buffer to the pool. */
  release(): void {
    if (this.destroyedFlag) return; // freed by a forced cleanup: nothing left to give back
    if (this.refs <= 0) throw new ISFError('REF_UNDERFLOW', `${this} released more often than retained`);
    this.refs -= 1;
    if (this.refs === 0) this.pool.giveBack(this);
  }

  assertLive(operation: string): void {
    if (this.destroyedFlag) {
      throw new ISFError(
        'RESOURCE_DESTROYED',
        `${this}: cannot ${operation}: the buffer was freed by a cleanup`,
      );
    }
  }

  /** @internal */ markDestroyed(): void {
    this.destroyedFlag = true;
  }
}

function poolKey(w: number, h: number, format: TextureFormat): string {
  return `${w}x${h}:${format}`;
}

export class BufferPool {
  private readonly idle = new Map<string, RenderTarget[]>();
  private readonly checkedOut = new Set<RenderTarget>();
  private hits = 0;
  private misses = 0;
  private freed = 0;

  constructor(private readonly context: RenderDevice) {}

  /** The texture format a request gets on this context. */
  formatFor(float: boolean | undefined): TextureFormat {
    if (!float) return 'rgba8';
    const f = this.context.floatFormat();
    // No float render targets on this GL: FLOAT passes render to RGBA8 (scenes warn W_FLOAT_FALLBACK).
    return f !== 'none' ? f : 'rgba8';
  }

  /**
   * Checks out a buffer of exactly this size and format (contents undefined: clear it before use).
   * SIZE_OUT_OF_RANGE for sizes that are not integers from 1 to the context's maxRenderSize(); CONTEXT_STATE /
   * GL_CONTEXT_LOST when the context cannot be used (idle buffers are never handed out from a dead context).
   */
  createBuffer(request: BufferRequest): RenderTarget {
    const { width, height } = request;
    if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
      throw new ISFError(
        'SIZE_OUT_OF_RANGE',
        `Expected positive integer buffer size but received ${String(width)}x${String(height)}`,
      );
    }
    this.context.use('createBuffer');
    const max = this.context.maxRenderSize();
    if (width > max || height > max) {
      throw new ISFError(
        'SIZE_OUT_OF_RANGE',
        `Buffer size ${width}x${height} is larger than this context's maximum of ${max}x${max}`,
      );
    }
    const format = this.formatFor(request.float);
    const list = this.idle.get(poolKey(width, height, format));
    const reused = list?.pop();
    if (reused) {
      this.hits += 1;
      reused.refs = 1;
      this.checkedOut.add(reused);
      return reused;
    }
    this.misses += 1;
    const buffer = this.allocate(width, height, format);
    this.checkedOut.add(buffer);
    return buffer;
  }

  private allocate(width: number, height: number, format: TextureFormat): RenderTarget {
    const gl = this.context.use('createBuffer');
    const texture = this.context.createTexture(width, height, format);
    const fbo = gl.createFramebuffer();
    if (!fbo) {
      this.context.deleteTexture(texture);
      throw this.context.failure(`createFramebuffer (${width}x${height})`);
    }
    gl.bindFramebuffer(gl.FRAMEBUFFER, fbo);
    gl.framebufferTexture2D(gl.FRAMEBUFFER, gl.COLOR_ATTACHMENT0, gl.TEXTURE_2D, texture.handle, 0);
    const status = gl.checkFramebufferStatus(gl.FRAMEBUFFER);
    gl.bindFramebuffer(gl.FRAMEBUFFER, null);
    this.context.resources.add('framebuffers');
    const buffer = new RenderTarget(this, texture, fbo);
    if (status !== gl.FRAMEBUFFER_COMPLETE) {
      if (gl.isContextLost()) {
        buffer.markDestroyed();
        throw this.context.failure(`createBuffer (${width}x${height})`);
      }
      this.free(buffer);
      throw new ISFError(
        'GL_UNSUPPORTED',
        `framebuffer for a ${width}x${height} ${format} target is incomplete (status 0x${status.toString(16)})`,
      );
    }
    return buffer;
  }

  /** @internal RenderTarget.release() lands here. */
  giveBack(buffer: RenderTarget): void {
    if (!this.checkedOut.delete(buffer)) return;
    buffer.lastUsed = this.context.frames;
    const key = buffer.key;
    let list = this.idle.get(key);
    if (!list) {
      list = [];
      this.idle.set(key, list);
    }
    list.push(buffer);
  }

  /** Frees idle buffers not used for more than `maxIdleFrames` frames (default: the context's option). */
  housekeeping(maxIdleFrames = this.context.options.maxIdleFrames): number {
    const now = this.context.frames;
    return this.freeIdle((b) => now - b.lastUsed > maxIdleFrames);
  }

  /** Frees every idle buffer. */
  purge(): number {
    return this.freeIdle(() => true);
  }

  /** Frees idle buffers (housekeeping + purge); refuses (CONTEXT_REF_HELD) while buffers are checked out. */
  cleanup(): void {
    this.purge();
    if (this.checkedOut.size > 0) {
      throw new ISFError(
        'CONTEXT_REF_HELD',
        `BufferPool: ${this.checkedOut.size} buffer(s) still checked out; release them or call forceCleanup()`,
      );
    }
  }

  /** Frees everything, checked-out buffers included; their holders get RESOURCE_DESTROYED on use. */
  forceCleanup(): void {
    this.purge();
    for (const b of [...this.checkedOut]) this.free(b);
    this.checkedOut.clear();
  }

  /** @internal context teardown. `lost`: the native context is gone, forget handles without GL calls. */
  destroyAll(lost: boolean): void {
    const all = [...this.checkedOut, ...[...this.idle.values()].flat()];
    for (const b of all) {
      if (lost) b.markDestroyed();
      else if (!b.destroyed) this.free(b);
    }
    this.checkedOut.clear();
    this.idle.clear();
  }

  stats(): BufferPoolStats {
    let idle = 0;
    let bytes = 0;
    for (const list of this.idle.values()) {
      idle += list.length;
      for (const b of list) bytes += b.texture.bytes;
    }
    for (const b of this.checkedOut) bytes += b.texture.bytes;
    return {
      inUse: this.checkedOut.size,
      idle,
      hits: this.hits,
      misses: this.misses,
      freed: this.freed,
      bytes,
    };
  }

  private freeIdle(predicate: (b: RenderTarget) => boolean): number {
    let count = 0;
    for (const [key, list] of this.idle) {
      const keep: RenderTarget[] = [];
      for (const b of list) {
        if (predicate(b)) {
          this.free(b);
          count += 1;
        } else keep.push(b);
      }
      if (keep.length > 0) this.idle.set(key, keep);
      else this.idle.delete(key);
    }
    return count;
  }

  private free(buffer: RenderTarget): void {
    let gl: GL2 | undefined;
    if (buffer.texture.generation === this.context.generation && this.context.state !== 'lost') {
      // Checked before touching anything, so a refused free (CONTEXT_STATE while cleaning) changes nothing.
      try {
        gl = this.context.use('free buffer');
      } catch (e) {
        // Lost under us: the handles died with the native context, forgetting them is all there is to do.
        if (!(e instanceof ISFError && e.code === 'GL_CONTEXT_LOST')) throw e;
      }
    }
    buffer.markDestroyed();
    this.freed += 1;
    if (!gl) return;
    gl.deleteFramebuffer(buffer.framebuffer);
    this.context.resources.remove('framebuffers');
    this.context.deleteTexture(buffer.texture);
  }
}
