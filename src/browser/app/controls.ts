/**
 * One control per ISF input, built from the document: float sliders (MIN/MAX), bool checkboxes, event buttons,
 * long menus (LABELS/VALUES) or integer sliders, colour pickers with alpha, point2D fields (drag on the canvas),
 * image pickers (test pattern, none, file pick or drop), cube pickers (one file per face) and audio sources (file
 * or microphone).
 * Controls write through the scene (so coercion and errors are the library's) and read back with refresh().
 */
import type {
  ColorInput,
  FloatInput,
  ISFInput,
  LongInput,
  Point2DInput,
  Point3DInput,
  Point4DInput,
  Vec2,
  Vec4,
} from '../../core/document.ts';
import { CUBE_FACES } from '../../render/cube.ts';
import type { Scene } from '../../render/scene.ts';
import { dropTarget, h } from './dom.ts';

export interface ControlHost {
  readonly scene: Scene;
  /** Something changed: render a new frame even when paused. */
  changed(): void;
  /** Image inputs: the choice's label, and what to do on pick. */
  imageLabel(name: string): string;
  useImageFile(name: string, file: File): void;
  useTestPattern(name: string, variant: 0 | 1 | null): void;
  /** Cube inputs: what is loaded, and a face file picked (face 0..5: +X -X +Y -Y +Z -Z). */
  cubeLabel(name: string): string;
  useCubeFace(name: string, face: number, file: File): void;
  /** Audio inputs. */
  audioLabel(name: string): string;
  useAudio(name: string, source: File | 'microphone' | null): void;
  /** Which point2D input a drag on the canvas moves. */
  activePoint: string | undefined;
  reportError(e: unknown): void;
}

export interface InputControl {
  readonly input: ISFInput;
  readonly element: HTMLElement;
  /** Re-reads the value from the scene (after a drag, a reload, a reset). */
  refresh(): void;
}

function fmt(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(3).replace(/0+$/, '');
}

function hexOf(c: Vec4): string {
  return `#${c
    .slice(0, 3)
    .map((v) =>
      Math.round(Math.min(1, Math.max(0, v)) * 255)
        .toString(16)
        .padStart(2, '0'),
    )
    .join('')}`;
}

function row(input: ISFInput, ...body: (Node | string)[]): HTMLElement {
  const title = input.label && input.label !== input.name ? `${input.label} (${input.name})` : input.name;
  return h(
    'div',
    { class: `control control-${input.type}`, 'data-input': input.name, title: input.description ?? '' },
    h('label', { class: 'control-name' }, title),
    h('div', { class: 'control-body' }, ...body),
  );
}

export function buildControl(input: ISFInput, host: ControlHost): InputControl {
  const set = (value: unknown): void => {
    try {
      host.scene.setValue(input.name, value);
      host.changed();
    } catch (e) {
      host.reportError(e);
    }
  };
  const value = (): unknown => host.scene.getValue(input.name);
  switch (input.type) {
    case 'float':
      return floatControl(input, set, value);
    case 'long':
      return longControl(input, set, value);
    case 'bool': {
      const box = h('input', { type: 'checkbox', onchange: () => set(box.checked) });
      return {
        input,
        element: row(input, box),
        refresh: () => {
          box.checked = value() === true;
        },
      };
    }
    case 'event': {
      const button = h(
        'button',
        {
          type: 'button',
          onclick: () => {
            try {
              host.scene.fireEvent(input.name);
              host.changed();
            } catch (e) {
              host.reportError(e);
            }
          },
        },
        'Fire',
      );
      return { input, element: row(input, button), refresh: () => {} };
    }
    case 'color':
      return colorControl(input, set, value);
    case 'point2D':
      return pointControl(input, host, set, value);
    case 'point3D':
    case 'point4D':
      return vectorControl(input, set, value);
    case 'image':
      return imageControl(input, host);
    case 'audio':
    case 'audioFFT':
      return audioControl(input, host);
    case 'cube':
      return cubeControl(input, host);
  }
}

function floatControl(input: FloatInput, set: (v: unknown) => void, value: () => unknown): InputControl {
  const out = h('output');
  const slider = h('input', {
    type: 'range',
    min: input.min,
    max: input.max,
    step: input.max > input.min ? (input.max - input.min) / 1000 : 'any',
    oninput: () => {
      out.value = fmt(Number(slider.value));
      set(Number(slider.value));
    },
    ondblclick: () => {
      set(input.default);
      refresh();
    },
  });
  const refresh = (): void => {
    const v = value() as number;
    slider.value = String(v);
    out.value = fmt(v);
  };
  return { input, element: row(input, slider, out), refresh };
}

function longControl(input: LongInput, set: (v: unknown) => void, value: () => unknown): InputControl {
  if (input.values && input.labels) {
    const select = h('select', { onchange: () => set(Number(select.value)) });
    for (const [i, v] of input.values.entries()) {
      select.append(h('option', { value: String(v) }, input.labels[i] ?? String(v)));
    }
    return {
      input,
      element: row(input, select),
      refresh: () => {
        select.value = String(value());
      },
    };
  }
  if (input.min !== undefined && input.max !== undefined) {
    const out = h('output');
    const slider = h('input', {
      type: 'range',
      min: input.min,
      max: input.max,
      step: 1,
      oninput: () => {
        out.value = slider.value;
        set(Number(slider.value));
      },
    });
    const refresh = (): void => {
      slider.value = String(value());
      out.value = String(value());
    };
    return { input, element: row(input, slider, out), refresh };
  }
  const field = h('input', { type: 'number', step: 1, onchange: () => set(Number(field.value)) });
  return {
    input,
    element: row(input, field),
    refresh: () => {
      field.value = String(value());
    },
  };
}

