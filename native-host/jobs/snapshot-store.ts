import { promises as fs } from 'fs';
import * as path from 'path';
import { writeFileAtomic } from './job-folder';

const NAME = /^frame-(\d{6,})\.snap$/;
const fileName = (frame: number) => `frame-${String(frame).padStart(6, '0')}.snap`;

/**
 * Engine snapshots of one job, one file per source frame (`frame-000120.snap`: the state after frame 120).
 * After each committed frame its snapshot is written and the previous one removed, unless it is a kept
 * one: the range's first frame and every `keepEvery`-th after it, which corrections restart from. So the
 * folder holds the kept snapshots plus the newest, whatever the clip's length.
 *
 * @remarks Named by frame rather than one rolling `latest.snap`: the newest is found by listing, a kept
 *   frame is never written twice, and "which snapshots are at or after frame k" needs no decoding.
 */
export class SnapshotStore {
  constructor(
    private readonly dir: string,
    private readonly firstFrame: number,
    private readonly keepEvery: number,
  ) {}

  isKept(frame: number): boolean {
    return (frame - this.firstFrame) % this.keepEvery === 0;
  }

  /** Source frames that have a snapshot, ascending. */
  async frames(): Promise<number[]> {
    const names = await fs.readdir(this.dir).catch(() => [] as string[]);
    return names
      .map((n) => NAME.exec(n))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => Number(m[1]))
      .sort((a, b) => a - b);
  }

  read(frame: number): Promise<Buffer> {
    return fs.readFile(path.join(this.dir, fileName(frame)));
  }

  write(frame: number, bytes: Uint8Array): Promise<void> {
    return writeFileAtomic(path.join(this.dir, fileName(frame)), bytes);
  }

  async remove(frame: number): Promise<void> {
    await fs.rm(path.join(this.dir, fileName(frame)), { force: true });
  }

  /** Frame `frame` is committed: the snapshots before it go, but the kept ones. */
  async committed(frame: number): Promise<void> {
    for (const f of await this.frames()) if (f < frame && !this.isKept(f)) await this.remove(f);
  }

  /**
   * Removes the snapshots of frames ≥ `frame` (not committed, or from before a correction at `frame`),
   * any other non-kept ones but the newest, and files left half-written by a crash.
   */
  async prune(frame: number): Promise<void> {
    const frames = await this.frames();
    const valid = frames.filter((f) => f < frame);
    const newest = valid[valid.length - 1];
    for (const f of frames) if (f >= frame || (f !== newest && !this.isKept(f))) await this.remove(f);
    const names = await fs.readdir(this.dir).catch(() => [] as string[]);
    for (const n of names) if (n.endsWith('.partial')) await fs.rm(path.join(this.dir, n), { force: true });
  }
}
