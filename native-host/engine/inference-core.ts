import * as ort from 'onnxruntime-node';
import { cropPadded, EngineFrame, imageTensor, maskTensor, Padding, paddingFor } from './frame-tensors';
import { disposeDeviceTensors } from './device-outputs';
import { GraphRunner, StaleDeviceFeeds } from './graph-runner';
import { LongTermMemory } from './memory/long-term-memory';
import type { MemoryFrame, MemoryStore, MemoryStoreState } from './memory/memory-store';
import { WorkingMemory } from './memory/working-memory';
import type { EngineSnapshot } from './snapshot';
import { OBJ_MEMORY_SIZE, TargetState } from './target-state';

/** The official inference settings (config/eval_matanyone_config.yaml, inference_matanyone.py). */
export interface CoreOptions {
  /** n_warmup: extra first-frame predictions before frame 0's output (official script: 10) */
  warmup: number;
  /** mem_every: write memory every this many frames */
  memEvery: number;
  /** max_mem_frames: the permanent frame plus max_mem_frames − 1 temporary frames */
  maxMemFrames: number;
  /** use_long_term: consolidate old memory into long-term prototypes (spec §3.9) instead of a FIFO */
  longTerm?: boolean;
  /**
   * Similarity entries (query × memory tokens) per memory_readout call; the query tokens are read in chunks
   * above this, so that the memory read's N·Q term never materialises whole (default 2²⁴: 64 MiB a matrix)
   */
  maxSimilarityEntries?: number;
}

export const OFFICIAL_OPTIONS: CoreOptions = { warmup: 10, memEvery: 5, maxMemFrames: 5 };

/**
 * Similarity entries per memory_readout call by default; query tokens are chunked above this. 4K: Q = 32400
 * tokens a frame, N = 5 frames' worth, N·Q ≈ 5e9 entries (20 GB a float32 matrix) unchunked; 2²⁴ keeps each
 * of the read's N·Q intermediates at 64 MiB.
 */
const MAX_SIMILARITY_ENTRIES = 1 << 24;

/** What encode_frame gives for one frame (`[1,C,…]` float32). */
interface FrameFeatures {
  /** the decoder's skip features: in device memory on WebGPU (device-outputs.ts), computed again after a fallback */
  f8: ort.Tensor;
  f4: ort.Tensor;
  f2: ort.Tensor;
  /** the runner's generation they were computed in */
  generation: number;
  pixFeat: Float32Array;
  key: Float32Array;
  shrinkage: Float32Array;
  selection: Float32Array;
}

/**
 * MatAnyone's inference procedure (spec §3.10) over the graphs of a converted model: frame in, one alpha per
 * target out. Owns all recurrent state (per target: memory, sensory, object memory, previous frame). Each
 * frame is encoded once and shared by all targets; targets never see each other, so each target's alpha
 * equals its single-target run.
 */
export class InferenceCore {
  private pad?: Padding;
  private targets: TargetState[] = [];
  /** curr_ti: 0 for the first frame, +1 per step */
  private frameIndex = -1;

  constructor(
    private readonly runner: GraphRunner,
    private readonly options: CoreOptions = OFFICIAL_OPTIONS,
  ) {}

  get currentFrame(): number {
    return this.frameIndex;
  }

  get targetCount(): number {
    return this.targets.length;
  }

