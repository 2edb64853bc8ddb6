import type { MaskInput } from '../../bridge/media';

/** One shape as the host rasterises it (bridge `drawing` masks), in source-frame pixels. */
export type Shape =
  | { type: 'box'; x: number; y: number; width: number; height: number; erase?: boolean }
  | { type: 'stroke'; points: [number, number][]; radius: number; erase?: boolean };

export type Tool = 'box' | 'brush' | 'eraser';

/** A frame to draw on: the image the host sent and the source size its pixels stand for. */
export interface EditorFrame {
  /** image URL (a `data:image/png;base64,…` from getPreview / getJobFrame) */
  src: string;
  sourceWidth: number;
  sourceHeight: number;
}

const SUBJECT_COLOUR = '#19e36f';
const ERASED_COLOUR = '#1b1b1b';

/**
 * Draws a first-frame mask over a frame: boxes, brush and eraser strokes, undo and clear. UXP's canvas draws
 * shapes but cannot read pixels back, draw images or (on Windows) clear (uxp.md §7.5), so the editor keeps
 * the shapes as vectors in source pixels, redraws them on a fresh canvas after each edit, and the host
 * rasterises them. Green shows the subject, dark grey what the eraser removed.
 */
export class MaskEditor {
  tool: Tool = 'box';
  /** brush radius in source pixels */
  brushRadius = 12;
  private shapes: Shape[] = [];
  private frame: EditorFrame | undefined;
  private canvas: HTMLCanvasElement | undefined;
  private readonly image: HTMLImageElement;
  private readonly rubberBand: HTMLElement;
  private readonly changeListeners = new Set<() => void>();
  private drawing: { shape: Shape; startX: number; startY: number } | undefined;

  constructor(
    private readonly root: HTMLElement,
    private readonly doc: Document,
  ) {
    root.style.position = 'relative';
    this.image = doc.createElement('img');
    this.image.style.width = '100%';
    this.image.style.display = 'block';
    this.image.addEventListener('load', () => this.redraw());
    this.rubberBand = doc.createElement('div');
    setStyle(this.rubberBand, { position: 'absolute', border: `1px dashed ${SUBJECT_COLOUR}`, display: 'none', pointerEvents: 'none' });
    root.append(this.image, this.rubberBand);
  }

  /** Shows a frame and forgets the shapes of the previous one. */
  show(frame: EditorFrame): void {
    this.frame = frame;
    this.shapes = [];
    this.image.src = frame.src;
    this.redraw();
    this.changed();
  }

  get shapeCount(): number {
    return this.shapes.length;
  }

  /** Whether something would be the subject: at least one box or brush stroke. */
  get hasSubject(): boolean {
    return this.shapes.some((shape) => !shape.erase);
  }

  /** The last box drawn (to pick a person for an automatic mask), if any. */
  get lastBox(): { x: number; y: number; width: number; height: number } | undefined {
    const box = [...this.shapes].reverse().find((shape) => shape.type === 'box' && !shape.erase);
    return box?.type === 'box' ? { x: box.x, y: box.y, width: box.width, height: box.height } : undefined;
  }

  onChange(listener: () => void): void {
    this.changeListeners.add(listener);
  }

  undo(): void {
    this.shapes.pop();
    this.redraw();
    this.changed();
  }

  clear(): void {
    this.shapes = [];
    this.redraw();
    this.changed();
  }

  /**
   * The mask to send, or undefined with nothing drawn.
   * @param base - `alpha` for a correction: the shapes edit the job's current matte of that frame
   */
  toMask(base: 'empty' | 'alpha' = 'empty'): MaskInput | undefined {
    if (this.shapes.length === 0) return undefined;
    return { kind: 'drawing', shapes: this.shapes.map((shape) => ({ ...shape })), base };
  }

  /** Source pixels per displayed pixel. */
  private get scale(): number {
    const shown = this.image.clientWidth || this.root.clientWidth;
    return this.frame && shown > 0 ? this.frame.sourceWidth / shown : 1;
  }

  private changed(): void {
    for (const listener of this.changeListeners) listener();
  }

