/**
 * The page's media inputs: which image each image input shows (a dropped or picked file, a test pattern, none),
 * the faces picked for each cube input (set on the scene once all six are in), and which live audio feed each
 * audio input reads. Choices survive reloads of the same shader and are dropped
 * for inputs a newly selected shader does not have.
 */
import type { ISFDocument } from '../../core/document.ts';
import { CUBE_FACES } from '../../render/cube.ts';
import type { RawImage } from '../../render/images.ts';
import type { Scene } from '../../render/scene.ts';
import { testPattern } from '../../render/test-pattern.ts';
import { decodeBrowserImage } from '../images.ts';
import { AudioFeed } from './media.ts';

/** A cube input's faces (+X -X +Y -Y +Z -Z) as picked so far, with their file names. */
interface CubeChoice {
  faces: (RawImage | undefined)[];
  labels: (string | undefined)[];
}

interface ImageChoice {
  label: string;
  image: RawImage | undefined;
}

/** What the page does when a choice changes or fails. */
export interface MediaEvents {
  /** A choice changed: refresh the controls and render a new frame. */
  changed(): void;
  reportError(e: unknown): void;
}

function pattern(variant: 0 | 1): ImageChoice {
  return {
    label: variant === 0 ? 'test pattern' : 'test pattern B',
    image: testPattern(640, 360, variant),
  };
}

export class MediaInputs {
  private images = new Map<string, ImageChoice>();
  /** Images the server was started with (`isf serve --image name=path`): an input's first choice. */
  private preloaded = new Map<string, ImageChoice>();
  private audio = new Map<string, AudioFeed>();
  private cubes = new Map<string, CubeChoice>();

  constructor(
    private readonly scene: Scene,
    private readonly events: MediaEvents,
  ) {}

  /** Some audio input is fed live: frames change even when nothing else does. */
  get live(): boolean {
    return this.audio.size > 0;
  }

  imageLabel(name: string): string {
    return this.images.get(name)?.label ?? 'none';
  }

  cubeLabel(name: string): string {
    const choice = this.cubes.get(name);
    const have = choice?.faces.filter((f) => f !== undefined).length ?? 0;
    if (!choice || have === 0) return 'none (transparent black): pick the six faces';
    if (have < 6) {
      const missing = CUBE_FACES.filter((_, i) => choice.faces[i] === undefined);
      return `${have} of 6 faces; still to pick: ${missing.join(' ')}`;
    }
    return CUBE_FACES.map((f, i) => `${f} ${choice.labels[i]}`).join(', ');
  }

  /** One face of a cube input from a file; the cube is set once all six faces are in (checked by the scene). */
  useCubeFace(name: string, face: number, file: File): void {
    decodeBrowserImage(file, `${name} ${CUBE_FACES[face]}`)
      .then((image) => {
        const choice = this.cubes.get(name) ?? {
          faces: Array(6).fill(undefined),
          labels: Array(6).fill(undefined),
        };
        choice.faces[face] = image;
        choice.labels[face] = file.name;
        this.cubes.set(name, choice);
        this.applyCube(name, choice);
        this.events.changed();
      })
      .catch((e: unknown) => this.events.reportError(e));
  }

  audioLabel(name: string): string {
    return this.audio.get(name)?.label ?? 'off (silence)';
  }

  useImageFile(name: string, file: File): void {
    decodeBrowserImage(file, name)
      .then((image) => this.setImageChoice(name, { label: file.name, image }))
      .catch((e: unknown) => this.events.reportError(e));
  }

  /** An image an input of that name starts on, in place of the test pattern (until a choice is made). */
  preload(name: string, label: string, image: RawImage): void {
    this.preloaded.set(name, { label, image });
  }

  useTestPattern(name: string, variant: 0 | 1 | null): void {
    this.setImageChoice(name, variant === null ? { label: 'none', image: undefined } : pattern(variant));
  }

  useAudio(name: string, source: File | 'microphone' | null): void {
    this.audio.get(name)?.stop();
    this.audio.delete(name);
    if (source === null) {
      this.scene.clearImage(name);
      this.events.changed();
      return;
    }
    const feed = source === 'microphone' ? AudioFeed.fromMicrophone() : AudioFeed.fromFile(source);
    feed
      .then((f) => {
        this.audio.set(name, f);
        this.events.changed();
      })
      .catch((e: unknown) => this.events.reportError(e));
  }

  /** A newly selected shader: forget the choices (and stop the feeds) of inputs it does not have. */
  dropNotIn(doc: ISFDocument): void {
    const names = new Set(doc.inputs.map((i) => i.name));
    for (const name of [...this.images.keys()]) if (!names.has(name)) this.images.delete(name);
    for (const name of [...this.cubes.keys()]) if (!names.has(name)) this.cubes.delete(name);
    for (const [name, feed] of [...this.audio]) {
      if (!names.has(name)) {
        feed.stop();
        this.audio.delete(name);
      }
    }
  }

  /**
   * Image inputs get their chosen image, else the one the server preloaded for that name, else the test pattern
   * (the second image input gets pattern B).
   */
  apply(doc: ISFDocument): void {
    let k = 0;
    for (const input of doc.inputs) {
      if (input.type !== 'image') continue;
      if (!this.images.has(input.name)) {
        this.images.set(input.name, this.preloaded.get(input.name) ?? pattern(k === 0 ? 0 : 1));
      }
      const choice = this.images.get(input.name)!;
      if (choice.image) this.scene.setImageData(input.name, choice.image);
      k += 1;
    }
    for (const [name, choice] of this.cubes) {
      if (doc.inputs.some((i) => i.name === name && i.type === 'cube')) this.applyCube(name, choice);
    }
  }

  private applyCube(name: string, choice: CubeChoice): void {
    if (choice.faces.some((f) => f === undefined)) return;
    try {
      this.scene.setCubeData(name, choice.faces as RawImage[]);
    } catch (e) {
      this.events.reportError(e);
    }
  }

  /** Hands each audio input its feed's latest samples (once per frame). */
  feedAudio(): void {
    for (const [name, feed] of this.audio) this.scene.setAudio(name, feed.read());
  }

  private setImageChoice(name: string, choice: ImageChoice): void {
    try {
      if (choice.image) this.scene.setImageData(name, choice.image);
      else this.scene.clearImage(name);
      this.images.set(name, choice);
      this.events.changed();
    } catch (e) {
      this.events.reportError(e);
    }
  }
}
