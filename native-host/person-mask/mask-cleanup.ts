/**
 * Connected components of a binary mask (4-connected), for cleaning a thresholded person mask: dropping
 * specks, filling holes, keeping the people a box touches.
 */
export interface Components {
  /** per pixel: 0 = not in the set, else the component's label (1…count) */
  labels: Int32Array;
  /** area of label i at index i (index 0 unused) */
  areas: number[];
}

/** Labels the pixels where `inSet(v)` holds, 4-connected, with an explicit stack (no recursion limit). */
export function components(mask: Uint8Array, width: number, height: number, inSet: (v: number) => boolean): Components {
  const labels = new Int32Array(width * height);
  const areas = [0];
  const stack: number[] = [];
  for (let start = 0; start < mask.length; start++) {
    if (labels[start] !== 0 || !inSet(mask[start])) continue;
    const label = areas.length;
    let area = 0;
    labels[start] = label;
    stack.push(start);
    while (stack.length > 0) {
      const i = stack.pop()!;
      area++;
      const x = i % width;
      const visit = (j: number) => {
        if (labels[j] === 0 && inSet(mask[j])) {
          labels[j] = label;
          stack.push(j);
        }
      };
      if (x > 0) visit(i - 1);
      if (x < width - 1) visit(i + 1);
      if (i >= width) visit(i - width);
      if (i < mask.length - width) visit(i + width);
    }
    areas.push(area);
  }
  return { labels, areas };
}

/**
 * Drops foreground components smaller than `minArea` and fills background components smaller than
 * `minArea` that do not touch the frame's edge (holes). Returns a new 0/255 mask.
 */
export function cleanMask(mask: Uint8Array, width: number, height: number, minArea: number): Uint8Array {
  const out = new Uint8Array(mask.length);
  const fg = components(mask, width, height, (v) => v !== 0);
  for (let i = 0; i < mask.length; i++) if (fg.labels[i] !== 0 && fg.areas[fg.labels[i]] >= minArea) out[i] = 255;
  const bg = components(out, width, height, (v) => v === 0);
  const onEdge = new Uint8Array(bg.areas.length);
  for (let x = 0; x < width; x++) {
    onEdge[bg.labels[x]] = 1;
    onEdge[bg.labels[(height - 1) * width + x]] = 1;
  }
  for (let y = 0; y < height; y++) {
    onEdge[bg.labels[y * width]] = 1;
    onEdge[bg.labels[y * width + width - 1]] = 1;
  }
  for (let i = 0; i < out.length; i++) {
    const l = bg.labels[i];
    if (l !== 0 && !onEdge[l] && bg.areas[l] < minArea) out[i] = 255;
  }
  return out;
}
