/** The project panel: bins and clips of media files. */
import type {
  ClipProjectItemApi,
  FolderItemApi,
  FootageInterpretationApi,
  ProjectItemApi,
} from '../../../plugin/host/premiere-api';
import type { Engine } from './engine';
import type { Rate } from './values';

/** The fake's ProjectItem.TYPE_* values (Premiere's own numbers are not documented). */
export const ITEM_TYPE = { CLIP: 1, BIN: 2, ROOT: 3, FILE: 4 } as const;

/** A media file as the fake knows it. */
export interface MediaInfo {
  path: string;
  rate: Rate;
  /** what FootageInterpretation.getFrameRate() returns (a float; 0 for a still) */
  reportedFps: number;
  /** length in frames at `rate` */
  frames: number;
  nested?: boolean;
  multicam?: boolean;
  merged?: boolean;
  offline?: boolean;
}

export class FakeProjectItem implements ProjectItemApi {
  constructor(
    public name: string,
    readonly type: number,
  ) {}
}

export class FakeClipItem extends FakeProjectItem implements ClipProjectItemApi {
  constructor(
    readonly media: MediaInfo,
    private readonly allClips: () => FakeClipItem[],
  ) {
    super(media.path.split(/[\\/]/).pop() ?? media.path, ITEM_TYPE.CLIP);
  }

  async isSequence(): Promise<boolean> {
    return this.media.nested ?? false;
  }

  async isMulticamClip(): Promise<boolean> {
    return this.media.multicam ?? false;
  }

  async isMergedClip(): Promise<boolean> {
    return this.media.merged ?? false;
  }

  async isOffline(): Promise<boolean> {
    return this.media.offline ?? false;
  }

  async getMediaFilePath(): Promise<string> {
    return this.media.path;
  }

  async getFootageInterpretation(): Promise<FootageInterpretationApi> {
    return { getFrameRate: () => this.media.reportedFps };
  }

  /** "Returns array of project's items with media paths containing match string" (types): a substring match. */
  async findItemsMatchingMediaPath(matchString: string): Promise<ProjectItemApi[]> {
    return this.allClips().filter((clip) => clip.media.path.includes(matchString));
  }
}

export class FakeFolderItem extends FakeProjectItem implements FolderItemApi {
  readonly items: FakeProjectItem[] = [];

  constructor(
    private readonly engine: Engine,
    name: string,
    type: number = ITEM_TYPE.BIN,
  ) {
    super(name, type);
  }

  async getItems(): Promise<ProjectItemApi[]> {
    return [...this.items];
  }

  createBinAction(name: string, makeUnique: boolean): ReturnType<FolderItemApi['createBinAction']> {
    return this.engine.createAction({ kind: 'createBin', parent: this.name, name }, () => {
      let unique = name;
      for (let n = 1; makeUnique && this.items.some((item) => item.name === unique); n++) unique = `${name} ${n}`;
      const bin = new FakeFolderItem(this.engine, unique);
      this.items.push(bin);
      return () => void this.items.splice(this.items.indexOf(bin), 1);
    });
  }

  /** Every clip item in this bin and the bins inside it. */
  clips(): FakeClipItem[] {
    return this.items.flatMap((item) =>
      item instanceof FakeFolderItem ? item.clips() : item instanceof FakeClipItem ? [item] : [],
    );
  }
}
