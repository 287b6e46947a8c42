/**
 * SceneInputs: a scene's image, audio-as-image and cube inputs (IMPORTED ones included): the CPU-side pixels,
 * which are the truth, and their textures, uploaded on first use in each context generation and deleted when the
 * image changes or the scene lets go of its GL objects. Also the transparent stand-ins that unset samplers read.
 * The Scene checks names and types against its document; this module only holds and uploads.
 */
import type { GLTexture } from '../gl/gl2.ts';
import type { GLContext } from './context.ts';
import { EMPTY_IMAGE, type RawImage } from './images.ts';
import type { Texture2D } from './resources.ts';

/** What one 2D sampler is bound to for a pass, with its size and whether the IMG_* helpers flip it upright. */
export interface SamplerBinding {
  texture: GLTexture | null;
  width: number;
  height: number;
  flip: boolean;
}

interface ImageSlot {
  image: RawImage;
  texture: Texture2D | undefined;
}

interface CubeSlot {
  faces: RawImage[];
  texture: Texture2D | undefined;
}

export class SceneInputs {
  private images = new Map<string, ImageSlot>();
  private cubes = new Map<string, CubeSlot>();
  private emptyCube: Texture2D | undefined;
  private emptyTexture: Texture2D | undefined;

  constructor(private readonly context: GLContext) {}

  image(name: string): RawImage | undefined {
    return this.images.get(name)?.image;
  }

  /** The +X face of a cube input. */
  cubeFace(name: string): RawImage | undefined {
    return this.cubes.get(name)?.faces[0];
  }

  /** Replaces an image (checked by the caller); its texture is uploaded on the next draw. */
  setImage(name: string, image: RawImage): void {
    const old = this.images.get(name);
    if (old?.texture) this.context.deleteTexture(old.texture);
    this.images.set(name, { image, texture: undefined });
  }

  /** Replaces a cube's six faces (checked by the caller). */
  setCube(name: string, faces: readonly RawImage[]): void {
    const old = this.cubes.get(name);
    if (old?.texture) this.context.deleteTexture(old.texture);
    this.cubes.set(name, { faces: [...faces], texture: undefined });
  }

  clearImage(name: string): void {
    const old = this.images.get(name);
    if (old?.texture) this.context.deleteTexture(old.texture);
    this.images.delete(name);
  }

  /** A new document: its inputs start unset (the old textures were deleted by release()). */
  clear(): void {
    this.images.clear();
    this.cubes.clear();
  }

  /** The image's texture (uploaded on first use in this context generation), or a 1x1 transparent one. */
  binding(name: string): SamplerBinding {
    const slot = this.images.get(name);
    if (!slot) return this.empty();
    if (!slot.texture || slot.texture.generation !== this.context.generation) {
      const { image } = slot;
      const data = image.data instanceof Uint8ClampedArray ? new Uint8Array(image.data.buffer) : image.data;
      slot.texture = this.context.createTexture(
        image.width,
        image.height,
        image.data instanceof Float32Array ? this.context.floatImageFormat() : 'rgba8',
        data,
      );
    }
    // Images are uploaded top row first, so _flip tells the IMG_* helpers to turn them upright (VVISF protocol).
    return { texture: slot.texture.handle, width: slot.image.width, height: slot.image.height, flip: true };
  }

  /** The cube's texture (uploaded on first use in this context generation), or a 1x1 transparent cube. */
  cube(name: string): Texture2D {
    const slot = this.cubes.get(name);
    if (!slot) {
      if (!this.emptyCube || this.emptyCube.generation !== this.context.generation) {
        const face = EMPTY_IMAGE.data as Uint8Array;
        this.emptyCube = this.context.createCubeTexture(1, 'rgba8', [face, face, face, face, face, face]);
      }
      return this.emptyCube;
    }
    if (!slot.texture || slot.texture.generation !== this.context.generation) {
      const float = slot.faces[0]!.data instanceof Float32Array;
      const data = slot.faces.map((f) =>
        f.data instanceof Uint8ClampedArray ? new Uint8Array(f.data.buffer) : f.data,
      );
      slot.texture = this.context.createCubeTexture(
        slot.faces[0]!.width,
        float ? this.context.floatImageFormat() : 'rgba8',
        data,
      );
    }
    return slot.texture;
  }

  /** A 1x1 transparent texture: what an unset image, or a target not yet written, samples. */
  empty(): SamplerBinding {
    if (!this.emptyTexture || this.emptyTexture.generation !== this.context.generation) {
      this.emptyTexture = this.context.createTexture(1, 1, 'rgba8', EMPTY_IMAGE.data as Uint8Array);
    }
    return { texture: this.emptyTexture.handle, width: 1, height: 1, flip: false };
  }

  /** After reinitialize()/loss: every texture died with the old context; re-upload on next use. */
  forget(): void {
    this.emptyTexture = undefined;
    this.emptyCube = undefined;
    for (const slot of [...this.images.values(), ...this.cubes.values()]) slot.texture = undefined;
  }

  /** Deletes the textures (when `current`: they belong to the live generation) and forgets them. */
  release(current: boolean): void {
    for (const slot of [...this.images.values(), ...this.cubes.values()]) {
      if (slot.texture && current) this.context.deleteTexture(slot.texture);
      slot.texture = undefined;
    }
    if (this.emptyTexture && current) this.context.deleteTexture(this.emptyTexture);
    this.emptyTexture = undefined;
    if (this.emptyCube && current) this.context.deleteTexture(this.emptyCube);
    this.emptyCube = undefined;
  }
}