  /**
   * Frame 0 with one 0…255 mask (frame size, already dilated/eroded) per target: encodes each mask into
   * memory, runs warmup + 1 first-frame predictions (spec §3.7) and returns frame 0's alphas.
   */
  async start(frame: EngineFrame, masks: Uint8Array[]): Promise<Float32Array[]> {
    if (masks.length === 0) throw new Error('start needs at least one mask');
    const pad = paddingFor(frame.width, frame.height);
    this.pad = pad;
    const image = this.imageInput(frame);
    const features = await this.encodeFrame(image);
    const tokens = (pad.H / 16) * (pad.W / 16);
    this.targets = masks.map((mask) => {
      const lastMask = maskTensor(mask, pad);
      return {
        sensory: new Float32Array(256 * tokens),
        objMemory: new Float32Array(OBJ_MEMORY_SIZE),
        lastMaskValue: new Float32Array(256 * tokens),
        lastMask,
        lastPixFeat: features.pixFeat,
        memory: this.newMemory(tokens),
        lastMemoryFrame: 0,
      };
    });
    for (const t of this.targets) await this.writeMemory(t, image, features, t.lastMask, { reset: true });
    for (let i = 0; i <= this.options.warmup; i++) {
      for (const t of this.targets) {
        const alpha = await this.predict(t, image, features, { firstFrame: true });
        await this.writeMemory(t, image, features, alpha, { reset: true });
        t.lastMask = alpha;
      }
    }
    this.frameIndex = 0;
    for (const t of this.targets) t.lastMemoryFrame = 0;
    disposeDeviceTensors(features.f8, features.f4, features.f2);
    return this.targets.map((t) => cropPadded(t.lastMask, pad));
  }

  /**
   * The next frame: memory read, fusion, decode; memory write every mem_every frames (spec §3.5, §3.10).
   *
   * @param corrections - target index → a corrected 0…255 mask for this frame (dilated/eroded as the first
   *   one). A corrected target takes the mask as its alpha and writes it into memory as a permanent frame,
   *   as the first frame's mask was (official `step(image, mask, force_permanent=True)`, no prediction);
   *   the other targets step as usual.
   * @param options.refine - a corrected target is then predicted on this frame from the memory that now
   *   holds the mask, and returns that matte instead of the binary mask: a re-seed (drift guard) thus
   *   changes the subject without a hard-edged frame in the output
   */
  async step(frame: EngineFrame, corrections?: ReadonlyMap<number, Uint8Array>, options: { refine?: boolean } = {}): Promise<Float32Array[]> {
    const pad = this.requirePadding(frame);
    for (const i of corrections?.keys() ?? []) if (!this.targets[i]) throw new Error(`no target ${i} to correct`);
    this.frameIndex++;
    const image = this.imageInput(frame);
    const features = await this.encodeFrame(image);
    const alphas: Float32Array[] = [];
    for (const [i, t] of this.targets.entries()) {
      const corrected = corrections?.get(i);
      if (corrected) {
        const mask = maskTensor(corrected, pad);
        await this.writeMemory(t, image, features, mask, { reset: false, permanent: true });
        t.lastMemoryFrame = this.frameIndex;
        t.lastMask = mask;
        t.lastPixFeat = features.pixFeat;
        if (options.refine) t.lastMask = await this.predict(t, image, features, { firstFrame: false });
        alphas.push(cropPadded(t.lastMask, pad));
        continue;
      }
      const alpha = await this.predict(t, image, features, { firstFrame: false });
      if (this.frameIndex - t.lastMemoryFrame >= this.options.memEvery) {
        await this.writeMemory(t, image, features, alpha, { reset: false });
        t.lastMemoryFrame = this.frameIndex;
      } else {
        t.lastMaskValue = await this.maskValue(image, features, alpha);
      }
      t.lastMask = alpha;
      t.lastPixFeat = features.pixFeat;
      alphas.push(cropPadded(alpha, pad));
    }
    disposeDeviceTensors(features.f8, features.f4, features.f2);
    return alphas;
  }

  /** A copy of the whole state after the last frame processed (see snapshot.ts). */
  snapshot(): EngineSnapshot {
    const pad = this.pad;
    if (!pad) throw new Error('snapshot before start');
    return {
      width: pad.width,
      height: pad.height,
      frameIndex: this.frameIndex,
      targets: this.targets.map((t) => ({
        lastMemoryFrame: t.lastMemoryFrame,
        sensory: t.sensory.slice(),
        objMemory: t.objMemory.slice(),
        lastMaskValue: t.lastMaskValue.slice(),
        lastMask: t.lastMask.slice(),
        lastPixFeat: t.lastPixFeat.slice(),
        memory: copyMemoryState(t.memory.state()),
      })),
    };
  }

