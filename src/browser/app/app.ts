/**
 * The `isf serve` page: one canvas, one GLContext, one Scene. Shaders come from the server as text and are
 * parsed and compiled here (validateISF, then Scene.useDoc), so parse and GLSL errors show with the user's own
 * file and line. A broken edit leaves the last good frame on screen; a fixed one replaces it, keeping the input
 * values. The server's event stream says when a file changed.
 *
 * Page URL parameters (handy for links and tests): ?shader=rel/path.fs &size=640x360 &time=1.5 &paused=1
 */
import type { ISFDocument } from '../../core/document.ts';
import { type Diagnostic, ISFError } from '../../core/errors.ts';
import { applyIncludes } from '../../core/parse/include.ts';
import { validateISF } from '../../core/parse/index.ts';
import type { InputValue } from '../../core/values.ts';
import type { GLContext } from '../../render/context.ts';
import type { Frame } from '../../render/frame.ts';
import { Scene } from '../../render/scene.ts';
import { createBrowserContext } from '../context.ts';
import { browserPlatform, decodeBrowserImage, encodeFramePNG } from '../images.ts';
import { fetchIncludeReader, isfSourceOf } from '../load.ts';
import { FramePresenter, type ShownFrame } from '../present.ts';
import { buildControl, type ControlHost, type InputControl } from './controls.ts';
import { clear, dropTarget, h } from './dom.ts';
import { MediaInputs } from './media-inputs.ts';
import { MessageList } from './messages.ts';
import { dragPoints } from './pointer.ts';
import { STYLE } from './style.ts';

export const SIZES = ['320x180', '640x360', '960x540', '1280x720', '1920x1080', '512x512', '1024x1024'];
const STEP = 1 / 60;
const SCRUB_SECONDS = 60;

interface ShaderEntry {
  path: string;
  name: string;
}

interface ShaderResponse {
  path: string;
  source: string;
  vertexPath?: string;
  vertexSource?: string;
}

/** What tests (and curious people in the console, as window.isfPage) can read. */
export interface PageState {
  shader: string | undefined;
  loadedSource: string | undefined;
  frames: number;
  time: number;
  playing: boolean;
  width: number;
  height: number;
  contextState: string;
  errors: Diagnostic[];
  reloads: number;
}

function isLoss(e: unknown): boolean {
  return e instanceof ISFError && e.code === 'GL_CONTEXT_LOST';
}

function fileUrl(path: string): string {
  return `/file?path=${encodeURIComponent(path)}`;
}

export class App implements ControlHost {
  readonly canvas: HTMLCanvasElement;
  readonly context: GLContext;
  readonly scene: Scene;
  private readonly presenter: FramePresenter;
  activePoint: string | undefined;

  // UI
  private readonly shaderSelect = h('select', { title: 'shaders in the served folder' });
  private readonly statusLine = h('span', { class: 'status' });
  private readonly playButton = h('button', { type: 'button', class: 'play' });
  private readonly timeSlider = h('input', {
    type: 'range',
    class: 'time',
    min: 0,
    max: SCRUB_SECONDS,
    step: 'any',
  });
  private readonly timeOut = h('output', { class: 'time-value' });
  private readonly sizeSelect = h('select', { class: 'size', title: 'render size' });
  private readonly messages = new MessageList();
  private readonly inputsPanel = h('aside', { class: 'inputs' });
  private readonly view = h('div', { class: 'view' });

  // state
  private shaders: ShaderEntry[] = [];
  private currentPath: string | undefined;
  private loadedSource: string | undefined;
  /** Every file the last load of the current shader included or tried to include (a missing one too). */
  private included = new Set<string>();
  private controls: InputControl[] = [];
  private readonly media: MediaInputs;
  /** The current shader failed to load or render: keep the last good frame up until a good version loads. */
  private broken = false;
  private playing = true;
  private time = 0;
  private width = 640;
  private height = 360;
  private dirty = true;
  private frames = 0;
  private reloads = 0;
  private lastFrame: ShownFrame | undefined;
  private lastTick: number | undefined;
  private fps = 0;
  private loadSeq = 0;

