import type { DrawnShape, MaskInput } from '../../bridge/media';

export type StrokesMask = Extract<MaskInput, { kind: 'strokes' }>;
export type BoxMask = Extract<MaskInput, { kind: 'box' }>;
export type DrawingMask = Extract<MaskInput, { kind: 'drawing' }>;
export type AutoMask = Extract<MaskInput, { kind: 'auto' }>;
type Point = readonly [number, number];
type Stroke = { points: readonly Point[]; radius: number };
type Box = { x: number; y: number; width: number; height: number };

/**
 * Paints brush strokes into a width·height mask (255 inside, 0 outside), in order: a stroke covers every
 * pixel whose centre (x + 0.5, y + 0.5) lies within `radius` of its polyline (round caps and joins), and
 * an `erase` stroke clears those pixels again. Points are in source frame pixels; strokes may leave the
 * frame (they are clipped).
 *
 * @remarks Each segment is a capsule, which is convex: its intersection with a row of pixel centres is one
 *   interval, the union of the intervals of its two end discs and of its straight band. Rows are filled
 *   span by span, so the cost grows with the painted area, not with width·height per segment.
 */
export function rasteriseStrokes(strokes: StrokesMask['strokes'], width: number, height: number): Uint8Array {
  const mask = new Uint8Array(width * height);
  for (const stroke of strokes) paintStroke(mask, width, height, stroke, stroke.erase ? 0 : 255);
  return mask;
}

/** A box: every pixel whose centre lies in [x, x + width) × [y, y + height), clipped to the frame. */
export function rasteriseBox(box: BoxMask, width: number, height: number): Uint8Array {
  const mask = new Uint8Array(width * height);
  paintBox(mask, width, height, box, 255);
  return mask;
}

/**
 * A drawing: its shapes painted in order onto `base` (copied; all background when absent), a box as
 * {@link rasteriseBox} fills it, a stroke as {@link rasteriseStrokes} paints it; `erase` shapes clear
 * (0) what they cover, the others set it (255).
 *
 * @param base - width·height values, 0 = background (other values are kept as they are where nothing is drawn)
 */
export function rasteriseDrawing(shapes: readonly DrawnShape[], width: number, height: number, base?: Uint8Array): Uint8Array {
  if (base && base.length !== width * height) throw new RangeError(`base mask has ${base.length} values, expected ${width}×${height}`);
  const mask = base ? Uint8Array.from(base) : new Uint8Array(width * height);
  for (const shape of shapes) {
    const value = shape.erase ? 0 : 255;
    if (shape.type === 'box') paintBox(mask, width, height, shape, value);
    else paintStroke(mask, width, height, shape, value);
  }
  return mask;
}

function paintStroke(mask: Uint8Array, width: number, height: number, { points, radius }: Stroke, value: number): void {
  if (points.length === 1) paintCapsule(mask, width, height, points[0], points[0], radius, value);
  for (let i = 1; i < points.length; i++) paintCapsule(mask, width, height, points[i - 1], points[i], radius, value);
}

function paintBox(mask: Uint8Array, width: number, height: number, box: Box, value: number): void {
  const x0 = Math.max(0, Math.ceil(box.x - 0.5));
  const x1 = Math.min(width, Math.ceil(box.x + box.width - 0.5));
  const y0 = Math.max(0, Math.ceil(box.y - 0.5));
  const y1 = Math.min(height, Math.ceil(box.y + box.height - 0.5));
  for (let y = y0; y < y1; y++) if (x1 > x0) mask.fill(value, y * width + x0, y * width + x1);
}

/** Fills the pixels whose centres are within r of segment AB. */
function paintCapsule(mask: Uint8Array, width: number, height: number, a: Point, b: Point, r: number, value: number): void {
  const yLo = Math.max(0, Math.ceil(Math.min(a[1], b[1]) - r - 0.5));
  const yHi = Math.min(height - 1, Math.floor(Math.max(a[1], b[1]) + r - 0.5));
  for (let y = yLo; y <= yHi; y++) {
    const span = capsuleSpan(a, b, r, y + 0.5);
    if (!span) continue;
    const x0 = Math.max(0, Math.ceil(span[0] - 0.5));
    const x1 = Math.min(width - 1, Math.floor(span[1] - 0.5));
    if (x1 >= x0) mask.fill(value, y * width + x0, y * width + x1 + 1);
  }
}

type Span = [number, number] | undefined;

function union(p: Span, q: Span): Span {
  if (!p) return q;
  if (!q) return p;
  return [Math.min(p[0], q[0]), Math.max(p[1], q[1])];
}

/** The disc of radius r around c on the line y = cy. */
function discSpan(c: Point, r: number, cy: number): Span {
  const dy = cy - c[1];
  const h2 = r * r - dy * dy;
  if (h2 < 0) return undefined;
  const h = Math.sqrt(h2);
  return [c[0] - h, c[0] + h];
}

/** { x : lo ≤ k·x + m ≤ hi } as an interval; all x (±Infinity) or none when k = 0. */
function linearSpan(k: number, m: number, lo: number, hi: number): Span {
  if (k === 0) return m >= lo && m <= hi ? [-Infinity, Infinity] : undefined;
  const p = (lo - m) / k;
  const q = (hi - m) / k;
  return p <= q ? [p, q] : [q, p];
}

function intersect(p: Span, q: Span): Span {
  if (!p || !q) return undefined;
  const lo = Math.max(p[0], q[0]);
  const hi = Math.min(p[1], q[1]);
  return lo <= hi ? [lo, hi] : undefined;
}

/** The x interval of the capsule (segment AB grown by r) on the line y = cy. */
function capsuleSpan(a: Point, b: Point, r: number, cy: number): Span {
  const discs = union(discSpan(a, r, cy), discSpan(b, r, cy));
  const dx = b[0] - a[0];
  const dy = b[1] - a[1];
  const length2 = dx * dx + dy * dy;
  if (length2 === 0) return discs;
  const ry = cy - a[1];
  // The band: the projection t = ((x−ax)·dx + ry·dy)/L² within [0, 1], and the distance to the line,
  // |(x−ax)·dy − ry·dx| / L, at most r.
  const along = linearSpan(dx, -a[0] * dx + ry * dy, 0, length2);
  const across = linearSpan(dy, -a[0] * dy - ry * dx, -r * Math.sqrt(length2), r * Math.sqrt(length2));
  return union(discs, intersect(along, across));
}