function colorControl(input: ColorInput, set: (v: unknown) => void, value: () => unknown): InputControl {
  const current = (): Vec4 => value() as Vec4;
  const picker = h('input', {
    type: 'color',
    oninput: () => {
      const c = current();
      const hex = picker.value;
      const rgb = [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16) / 255);
      set([rgb[0], rgb[1], rgb[2], c[3]]);
    },
  });
  const alpha = h('input', {
    type: 'range',
    min: 0,
    max: 1,
    step: 0.001,
    title: 'alpha',
    oninput: () => {
      const c = current();
      set([c[0], c[1], c[2], Number(alpha.value)]);
    },
  });
  const refresh = (): void => {
    const c = current();
    picker.value = hexOf(c);
    alpha.value = String(c[3]);
  };
  return { input, element: row(input, picker, h('span', { class: 'muted' }, 'α'), alpha), refresh };
}

/** point3D / point4D (Vuo, ossia score): one number field per component. */
function vectorControl(
  input: Point3DInput | Point4DInput,
  set: (v: unknown) => void,
  value: () => unknown,
): InputControl {
  const n = input.type === 'point3D' ? 3 : 4;
  const fields = Array.from({ length: n }, (_, axis) =>
    h('input', {
      type: 'number',
      step: 'any',
      class: 'coord',
      title: 'xyzw'[axis]!,
      onchange: () => {
        const p = [...(value() as number[])];
        p[axis] = Number(fields[axis]!.value);
        set(p);
      },
    }),
  );
  const refresh = (): void => {
    const p = value() as number[];
    for (const [i, f] of fields.entries()) f.value = fmt(p[i]!);
  };
  return { input, element: row(input, ...fields), refresh };
}

function pointControl(
  input: Point2DInput,
  host: ControlHost,
  set: (v: unknown) => void,
  value: () => unknown,
): InputControl {
  const fields = [0, 1].map((axis) =>
    h('input', {
      type: 'number',
      step: 'any',
      class: 'coord',
      onchange: () => {
        const p = [...(value() as Vec2)];
        p[axis] = Number(fields[axis]!.value);
        set(p);
      },
    }),
  );
  const radio = h('input', {
    type: 'radio',
    name: 'active-point',
    title: 'drag on the picture to move this point',
    onchange: () => {
      if (radio.checked) host.activePoint = input.name;
    },
  });
  const refresh = (): void => {
    const p = value() as Vec2;
    fields[0]!.value = fmt(p[0]);
    fields[1]!.value = fmt(p[1]);
    radio.checked = host.activePoint === input.name;
  };
  return {
    input,
    element: row(
      input,
      radio,
      'x',
      fields[0]!,
      'y',
      fields[1]!,
      h('span', { class: 'muted' }, 'drag on the picture'),
    ),
    refresh,
  };
}

function imageControl(input: ISFInput, host: ControlHost): InputControl {
  const label = h('span', { class: 'image-label' });
  const file = h('input', {
    type: 'file',
    accept: 'image/*',
    onchange: () => {
      const f = file.files?.[0];
      if (f) host.useImageFile(input.name, f);
      file.value = '';
    },
  });
  const element = row(
    input,
    label,
    h('button', { type: 'button', onclick: () => file.click() }, 'File…'),
    h('button', { type: 'button', onclick: () => host.useTestPattern(input.name, 0) }, 'Pattern'),
    h('button', { type: 'button', onclick: () => host.useTestPattern(input.name, 1) }, 'Pattern B'),
    h('button', { type: 'button', onclick: () => host.useTestPattern(input.name, null) }, 'None'),
    file,
  );
  file.hidden = true;
  dropTarget(element, (f) => host.useImageFile(input.name, f));
  return {
    input,
    element,
    refresh: () => {
      label.textContent = host.imageLabel(input.name);
    },
  };
}

/** A button per face (+X -X +Y -Y +Z -Z), each picking or taking a dropped file; the cube renders once all six are in. */
function cubeControl(input: ISFInput, host: ControlHost): InputControl {
  const label = h('span', { class: 'image-label' });
  const buttons = CUBE_FACES.map((face, i) => {
    const file = h('input', {
      type: 'file',
      accept: 'image/*',
      class: 'cube-face',
      'data-face': face,
      onchange: () => {
        const f = file.files?.[0];
        if (f) host.useCubeFace(input.name, i, f);
        file.value = '';
      },
    });
    file.hidden = true;
    const button = h(
      'button',
      { type: 'button', title: `the ${face} face`, onclick: () => file.click() },
      face,
    );
    dropTarget(button, (f) => host.useCubeFace(input.name, i, f));
    return [button, file] as const;
  });
  return {
    input,
    element: row(input, label, ...buttons.flat()),
    refresh: () => {
      label.textContent = host.cubeLabel(input.name);
    },
  };
}

function audioControl(input: ISFInput, host: ControlHost): InputControl {
  const label = h('span', { class: 'image-label' });
  const file = h('input', {
    type: 'file',
    accept: 'audio/*',
    onchange: () => {
      const f = file.files?.[0];
      if (f) host.useAudio(input.name, f);
      file.value = '';
    },
  });
  file.hidden = true;
  const element = row(
    input,
    label,
    h('button', { type: 'button', onclick: () => file.click() }, 'File…'),
    h('button', { type: 'button', onclick: () => host.useAudio(input.name, 'microphone') }, 'Microphone'),
    h('button', { type: 'button', onclick: () => host.useAudio(input.name, null) }, 'Off'),
    file,
  );
  dropTarget(element, (f) => host.useAudio(input.name, f));
  return {
    input,
    element,
    refresh: () => {
      label.textContent = host.audioLabel(input.name);
    },
  };
}