  constructor(private readonly root: HTMLElement) {
    this.canvas = h('canvas', { width: this.width, height: this.height, class: 'output' });
    this.context = createBrowserContext(this.canvas, {
      onLost: () => this.status(),
      onRestored: () => {
        this.dirty = true;
        this.status();
      },
    });
    this.scene = new Scene(this.context, { platform: browserPlatform({ importedUrl: fileUrl }) });
    this.presenter = new FramePresenter(this.context, this.canvas);
    this.media = new MediaInputs(this.scene, {
      changed: () => {
        this.refreshControls();
        this.dirty = true;
      },
      reportError: (e) => this.reportError(e),
    });
  }

  // --- startup ----------------------------------------------------------------------------------------------

  async start(): Promise<void> {
    const params = new URLSearchParams(location.search);
    const size = params.get('size');
    if (size && /^\d+x\d+$/.test(size))
      [this.width, this.height] = size.split('x').map(Number) as [number, number];
    if (params.has('time')) this.time = Number(params.get('time')) || 0;
    if (params.get('paused') === '1') this.playing = false;
    // The WebGL context is made now, before the canvas is in the page: a script that calls getContext('webgl2')
    // on it first would otherwise make it with the browser's defaults (no preserveDrawingBuffer, antialias).
    try {
      this.context.initialize();
    } catch (e) {
      this.reportError(e);
    }
    this.layout();
    await Promise.all([this.refreshList(), this.preloadImages()]);
    const wanted = params.get('shader');
    const first = this.shaders.find((s) => s.path === wanted) ?? this.shaders[0];
    if (first) await this.load(first.path, false);
    else
      this.showMessages([
        {
          severity: 'error',
          code: 'ISF_FILE_NOT_FOUND',
          message: 'No shaders here (.fs, .frag, or Shadertoy / GLSL Sandbox sources).',
        },
      ]);
    this.listen();
    requestAnimationFrame((t) => this.tick(t));
  }

  private layout(): void {
    for (const s of new Set([...SIZES, `${this.width}x${this.height}`])) {
      this.sizeSelect.append(h('option', { value: s }, s.replace('x', ' × ')));
    }
    this.sizeSelect.value = `${this.width}x${this.height}`;
    this.sizeSelect.addEventListener('change', () => {
      [this.width, this.height] = this.sizeSelect.value.split('x').map(Number) as [number, number];
      this.dirty = true;
    });
    this.shaderSelect.addEventListener('change', () => void this.load(this.shaderSelect.value, false));
    this.playButton.addEventListener('click', () => this.setPlaying(!this.playing));
    this.timeSlider.addEventListener('input', () => {
      this.time = Number(this.timeSlider.value);
      this.dirty = true;
    });
    this.setPlaying(this.playing);
    this.view.append(this.canvas);
    this.dropImages(this.view);
    dragPoints(this.canvas, {
      input: () => {
        const input = this.scene.doc?.inputs.find((i) => i.name === this.activePoint);
        return input?.type === 'point2D' ? input : undefined;
      },
      renderSize: () => ({ width: this.width, height: this.height }),
      set: (name, p) => {
        try {
          this.scene.setValue(name, p);
          this.refreshControls();
          this.dirty = true;
        } catch (err) {
          this.reportError(err);
        }
      },
    });
    const toolbar = h(
      'div',
      { class: 'toolbar' },
      this.playButton,
      h('button', {
        type: 'button',
        class: 'step',
        title: 'one frame forward (pauses)',
        onclick: () => this.step(),
      }),
      h(
        'button',
        { type: 'button', class: 'rewind', title: 'back to time 0', onclick: () => this.seek(0) },
        'Rewind',
      ),
      this.timeSlider,
      this.timeOut,
      this.sizeSelect,
      h('button', { type: 'button', class: 'save', onclick: () => void this.savePNG() }, 'Save PNG'),
    );
    toolbar.querySelector('.step')!.textContent = 'Step';
    document.head.append(h('style', {}, STYLE));
    this.root.append(
      h('header', {}, h('h1', {}, 'isf serve'), this.shaderSelect, this.statusLine),
      h(
        'main',
        {},
        h('section', { class: 'stage' }, toolbar, this.view, this.messages.element),
        this.inputsPanel,
      ),
    );
  }

  private listen(): void {
    const events = new EventSource('/events');
    events.onmessage = (e) => {
      const msg = JSON.parse(e.data as string) as { type: string; path?: string };
      if (msg.type === 'list') void this.refreshList();
      else if (msg.type === 'change' && msg.path && this.usesFile(msg.path))
        void this.load(this.currentPath!, true);
    };
  }

