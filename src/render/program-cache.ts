/**
 * ProgramCache: compiled GL programs per context, keyed by their generated source, reference-counted.
 *
 * Scenes that load the same document (or load it again) share one program and never recompile it.
 * Unused programs stay cached (up to `maxUnused`, least recently used evicted first) so a batch that
 * alternates shaders does not recompile either. Over-release is a typed error (REF_UNDERFLOW), as luma.gl does.
 */
import { type Diagnostic, ISFError } from '../core/errors.ts';
import { type GeneratedShaders, mapCompileLog } from '../core/glsl/index.ts';
import type { GLProgram, GLShader, GLUniformLocation } from '../gl/gl2.ts';
import type { RenderDevice } from './device.ts';

export interface ShaderFiles {
  fragment?: string;
  vertex?: string;
}

export interface CompiledProgram {
  readonly key: string;
  readonly program: GLProgram;
  readonly generation: number;
  /** Uniform locations by name, resolved lazily and cached (null when the compiler optimised it away). */
  location(name: string): GLUniformLocation | null;
  /** Compile + link time in ms (0 when served from the cache). */
  readonly compileMs: number;
}

interface Entry extends CompiledProgram {
  refs: number;
  lastUsed: number;
  locations: Map<string, GLUniformLocation | null>;
}

export class ProgramCache {
  private readonly entries = new Map<string, Entry>();
  private useCounter = 0;
  hits = 0;
  misses = 0;

  constructor(
    private readonly context: RenderDevice,
    readonly maxUnused = 32,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /** Returns a linked program for these shaders, compiling only on a miss. Throws GLSL_COMPILE / GLSL_LINK. */
  acquire(shaders: GeneratedShaders, files: ShaderFiles = {}): CompiledProgram {
    const key = `${shaders.vertex}\u0000${shaders.fragment}`;
    const found = this.entries.get(key);
    if (found && found.generation === this.context.generation) {
      found.refs += 1;
      found.lastUsed = ++this.useCounter;
      this.hits += 1;
      return found;
    }
    this.misses += 1;
    const t0 = performance.now();
    const program = this.build(shaders, files);
    const gl = this.context.use('getUniformLocation');
    const locations = new Map<string, GLUniformLocation | null>();
    const entry: Entry = {
      key,
      program,
      generation: this.context.generation,
      compileMs: performance.now() - t0,
      refs: 1,
      lastUsed: ++this.useCounter,
      locations,
      location(name: string) {
        let loc = locations.get(name);
        if (loc === undefined) {
          loc = gl.getUniformLocation(program, name);
          locations.set(name, loc);
        }
        return loc;
      },
    };
    this.entries.set(key, entry);
    this.evictUnused();
    return entry;
  }

  release(program: CompiledProgram): void {
    const entry = this.entries.get(program.key);
    if (!entry || entry !== program) return; // from an older generation: already gone
    if (entry.refs <= 0)
      throw new ISFError('REF_UNDERFLOW', 'ProgramCache: program released more often than acquired');
    entry.refs -= 1;
    this.evictUnused();
  }

  /** @internal context teardown; `lost`: forget without GL calls. */
  destroyAll(lost: boolean): void {
    for (const e of this.entries.values()) this.deleteEntry(e, lost);
    this.entries.clear();
  }

  private evictUnused(): void {
    const unused = [...this.entries.values()]
      .filter((e) => e.refs === 0)
      .sort((a, b) => a.lastUsed - b.lastUsed);
    for (let i = 0; i < unused.length - this.maxUnused; i++) {
      const e = unused[i]!;
      this.deleteEntry(e, false);
      this.entries.delete(e.key);
    }
  }

  private deleteEntry(e: Entry, lost: boolean): void {
    if (lost || e.generation !== this.context.generation || this.context.state !== 'ready') return;
    this.context.use('deleteProgram').deleteProgram(e.program);
    this.context.resources.remove('programs');
  }

  private build(shaders: GeneratedShaders, files: ShaderFiles): GLProgram {
    const gl = this.context.use('compile shaders');
    const vs = this.compile(gl.VERTEX_SHADER, shaders, files);
    let fs: GLShader;
    try {
      fs = this.compile(gl.FRAGMENT_SHADER, shaders, files);
    } catch (e) {
      gl.deleteShader(vs);
      throw e;
    }
    const program = gl.createProgram();
    if (!program) {
      gl.deleteShader(vs);
      gl.deleteShader(fs);
      throw this.context.failure('createProgram');
    }
    gl.attachShader(program, vs);
    gl.attachShader(program, fs);
    gl.bindAttribLocation(program, 0, 'VERTEXDATA');
    gl.linkProgram(program);
    // Shaders are no longer needed once linked (or failed): the program keeps what it needs.
    gl.deleteShader(vs);
    gl.deleteShader(fs);
    if (!gl.getProgramParameter(program, gl.LINK_STATUS)) {
      const log = gl.getProgramInfoLog(program) ?? '';
      gl.deleteProgram(program);
      // A context lost mid-link reports "not linked" with no log: that is a loss, not the author's mistake.
      if (gl.isContextLost()) throw this.context.failure('linkProgram');
      const first = log.trim().split('\n')[0] ?? 'unknown link error';
      throw new ISFError('GLSL_LINK', `Shader program failed to link: ${first}`, {
        file: files.fragment,
        details: { log },
      });
    }
    this.context.resources.add('programs');
    return program;
  }

  private compile(type: number, shaders: GeneratedShaders, files: ShaderFiles): GLShader {
    const gl = this.context.use('compile shader');
    const stage = type === gl.VERTEX_SHADER ? 'vertex' : 'fragment';
    const shader = gl.createShader(type);
    if (!shader) throw this.context.failure(`createShader(${stage})`);
    gl.shaderSource(shader, stage === 'vertex' ? shaders.vertex : shaders.fragment);
    gl.compileShader(shader);
    if (gl.getShaderParameter(shader, gl.COMPILE_STATUS)) return shader;
    const log = gl.getShaderInfoLog(shader) ?? '';
    gl.deleteShader(shader);
    if (gl.isContextLost()) throw this.context.failure(`compileShader(${stage})`);
    throw compileError(stage, log, mapCompileLog(log, shaders, stage, files), files);
  }
}

/** One GLSL_COMPILE error located at the first mapped message, carrying every message as a diagnostic. */
function compileError(stage: string, log: string, diagnostics: Diagnostic[], files: ShaderFiles): ISFError {
  const first = diagnostics.find((d) => d.severity === 'error') ?? diagnostics[0];
  const file = first?.file ?? (stage === 'vertex' ? files.vertex : files.fragment);
  const where = first?.line !== undefined ? ` at line ${first.line}` : '';
  const text = first?.message ?? (log.trim().split('\n')[0] || 'unknown compiler error');
  const more = diagnostics.length > 1 ? ` (and ${diagnostics.length - 1} more)` : '';
  return new ISFError('GLSL_COMPILE', `The ${stage} shader failed to compile${where}: ${text}${more}`, {
    file,
    line: first?.line,
    column: first?.column,
    diagnostics,
    details: { stage, log },
  });
}