  /** Continues from a snapshot: the next `step` is the frame after `s.frameIndex`. */
  async restore(s: EngineSnapshot): Promise<void> {
    const pad = paddingFor(s.width, s.height);
    const tokens = (pad.H / 16) * (pad.W / 16);
    const targets: TargetState[] = [];
    for (const t of s.targets) {
      if (t.sensory.length !== 256 * tokens || t.lastMask.length !== pad.H * pad.W) throw new Error('snapshot does not match its frame size');
      if (Boolean(t.memory.longTerm) !== Boolean(this.options.longTerm)) throw new Error('snapshot was taken with another long-term memory setting');
      const state = copyMemoryState(t.memory);
      const memory = this.newMemory(tokens);
      for (const [i, f] of state.frames.entries()) await memory.add(f, { permanent: i < state.permanentCount });
      if (state.longTerm && memory instanceof LongTermMemory) memory.restoreLongTerm(state.longTerm);
      targets.push({
        sensory: t.sensory.slice(),
        objMemory: t.objMemory.slice(),
        lastMaskValue: t.lastMaskValue.slice(),
        lastMask: t.lastMask.slice(),
        lastPixFeat: t.lastPixFeat.slice(),
        memory,
        lastMemoryFrame: t.lastMemoryFrame,
      });
    }
    this.pad = pad;
    this.frameIndex = s.frameIndex;
    this.targets = targets;
  }

  private newMemory(tokens: number): MemoryStore {
    if (!this.options.longTerm) return new WorkingMemory(tokens, this.options.maxMemFrames - 1);
    return new LongTermMemory(tokens, async (candidates, prototypeKey, prototypeSelection) => {
      const p = prototypeKey.length / 64;
      const out = await this.runner.run('memory_consolidate', {
        cand_key: new ort.Tensor('float32', candidates.key, [1, 64, candidates.tokens]),
        cand_shrinkage: new ort.Tensor('float32', candidates.shrinkage, [1, 1, candidates.tokens]),
        cand_value: new ort.Tensor('float32', candidates.value, [1, 256, candidates.tokens]),
        proto_key: new ort.Tensor('float32', prototypeKey, [1, 64, p]),
        proto_selection: new ort.Tensor('float32', prototypeSelection, [1, 64, p]),
      });
      return { value: out.proto_value.data as Float32Array, shrinkage: out.proto_shrinkage.data as Float32Array };
    });
  }

  private requirePadding(frame: EngineFrame): Padding {
    const pad = this.pad;
    if (!pad) throw new Error('step before start');
    if (frame.width !== pad.width || frame.height !== pad.height)
      throw new Error(`frame size ${frame.width}×${frame.height} differs from the first frame's ${pad.width}×${pad.height}`);
    return pad;
  }

  private dims(channels: number): number[] {
    const { H, W } = this.pad!;
    return [1, channels, H / 16, W / 16];
  }

  private imageInput(frame: EngineFrame): ort.Tensor {
    const pad = this.pad!;
    return new ort.Tensor('float32', imageTensor(frame, pad), [1, 3, pad.H, pad.W]);
  }

  private fullRes(data: Float32Array): ort.Tensor {
    return new ort.Tensor('float32', data, [1, 1, this.pad!.H, this.pad!.W]);
  }

  private tokens(data: Float32Array, channels: number): ort.Tensor {
    return new ort.Tensor('float32', data, this.dims(channels));
  }

  private async encodeFrame(image: ort.Tensor): Promise<FrameFeatures> {
    const out = await this.runner.run('encode_frame', { image });
    disposeDeviceTensors(out.f16); // the memory-less stride-16 feature: not used at inference
    return {
      f8: out.f8,
      f4: out.f4,
      f2: out.f2,
      generation: this.runner.generation ?? 0,
      pixFeat: out.pix_feat.data as Float32Array,
      key: out.key.data as Float32Array,
      shrinkage: out.shrinkage.data as Float32Array,
      selection: out.selection.data as Float32Array,
    };
  }

