import { HostError } from '../errors';
import { components } from './mask-cleanup';
import { personMask, type PersonMaskOptions } from './person-mask';

/** Below this IoU between the propagated matte and the person under it, the matte has drifted. */
export const DEFAULT_RESEED_IOU = 0.7;
/** A person region belongs to the subject when this share of it lies under the matte. */
const MIN_REGION_OVERLAP = 0.1;
/** The matte's subject: alpha at or above this (the midpoint, as the person mask's threshold). */
const SUBJECT_ALPHA = 0.5;

export interface DriftGuardOptions {
  /** check every this many frames (frame 0 is the first mask itself and is never checked) */
  everyFrames: number;
  /** re-seed when IoU falls under this (default DEFAULT_RESEED_IOU) */
  minIou?: number;
  /** the segmenter (tests); as personMask's */
  segmenter?: PersonMaskOptions['segmenter'];
}

/** What one check found for one target. */
export type DriftCheck =
  /** the matte agrees with the person under it */
  | { kind: 'kept'; iou: number }
  /** it drifted: `mask` (the person regions under the matte, 0/255 at the frame size) replaces it */
  | { kind: 'reseed'; iou: number; mask: Uint8Array }
  /** no person overlaps the matte (subject left, or not a person): nothing to compare with, no change */
  | { kind: 'no-person' };

/**
 * The drift guard for live and long clips (`--reseed`): every N frames it compares each target's propagated
 * matte with a fresh person mask of the frame and, where they disagree, hands back the person mask as a
 * correction. Only the people under the matte count, so a subject picked among several stays that subject:
 * the guard re-seeds who is being tracked, it never switches to someone else.
 */
export class DriftGuard {
  private readonly minIou: number;

  constructor(private readonly options: DriftGuardOptions) {
    if (!(options.everyFrames >= 1)) throw new HostError('INVALID_ARGUMENT', `reseed interval must be at least one frame (got ${options.everyFrames})`);
    this.minIou = options.minIou ?? DEFAULT_RESEED_IOU;
  }

  /** Whether frame `index` (0-based in the run) is checked. */
  due(index: number): boolean {
    return index > 0 && index % this.options.everyFrames === 0;
  }

  /**
   * Compares the mattes (one per target, frame size, 0…1; the previous frame's, one frame old at most) with
   * the people on `frame`.
   */
  async check(frame: { data: Uint8Array; width: number; height: number }, mattes: Float32Array[], frameIndex: number): Promise<DriftCheck[]> {
    const { width, height } = frame;
    let people: Uint8Array;
    try {
      people = (await personMask(frame, { frameIndex, segmenter: this.options.segmenter })).mask;
    } catch (e) {
      if (e instanceof HostError && e.code === 'NO_PERSON') return mattes.map(() => ({ kind: 'no-person' as const }));
      throw e;
    }
    const { labels, areas } = components(people, width, height, (v) => v !== 0);
    return mattes.map((matte) => this.compare(matte, labels, areas));
  }

  private compare(matte: Float32Array, labels: Int32Array, areas: number[]): DriftCheck {
    const overlap = new Array<number>(areas.length).fill(0);
    for (let i = 0; i < matte.length; i++) if (matte[i] >= SUBJECT_ALPHA && labels[i]) overlap[labels[i]]++;
    const keep = new Set<number>();
    for (let l = 1; l < areas.length; l++) if (overlap[l] >= MIN_REGION_OVERLAP * areas[l]) keep.add(l);
    if (keep.size === 0) {
      // A matte that shrank to a sliver of its person still names that person.
      const best = overlap.reduce((b, o, l) => (o > overlap[b] ? l : b), 0);
      if (best === 0) return { kind: 'no-person' };
      keep.add(best);
    }
    let inter = 0;
    let union = 0;
    const mask = new Uint8Array(matte.length);
    for (let i = 0; i < matte.length; i++) {
      const person = keep.has(labels[i]);
      const subject = matte[i] >= SUBJECT_ALPHA;
      if (person) mask[i] = 255;
      if (person && subject) inter++;
      if (person || subject) union++;
    }
    const iou = union === 0 ? 1 : inter / union;
    return iou < this.minIou ? { kind: 'reseed', iou, mask } : { kind: 'kept', iou };
  }
}