  /** Does the current shader depend on this file (itself, its vertex shader, an #include, an IMPORTED image)? */
  private usesFile(path: string): boolean {
    if (path === this.currentPath || this.included.has(path)) return true;
    const doc = this.scene.doc;
    if (!doc) return false;
    return path === doc.vertexPath || doc.imported.some((i) => (i.resolvedPath ?? i.path) === path);
  }

  /** The images the server was started with (--image name=path), decoded before the first shader loads. */
  private async preloadImages(): Promise<void> {
    try {
      const res = await fetch('/api/preload');
      const { images } = (await res.json()) as { images: { name: string; label: string }[] };
      await Promise.all(
        images.map(async ({ name, label }) => {
          try {
            const file = await fetch(`/preload?name=${encodeURIComponent(name)}`);
            if (!file.ok)
              throw new ISFError('IO_ERROR', `--image ${name}=${label}: ${file.status} ${await file.text()}`);
            this.media.preload(name, label, await decodeBrowserImage(await file.blob(), name));
          } catch (e) {
            this.reportError(e); // that input starts on the test pattern
          }
        }),
      );
    } catch (e) {
      this.reportError(e);
    }
  }

  private async refreshList(): Promise<void> {
    try {
      const res = await fetch('/api/shaders');
      const body = (await res.json()) as { shaders: ShaderEntry[]; root: string };
      this.shaders = body.shaders;
      document.title = `isf serve: ${body.root}`;
    } catch (e) {
      this.reportError(e);
      return;
    }
    clear(this.shaderSelect);
    for (const s of this.shaders) this.shaderSelect.append(h('option', { value: s.path }, s.path));
    if (this.currentPath) this.shaderSelect.value = this.currentPath;
    this.shaderSelect.hidden = this.shaders.length < 2 && this.currentPath !== undefined;
  }

  // --- loading ----------------------------------------------------------------------------------------------

  /** Loads (or reloads, keeping values) a shader. Errors are shown; the last good frame stays on screen. */
  async load(path: string, keepValues: boolean): Promise<void> {
    const seq = ++this.loadSeq;
    let shader: ShaderResponse;
    try {
      const res = await fetch(`/shader?path=${encodeURIComponent(path)}`);
      if (!res.ok) throw new ISFError('ISF_FILE_NOT_FOUND', `${path}: ${res.status} ${await res.text()}`);
      shader = (await res.json()) as ShaderResponse;
    } catch (e) {
      this.reportError(e);
      return;
    }
    if (seq !== this.loadSeq) return; // a newer load started meanwhile
    const switching = path !== this.currentPath;
    this.currentPath = path;
    this.shaderSelect.value = path;
    if (switching) {
      const url = new URL(location.href);
      url.searchParams.set('shader', path);
      history.replaceState(null, '', url);
    }
    this.loadedSource = shader.source;
    const doc = await this.parse(shader, seq);
    if (doc === undefined) {
      if (seq === this.loadSeq) {
        this.broken = true;
        if (switching) this.panelForBroken(shader.path);
      }
      return;
    }
    if (seq !== this.loadSeq) return;
    const saved = keepValues && !switching ? this.snapshot() : new Map<string, InputValue>();
    try {
      await this.scene.useDoc(doc);
    } catch (e) {
      if (seq === this.loadSeq) {
        this.broken = true;
        this.reportError(e);
        if (switching) this.panelForBroken(shader.path);
      }
      return;
    }
    if (seq !== this.loadSeq) return;
    this.restore(doc, saved);
    if (switching) this.media.dropNotIn(doc);
    this.media.apply(doc);
    this.buildPanel(doc);
    this.broken = false;
    this.showMessages(this.scene.warnings);
    this.reloads += 1;
    this.dirty = true;
  }