  /** One alpha for `t` (padded `[H,W]`); updates its sensory with the decoder's (update_sensory). */
  private async predict(t: TargetState, image: ort.Tensor, f: FrameFeatures, { firstFrame }: { firstFrame: boolean }): Promise<Float32Array> {
    // First-frame predictions skip the memory read and the change head (spec §3.6): `use_memory` false
    // selects last_msk_value in-graph; the other inputs are then placeholders.
    const visual = firstFrame ? t.lastMaskValue : await this.readMemory(t, f);
    for (;;) {
      // The skip features left on a provider that has failed since are computed again on the current one.
      if (f.generation !== (this.runner.generation ?? 0)) await this.recomputeSkipFeatures(image, f);
      const readout = await this.runner.run('readout', {
        pix_feat: this.tokens(f.pixFeat, 256),
        last_pix_feat: this.tokens(firstFrame ? f.pixFeat : t.lastPixFeat, 256),
        last_mask: this.fullRes(t.lastMask),
        visual_readout: this.tokens(visual, 256),
        last_msk_value: this.tokens(t.lastMaskValue, 256),
        sensory: this.tokens(t.sensory, 256),
        obj_memory: new ort.Tensor('float32', t.objMemory, [1, 16, 257]),
        use_memory: new ort.Tensor('bool', Uint8Array.of(firstFrame ? 0 : 1), []),
      });
      disposeDeviceTensors(readout.pixel_readout, readout.uncert_logits, readout.uncert_prob);
      let decoded: Record<string, ort.Tensor>;
      try {
        decoded = await this.runner.run('decode', { image, f8: f.f8, f4: f.f4, f2: f.f2, mem_readout: readout.mem_readout, sensory: this.tokens(t.sensory, 256) });
      } catch (e) {
        if (e instanceof StaleDeviceFeeds) continue; // the provider failed in decode: readout and decode again
        throw e;
      } finally {
        disposeDeviceTensors(readout.mem_readout);
      }
      disposeDeviceTensors(decoded.logits);
      t.sensory = decoded.new_sensory.data as Float32Array;
      return decoded.alpha.data as Float32Array;
    }
  }

  /** encode_frame again, for the decoder's skip features only (the host features are kept as they were). */
  private async recomputeSkipFeatures(image: ort.Tensor, f: FrameFeatures): Promise<void> {
    disposeDeviceTensors(f.f8, f.f4, f.f2);
    const fresh = await this.encodeFrame(image);
    Object.assign(f, { f8: fresh.f8, f4: fresh.f4, f2: fresh.f2, generation: fresh.generation });
  }

  /** Top-k memory readout V_mem `[256,HW]`, in query chunks that bound the similarity matrix. */
  private async readMemory(t: TargetState, f: FrameFeatures): Promise<Float32Array> {
    const bank = t.memory.bank();
    const hw = t.memory.tokensPerFrame;
    const memory = {
      mem_key: new ort.Tensor('float32', bank.key, [1, 64, bank.tokens]),
      mem_shrinkage: new ort.Tensor('float32', bank.shrinkage, [1, 1, bank.tokens]),
      mem_value: new ort.Tensor('float32', bank.value, [1, 256, bank.tokens]),
    };
    const chunk = Math.max(1, Math.min(hw, Math.floor((this.options.maxSimilarityEntries ?? MAX_SIMILARITY_ENTRIES) / bank.tokens)));
    const readout = chunk === hw ? undefined : new Float32Array(256 * hw);
    const usage = t.memory.tracksUsage ? new Float32Array(bank.tokens) : undefined;
    for (let start = 0; start < hw; start += chunk) {
      const q = Math.min(chunk, hw - start);
      const out = await this.runner.run('memory_readout', {
        query_key: this.queryTokens(f.key, 64, start, q),
        query_selection: this.queryTokens(f.selection, 64, start, q),
        ...memory,
      });
      const part = out.visual_readout.data as Float32Array;
      if (usage) (out.usage.data as Float32Array).forEach((u, i) => (usage[i] += u));
      if (!readout) {
        if (usage) t.memory.recordUsage(usage);
        return part;
      }
      for (let c = 0; c < 256; c++) readout.set(part.subarray(c * q, (c + 1) * q), c * hw + start);
    }
    if (usage) t.memory.recordUsage(usage);
    return readout!;
  }