  /** A new canvas each time: clearRect does not work on Windows in UXP. */
  private redraw(): void {
    this.canvas?.remove();
    this.canvas = undefined;
    if (!this.frame) return;
    const width = this.image.clientWidth;
    const height = this.image.clientHeight;
    if (width === 0 || height === 0) return; // not laid out yet: the image's load event redraws
    const canvas = this.doc.createElement('canvas');
    canvas.width = width;
    canvas.height = height;
    setStyle(canvas, { position: 'absolute', left: '0', top: '0', width: `${width}px`, height: `${height}px`, opacity: '0.55', touchAction: 'none' });
    canvas.addEventListener('pointerdown', (e) => this.pointerDown(e));
    canvas.addEventListener('pointermove', (e) => this.pointerMove(e));
    canvas.addEventListener('pointerup', (e) => this.pointerUp(e));
    canvas.addEventListener('pointerleave', (e) => this.pointerUp(e));
    this.root.append(canvas);
    this.canvas = canvas;
    const context = canvas.getContext('2d');
    if (!context) return;
    for (const shape of this.shapes) this.paint(context, shape);
  }

  private paint(context: CanvasRenderingContext2D, shape: Shape): void {
    const k = 1 / this.scale;
    const colour = shape.erase ? ERASED_COLOUR : SUBJECT_COLOUR;
    if (shape.type === 'box') {
      context.fillStyle = colour;
      context.fillRect(shape.x * k, shape.y * k, shape.width * k, shape.height * k);
      return;
    }
    context.strokeStyle = colour;
    context.fillStyle = colour;
    context.lineWidth = 2 * shape.radius * k;
    context.lineCap = 'round';
    context.lineJoin = 'round';
    const [first, ...rest] = shape.points;
    context.beginPath();
    if (rest.length === 0) {
      context.arc(first[0] * k, first[1] * k, shape.radius * k, 0, Math.PI * 2);
      context.fill();
      return;
    }
    context.moveTo(first[0] * k, first[1] * k);
    for (const [x, y] of rest) context.lineTo(x * k, y * k);
    context.stroke();
  }

  private sourcePoint(e: PointerEvent): [number, number] {
    const s = this.scale;
    const clamp = (v: number, max: number) => Math.min(Math.max(v, 0), max);
    return [clamp(e.offsetX * s, this.frame!.sourceWidth), clamp(e.offsetY * s, this.frame!.sourceHeight)];
  }

  private pointerDown(e: PointerEvent): void {
    if (!this.frame) return;
    this.canvas?.setPointerCapture?.(e.pointerId);
    const [x, y] = this.sourcePoint(e);
    const shape: Shape =
      this.tool === 'box'
        ? { type: 'box', x, y, width: 0, height: 0 }
        : { type: 'stroke', points: [[x, y]], radius: this.brushRadius, ...(this.tool === 'eraser' ? { erase: true } : {}) };
    this.drawing = { shape, startX: x, startY: y };
  }

  private pointerMove(e: PointerEvent): void {
    const drawing = this.drawing;
    if (!drawing) return;
    const [x, y] = this.sourcePoint(e);
    const shape = drawing.shape;
    if (shape.type === 'box') {
      Object.assign(shape, box(drawing.startX, drawing.startY, x, y));
      const k = 1 / this.scale;
      setStyle(this.rubberBand, { display: 'block', left: `${shape.x * k}px`, top: `${shape.y * k}px`, width: `${shape.width * k}px`, height: `${shape.height * k}px` });
      return;
    }
    const last = shape.points[shape.points.length - 1];
    if (Math.hypot(x - last[0], y - last[1]) < 1) return;
    shape.points.push([x, y]);
    // Only the new segment: painting is additive, so no redraw is needed while the stroke grows.
    const context = this.canvas?.getContext('2d');
    if (context) this.paint(context, { ...shape, points: [last, [x, y]] });
  }

  private pointerUp(e: PointerEvent): void {
    const drawing = this.drawing;
    if (!drawing) return;
    this.drawing = undefined;
    this.rubberBand.style.display = 'none';
    if (e.type === 'pointerup' && drawing.shape.type === 'box') Object.assign(drawing.shape, box(drawing.startX, drawing.startY, ...this.sourcePoint(e)));
    const shape = drawing.shape;
    if (shape.type === 'box' && (shape.width < 2 || shape.height < 2)) return this.redraw(); // a click, not a box
    this.shapes.push(shape);
    this.redraw();
    this.changed();
  }
}

/** One property at a time: UXP's style object is not documented to take `cssText`. */
function setStyle(element: HTMLElement, properties: Partial<Record<'position' | 'border' | 'display' | 'pointerEvents' | 'left' | 'top' | 'width' | 'height' | 'opacity' | 'touchAction', string>>): void {
  for (const [name, value] of Object.entries(properties)) element.style[name as 'position'] = value as string;
}

function box(x0: number, y0: number, x1: number, y1: number) {
  return { x: Math.min(x0, x1), y: Math.min(y0, y1), width: Math.abs(x1 - x0), height: Math.abs(y1 - y0) };
}