  /**
   * The served text as a document, as Node's loadISF makes it: a Shadertoy / GLSL Sandbox source converted (its
   * notes as warnings), parsed, and its #includes fetched through the server's one file check (/file), relative to
   * the including file. Errors are shown here; undefined then.
   */
  private async parse(shader: ShaderResponse, seq: number): Promise<ISFDocument | undefined> {
    const included = new Set<string>();
    const show = (diagnostics: readonly Diagnostic[], suggestion?: string): undefined => {
      if (seq === this.loadSeq) {
        this.included = included;
        this.showMessages(diagnostics, suggestion);
      }
      return undefined;
    };
    let converted: ReturnType<typeof isfSourceOf>;
    try {
      converted = isfSourceOf(shader.source, shader.path);
    } catch (e) {
      if (!(e instanceof ISFError)) throw e;
      return show(e.diagnostics.length > 0 ? e.diagnostics : [e.toDiagnostic()], e.suggestion);
    }
    const result = validateISF(converted.source, {
      path: shader.path,
      ...(shader.vertexSource !== undefined
        ? { vertexSource: shader.vertexSource, vertexPath: shader.vertexPath }
        : {}),
    });
    if (!result.ok || !result.document) return show([...result.diagnostics, ...converted.warnings]);
    const doc = result.document;
    try {
      await applyIncludes(doc, fetchIncludeReader(fileUrl, { onRequest: (p) => included.add(p) }));
    } catch (e) {
      if (!(e instanceof ISFError)) throw e;
      const own = e.diagnostics.length > 0 ? e.diagnostics : [e.toDiagnostic()];
      return show([...own, ...result.diagnostics, ...converted.warnings], e.suggestion);
    }
    // validateISF's document.warnings is its diagnostics array: the conversion notes join them there.
    doc.warnings.push(...converted.warnings);
    if (seq === this.loadSeq) this.included = included;
    return doc;
  }

  private snapshot(): Map<string, InputValue> {
    const out = new Map<string, InputValue>();
    const doc = this.scene.doc;
    if (!doc) return out;
    for (const input of doc.inputs) {
      if (input.type === 'event') continue;
      const v = this.scene.getValue(input.name);
      if (v !== undefined && (typeof v !== 'object' || Array.isArray(v)))
        out.set(`${input.type}:${input.name}`, v as InputValue);
    }
    return out;
  }

  /** Puts saved values back on inputs of the same name and type; values that no longer fit are dropped. */
  private restore(doc: ISFDocument, saved: Map<string, InputValue>): void {
    for (const input of doc.inputs) {
      const v = saved.get(`${input.type}:${input.name}`);
      if (v === undefined) continue;
      try {
        this.scene.setValue(input.name, v);
      } catch {
        // e.g. a long whose VALUES changed: keep the new default
      }
    }
  }

  /**
   * A newly selected shader that does not load has no controls to show: the previous shader's would be
   * misleading next to its name. The canvas keeps the last good frame.
   */
  private panelForBroken(path: string): void {
    clear(this.inputsPanel);
    this.controls = [];
    this.inputsPanel.append(
      h('h2', {}, path.split('/').pop() ?? path),
      h(
        'p',
        { class: 'muted' },
        'This shader has errors (see below the picture); its controls appear once it loads.',
      ),
    );
  }

  private buildPanel(doc: ISFDocument): void {
    clear(this.inputsPanel);
    const points = doc.inputs.filter((i) => i.type === 'point2D').map((i) => i.name);
    if (!this.activePoint || !points.includes(this.activePoint)) this.activePoint = points[0];
    this.inputsPanel.append(h('h2', {}, doc.name), h('p', { class: 'description' }, doc.description ?? ''));
    this.controls = doc.inputs.map((input) => buildControl(input, this));
    for (const c of this.controls) {
      this.inputsPanel.append(c.element);
      c.refresh();
    }
    if (doc.inputs.length === 0)
      this.inputsPanel.append(h('p', { class: 'muted' }, 'This shader has no inputs.'));
  }

  // --- ControlHost ------------------------------------------------------------------------------------------

  changed(): void {
    this.dirty = true;
  }

  imageLabel(name: string): string {
    return this.media.imageLabel(name);
  }

  useImageFile(name: string, file: File): void {
    this.media.useImageFile(name, file);
  }

  useTestPattern(name: string, variant: 0 | 1 | null): void {
    this.media.useTestPattern(name, variant);
  }

  cubeLabel(name: string): string {
    return this.media.cubeLabel(name);
  }

  useCubeFace(name: string, face: number, file: File): void {
    this.media.useCubeFace(name, face, file);
  }

  audioLabel(name: string): string {
    return this.media.audioLabel(name);
  }

  useAudio(name: string, source: File | 'microphone' | null): void {
    this.media.useAudio(name, source);
  }

  reportError(e: unknown): void {
    if (isLoss(e)) {
      this.status();
      return;
    }
    if (e instanceof ISFError) {
      this.showMessages(e.diagnostics.length > 0 ? e.diagnostics : [e.toDiagnostic()], e.suggestion);
    } else {
      this.showMessages([
        { severity: 'error', code: 'BAD_ARGUMENT', message: String((e as Error)?.message ?? e) },
      ]);
    }
  }

