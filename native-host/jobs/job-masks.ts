import type { ProcessingSize } from '../matte/processing-size';
import type { CorrectionRecord } from './job-store';
import type { JobFolder } from './job-folder';
import { jobSettings, type StoredMask, type StoredRequest } from './job-request';
import { decodeFrame } from '../person-mask/frame-person-mask';
import { maskFromInput } from './mask-input';

/**
 * The engine's masks for one job: every mask, first-frame or corrected, goes the official way (spec §3.1
 * step 4): grey at the source size, dilate then erode there, then the legacy-nearest resize to the
 * processing size. Corrections are prepared when their frame comes.
 */
export class JobMasks {
  private readonly byFrame = new Map<number, CorrectionRecord[]>();

  constructor(
    private readonly request: StoredRequest,
    private readonly folder: JobFolder,
    corrections: CorrectionRecord[],
    private readonly size: ProcessingSize,
  ) {
    for (const c of corrections) this.byFrame.set(c.frame, [...(this.byFrame.get(c.frame) ?? []), c]);
  }

  /** The masks to start the engine with at the range's first frame: a correction there replaces the target's mask. */
  async start(firstFrame: number): Promise<Uint8Array[]> {
    const corrected = await this.at(firstFrame);
    return Promise.all(
      this.request.targets.map(async (t, i) => corrected?.get(i) ?? this.prepare(await this.load(t.mask))),
    );
  }

  /** Target index → prepared mask, for the corrections recorded at `frame`; undefined when there are none. */
  async at(frame: number): Promise<Map<number, Uint8Array> | undefined> {
    const corrections = this.byFrame.get(frame);
    if (!corrections) return undefined;
    const masks = new Map<number, Uint8Array>();
    for (const c of corrections)
      masks.set(c.target, this.prepare(await this.load({ kind: 'file', file: c.maskFile, label: `the correction at frame ${frame}` })));
    return masks;
  }

  /** A stored mask at the source size; how one of another size was mapped goes to the job's log. */
  private async load(mask: StoredMask): Promise<Uint8Array> {
    const notices: string[] = [];
    // An auto mask is for the range's first frame: decoded here, once, only when one is asked for.
    const frame = () => decodeFrame(this.request.media, this.request.range?.from ?? 0, this.request.frameRate);
    const grey = await maskFromInput(mask, this.size.source, { dir: this.folder.dir, frame, onNotice: (line) => notices.push(line) });
    for (const line of notices) await this.folder.log(line);
    return grey;
  }

  private prepare(grey: Uint8Array): Uint8Array {
    const { dilate, erode } = jobSettings(this.request);
    return this.size.prepareMask(grey, { dilate, erode });
  }
}