  /** Query tokens [start, start+count) of a channel-major `[C,HW]` map as `[1,C,count]`. */
  private queryTokens(map: Float32Array, channels: number, start: number, count: number): ort.Tensor {
    const hw = map.length / channels;
    if (start === 0 && count === hw) return new ort.Tensor('float32', map, [1, channels, hw]);
    const out = new Float32Array(channels * count);
    for (let c = 0; c < channels; c++) out.set(map.subarray(c * hw + start, c * hw + start + count), c * count);
    return new ort.Tensor('float32', out, [1, channels, count]);
  }

  /**
   * _add_memory (spec §3.4): encode the alpha with the deep sensory update, append key/shrinkage/value, add
   * the object summaries to the running sum. `reset` clears working and object memory first (first-frame
   * predictions), never the sensory.
   */
  private async writeMemory(
    t: TargetState,
    image: ort.Tensor,
    f: FrameFeatures,
    alpha: Float32Array,
    { reset, permanent = false }: { reset: boolean; permanent?: boolean },
  ): Promise<void> {
    const out = await this.runner.run('encode_mask', {
      image,
      pix_feat: this.tokens(f.pixFeat, 256),
      sensory: this.tokens(t.sensory, 256),
      mask: this.fullRes(alpha),
    });
    const value = out.mask_value.data as Float32Array;
    const summary = out.obj_summary.data as Float32Array;
    if (reset) {
      t.memory.clear();
      t.objMemory = Float32Array.from(summary);
    } else {
      for (let i = 0; i < OBJ_MEMORY_SIZE; i++) t.objMemory[i] += summary[i]; // float32 sums, as torch
    }
    await t.memory.add({ key: f.key, shrinkage: f.shrinkage, value, ...(t.memory.tracksUsage ? { selection: f.selection } : {}) }, { permanent });
    t.sensory = out.new_sensory.data as Float32Array;
    t.lastMaskValue = value;
  }

  /** Mask value of a non-memory frame's alpha (no deep update, summaries discarded; spec §3.3 step 9). */
  private async maskValue(image: ort.Tensor, f: FrameFeatures, alpha: Float32Array): Promise<Float32Array> {
    const out = await this.runner.run('encode_mask_value', { image, pix_feat: this.tokens(f.pixFeat, 256), mask: this.fullRes(alpha) });
    return out.mask_value.data as Float32Array;
  }
}

/** A deep copy of a memory state (snapshots never share arrays with a live engine). */
function copyMemoryState(m: MemoryStoreState): MemoryStoreState {
  const copyFrame = (f: MemoryFrame): MemoryFrame => ({
    key: f.key.slice(),
    shrinkage: f.shrinkage.slice(),
    value: f.value.slice(),
    ...(f.selection ? { selection: f.selection.slice() } : {}),
    ...(f.useCount ? { useCount: f.useCount.slice() } : {}),
    ...(f.lifeCount ? { lifeCount: f.lifeCount.slice() } : {}),
  });
  const lt = m.longTerm;
  return {
    frames: m.frames.map(copyFrame),
    permanentCount: m.permanentCount,
    ...(lt
      ? { longTerm: { key: lt.key.slice(), shrinkage: lt.shrinkage.slice(), value: lt.value.slice(), useCount: lt.useCount.slice(), lifeCount: lt.lifeCount.slice(), tokens: lt.tokens } }
      : {}),
  };
}
