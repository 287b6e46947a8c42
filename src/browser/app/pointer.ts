/**
 * Dragging on the picture moves a point2D input: in pixels of the render (origin bottom-left), or across
 * MIN..MAX when the input's range is normalized (MAX <= 1).
 */
import type { Point2DInput, Vec2 } from '../../core/document.ts';

export interface PointTarget {
  /** The point2D input a drag moves now, if any. */
  input(): Point2DInput | undefined;
  /** The render size the pointer's position maps to. */
  renderSize(): { width: number; height: number };
  set(name: string, point: Vec2): void;
}

export function dragPoints(canvas: HTMLCanvasElement, target: PointTarget): void {
  let dragging = false;
  const move = (e: PointerEvent): void => {
    const input = target.input();
    if (!input) return;
    const rect = canvas.getBoundingClientRect();
    const fx = Math.min(1, Math.max(0, (e.clientX - rect.left) / rect.width));
    const fy = Math.min(1, Math.max(0, 1 - (e.clientY - rect.top) / rect.height));
    let p: Vec2;
    const { min, max } = input;
    if (min && max && max[0] <= 1 && max[1] <= 1) {
      p = [min[0] + fx * (max[0] - min[0]), min[1] + fy * (max[1] - min[1])];
    } else {
      const { width, height } = target.renderSize();
      p = [fx * width, fy * height];
      if (min) p = [Math.max(min[0], p[0]), Math.max(min[1], p[1])];
      if (max) p = [Math.min(max[0], p[0]), Math.min(max[1], p[1])];
    }
    target.set(input.name, p);
  };
  canvas.addEventListener('pointerdown', (e) => {
    dragging = true;
    canvas.setPointerCapture(e.pointerId);
    move(e);
  });
  canvas.addEventListener('pointermove', (e) => {
    if (dragging) move(e);
  });
  const stop = (): void => {
    dragging = false;
  };
  canvas.addEventListener('pointerup', stop);
  canvas.addEventListener('pointercancel', stop);
}