  private refreshControls(): void {
    for (const c of this.controls) c.refresh();
  }

  private showMessages(diagnostics: readonly Diagnostic[], suggestion?: string): void {
    this.messages.show(diagnostics, suggestion);
  }

  // --- transport --------------------------------------------------------------------------------------------

  private setPlaying(playing: boolean): void {
    this.playing = playing;
    this.playButton.textContent = playing ? 'Pause' : 'Play';
    this.lastTick = undefined;
  }

  private step(): void {
    this.setPlaying(false);
    this.seek(this.time + STEP);
  }

  private seek(time: number): void {
    this.time = Math.max(0, time);
    this.dirty = true;
  }

  private async savePNG(): Promise<void> {
    if (!this.lastFrame || this.broken || !this.scene.doc || this.context.state === 'lost') return;
    // The preview never reads pixels back; Save PNG renders the frame once more with its pixels and shows it.
    let frame: Frame;
    try {
      frame = this.scene.render({ width: this.width, height: this.height, time: this.time });
      this.presenter.present(frame);
    } catch (e) {
      this.reportError(e);
      return;
    }
    const blob = await encodeFramePNG(frame);
    const a = h('a', {
      href: URL.createObjectURL(blob),
      download: `${this.scene.doc?.name ?? 'frame'}-${this.time.toFixed(2)}s.png`,
    });
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 10000);
  }

  // --- rendering --------------------------------------------------------------------------------------------

  private tick(now: number): void {
    requestAnimationFrame((t) => this.tick(t));
    if (this.playing) {
      if (this.lastTick !== undefined) {
        const dt = (now - this.lastTick) / 1000;
        this.time += dt;
        this.fps = this.fps * 0.9 + (dt > 0 ? 0.1 / dt : 0);
      }
      this.lastTick = now;
    }
    const live = this.media.live && this.playing;
    if (!this.dirty && !this.playing && !live) return;
    // Nothing new to show while the shader is broken: the last good frame stays up.
    if (this.broken || !this.scene.doc || this.context.state === 'lost') {
      this.status();
      return;
    }
    try {
      this.media.feedAudio();
      this.lastFrame = this.presenter.draw(this.scene, {
        width: this.width,
        height: this.height,
        time: this.time,
      });
      this.frames += 1;
      this.dirty = false;
    } catch (e) {
      if (!isLoss(e)) this.broken = true;
      this.reportError(e);
    }
    this.status();
  }

  private status(): void {
    this.timeOut.value = `${this.time.toFixed(2)} s`;
    if (this.time > Number(this.timeSlider.max))
      this.timeSlider.max = String(Math.ceil(this.time / SCRUB_SECONDS) * SCRUB_SECONDS);
    if (document.activeElement !== this.timeSlider) this.timeSlider.value = String(this.time);
    const state = this.context.state;
    const parts = [
      state === 'lost' ? 'WebGL context lost: waiting for the browser to restore it' : '',
      this.broken
        ? this.lastFrame
          ? 'shader has errors: showing the last good frame'
          : 'shader has errors'
        : '',
      this.lastFrame ? `${this.lastFrame.width}×${this.lastFrame.height}` : '',
      this.lastFrame ? `${this.lastFrame.meta.renderMs.toFixed(1)} ms` : '',
      this.playing && !this.broken && this.fps > 0 ? `${this.fps.toFixed(0)} fps` : '',
    ];
    this.statusLine.textContent = parts.filter(Boolean).join(' · ');
  }

  // --- drop -------------------------------------------------------------------------------------

  /** A file dropped on the picture goes to the first image input. */
  private dropImages(el: HTMLElement): void {
    dropTarget(el, (file) => {
      const input = this.scene.doc?.inputs.find((i) => i.type === 'image');
      if (input) this.useImageFile(input.name, file);
    });
  }

  // --- introspection ----------------------------------------------------------------------------------------

  state(): PageState {
    return {
      shader: this.currentPath,
      loadedSource: this.loadedSource,
      frames: this.frames,
      time: this.time,
      playing: this.playing,
      width: this.width,
      height: this.height,
      contextState: this.context.state,
      errors: this.messages.errors,
      reloads: this.reloads,
    };
  }
}
