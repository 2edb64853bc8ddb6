// A frame with a box, brush strokes and eraser strokes drawn over it. Shapes are kept in source frame pixels
// (the PNG may be scaled down), in the order drawn: exactly the `shapes` of a bridge `drawing` mask, which
// the host rasterises at the frame's size (native-host/jobs/stroke-raster.ts).

const SUBJECT_TINT = 'rgba(40, 220, 90, 0.55)';

/**
 * @typedef {{type: 'box', x: number, y: number, width: number, height: number, erase?: boolean}
 *   | {type: 'stroke', points: [number, number][], radius: number, erase?: boolean}} DrawnShape
 */

export class FrameDrawing {
  /**
   * @param {HTMLCanvasElement} canvas - shows the frame and the shapes
   * @param {() => void} onChange - called after each shape, undo and clear
   */
  constructor(canvas, onChange) {
    this.canvas = canvas;
    this.onChange = onChange;
    /** @type {DrawnShape[]} */
    this.shapes = [];
    /** 'box' | 'brush' | 'eraser' */
    this.tool = 'box';
    /** brush radius in source pixels */
    this.radius = 12;
    this.image = undefined;
    this.scale = 1;
    /** the shape being drawn, in source pixels */
    this.drawing = undefined;
    this.mask = document.createElement('canvas');
    canvas.addEventListener('pointerdown', (e) => this.down(e));
    canvas.addEventListener('pointermove', (e) => this.move(e));
    canvas.addEventListener('pointerup', () => this.up());
    canvas.addEventListener('pointercancel', () => this.up());
  }

  /**
   * Shows a frame (a base64 PNG) and forgets the shapes drawn on the previous one.
   * @param {{png: string, width: number, height: number, sourceWidth: number, sourceHeight: number}} frame
   */
  async show(frame) {
    const image = new Image();
    image.src = `data:image/png;base64,${frame.png}`;
    await image.decode();
    this.image = image;
    this.scale = frame.width / frame.sourceWidth;
    this.sourceSize = { width: frame.sourceWidth, height: frame.sourceHeight };
    this.canvas.width = this.mask.width = frame.width;
    this.canvas.height = this.mask.height = frame.height;
    this.shapes = [];
    this.render();
    this.onChange();
  }

  get isEmpty() {
    return !this.shapes.some((s) => !s.erase);
  }

  undo() {
    this.shapes.pop();
    this.render();
    this.onChange();
  }

  clear() {
    this.shapes = [];
    this.render();
    this.onChange();
  }

  /** The pointer's position in source frame pixels. */
  at(event) {
    const rect = this.canvas.getBoundingClientRect();
    const x = ((event.clientX - rect.left) / rect.width) * this.canvas.width;
    const y = ((event.clientY - rect.top) / rect.height) * this.canvas.height;
    return [x / this.scale, y / this.scale];
  }

  down(event) {
    if (!this.image) return;
    this.canvas.setPointerCapture(event.pointerId);
    const [x, y] = this.at(event);
    if (this.tool === 'box') this.drawing = { type: 'box', x0: x, y0: y, x, y };
    else this.drawing = { type: 'stroke', points: [[x, y]], radius: this.radius, ...(this.tool === 'eraser' ? { erase: true } : {}) };
    this.render();
  }

  move(event) {
    if (!this.drawing) return;
    const [x, y] = this.at(event);
    if (this.drawing.type === 'box') Object.assign(this.drawing, { x, y });
    else this.drawing.points.push([round(x), round(y)]);
    this.render();
  }

  up() {
    const d = this.drawing;
    if (!d) return;
    this.drawing = undefined;
    const shape = d.type === 'box' ? boxOf(d) : { ...d, points: d.points.map(([x, y]) => [round(x), round(y)]) };
    if (shape) this.shapes.push(shape);
    this.render();
    this.onChange();
  }

  /** The frame, then the subject as the host will rasterise it, tinted green. */
  render() {
    const ctx = this.canvas.getContext('2d');
    const m = this.mask.getContext('2d');
    if (!this.image) return;
    m.clearRect(0, 0, this.mask.width, this.mask.height);
    const pending = this.drawing ? [this.drawing.type === 'box' ? boxOf(this.drawing) : this.drawing] : [];
    for (const shape of [...this.shapes, ...pending]) if (shape) paint(m, shape, this.scale);
    m.globalCompositeOperation = 'source-in';
    m.fillStyle = SUBJECT_TINT;
    m.fillRect(0, 0, this.mask.width, this.mask.height);
    m.globalCompositeOperation = 'source-over';
    ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
    ctx.drawImage(this.image, 0, 0, this.canvas.width, this.canvas.height);
    ctx.drawImage(this.mask, 0, 0);
  }
}

const round = (v) => Math.round(v * 10) / 10;

/** A box from two corners, or undefined when it has no area. */
function boxOf({ x0, y0, x, y }) {
  const box = { type: 'box', x: round(Math.min(x0, x)), y: round(Math.min(y0, y)), width: round(Math.abs(x - x0)), height: round(Math.abs(y - y0)) };
  return box.width >= 1 && box.height >= 1 ? box : undefined;
}

/** Paints one shape (source pixels) onto the mask canvas: opaque where it adds, cleared where it erases. */
function paint(ctx, shape, scale) {
  ctx.globalCompositeOperation = shape.erase ? 'destination-out' : 'source-over';
  ctx.fillStyle = ctx.strokeStyle = '#fff';
  if (shape.type === 'box') {
    ctx.fillRect(shape.x * scale, shape.y * scale, shape.width * scale, shape.height * scale);
  } else {
    ctx.lineWidth = 2 * shape.radius * scale;
    ctx.lineCap = ctx.lineJoin = 'round';
    ctx.beginPath();
    const [first, ...rest] = shape.points;
    ctx.moveTo(first[0] * scale, first[1] * scale);
    // A single point is a dot: a zero-length line with round caps.
    for (const [x, y] of rest.length ? rest : [first]) ctx.lineTo(x * scale, y * scale);
    ctx.stroke();
  }
  ctx.globalCompositeOperation = 'source-over';
}
