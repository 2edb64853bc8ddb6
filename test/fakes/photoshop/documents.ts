/**
 * Documents, layers and the modal/history rules of the fake Photoshop. Anything that changes a document must
 * run inside core.executeAsModal (apiVersion 2), a plugin cannot enter it twice at once, and every change is a
 * history step unless history is suspended, in which case resumeHistory makes them one.
 */
import type { BoundsApi, DocumentApi, ExecutionContext, LayerApi } from '../../../plugin/host/photoshop-api';
import { FakeRuleError } from '../fake-rule-error';
import type { Raster, Rect } from './image-data';

export { FakeRuleError };

export class FakeLayer implements LayerApi {
  constructor(
    readonly id: number,
    readonly name: string,
    readonly kind: string,
    readonly isBackgroundLayer: boolean,
    readonly bounds: BoundsApi,
    /** RGBA pixels over `bounds` */
    readonly pixels: Raster,
    /** the user (pixel) mask, if any */
    public mask: Raster | undefined,
  ) {}
}

export class FakeDocument implements DocumentApi {
  /** the selection as a grey raster (255 = selected), or undefined when nothing is selected */
  selectionRaster: Raster | undefined;

  constructor(
    readonly id: number,
    readonly path: string,
    readonly layers: FakeLayer[],
    public activeLayerIds: number[],
    selection: Raster | undefined,
  ) {
    this.selectionRaster = selection;
  }

  get activeLayers(): FakeLayer[] {
    return this.layers.filter((layer) => this.activeLayerIds.includes(layer.id));
  }

  /** The Selection DOM (25.0): bounds null when nothing is selected. */
  get selection(): { readonly bounds: Rect | null } {
    return { bounds: this.selectionRaster ? { ...this.selectionRaster.bounds } : null };
  }

  layer(id: number): FakeLayer {
    const layer = this.layers.find((candidate) => candidate.id === id);
    if (!layer) throw new Error(`document ${this.id} has no layer ${id}`);
    return layer;
  }
}

/** One History panel entry. */
export interface HistoryStep {
  documentId: number;
  name: string;
}

interface Suspension {
  id: number;
  documentId: number;
  name: string;
  steps: number;
  /** reverts of the changes made while suspended, for resumeHistory(…, false) */
  reverts: Array<() => void>;
}

/** Modal state and history. */
export class Modality {
  readonly history: HistoryStep[] = [];
  /** commandName of each executeAsModal call */
  readonly modalCommands: string[] = [];
  private modal = false;
  private suspensions: Suspension[] = [];
  private nextSuspension = 1;

  async executeAsModal<T>(
    target: (context: ExecutionContext, descriptor?: object) => Promise<T>,
    options: { commandName: string; descriptor?: object },
  ): Promise<T> {
    if (this.modal) throw new FakeRuleError('executeAsModal while the plugin is already modal');
    if (!options.commandName) throw new FakeRuleError('executeAsModal needs a commandName');
    this.modal = true;
    this.modalCommands.push(options.commandName);
    let live = true;
    const alive = () => {
      if (!live) throw new FakeRuleError('the execution context was used after its executeAsModal ended');
    };
    const context: ExecutionContext = {
      isCancelled: false,
      onCancel: undefined,
      reportProgress: () => undefined,
      hostControl: {
        suspendHistory: async ({ documentID, name }) => (alive(), this.suspend(documentID, name)),
        resumeHistory: async ({ historySuspensionID, finalName }, commit = true) => {
          alive();
          this.resume(historySuspensionID, commit, finalName);
        },
        registerAutoCloseDocument: async () => alive(),
        unregisterAutoCloseDocument: async () => alive(),
      },
    };
    try {
      return await target(context, options.descriptor);
    } finally {
      live = false;
      this.modal = false;
      const open = this.suspensions.splice(0);
      if (open.length > 0) throw new FakeRuleError(`history of document ${open[0].documentId} was suspended and never resumed`);
    }
  }

  /** Records a document change (one step, or part of a suspended one); throws outside executeAsModal. */
  change(documentId: number, name: string, revert: () => void, what: string): void {
    if (!this.modal) throw new FakeRuleError(`${what} changes the document: call it inside core.executeAsModal`);
    const suspension = this.suspensions.find((candidate) => candidate.documentId === documentId);
    if (suspension) {
      suspension.steps++;
      suspension.reverts.push(revert);
    } else {
      this.history.push({ documentId, name });
    }
  }

  private suspend(documentId: number, name: string): { historySuspensionID: number } {
    if (this.suspensions.some((suspension) => suspension.documentId === documentId)) {
      throw new FakeRuleError(`history of document ${documentId} is already suspended`);
    }
    const suspension = { id: this.nextSuspension++, documentId, name, steps: 0, reverts: [] };
    this.suspensions.push(suspension);
    return { historySuspensionID: suspension.id };
  }

  private resume(id: number, commit: boolean, finalName?: string): void {
    const index = this.suspensions.findIndex((suspension) => suspension.id === id);
    if (index < 0) throw new FakeRuleError(`no suspended history with id ${id}`);
    const [suspension] = this.suspensions.splice(index, 1);
    if (!commit) {
      for (const revert of suspension.reverts.reverse()) revert();
    } else if (suspension.steps > 0) {
      this.history.push({ documentId: suspension.documentId, name: finalName ?? suspension.name });
    }
  }
}
