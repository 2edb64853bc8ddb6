/**
 * Generates the MatAnyone state-dict layout (single-object build) module by module, in state-dict order,
 * mirroring matanyone-spec.md Appendix A. Shapes are PyTorch's: `[out, in, kh, kw]` for convs, `[out, in]`
 * for linears.
 */

/** value / sensory / object-transformer width (`model.value_dim`, `sensory_dim`, `embed_dim`) */
const HIDDEN = 256;
/** `model.key_dim` */
const KEY_DIM = 64;
/** object queries (`num_queries`) */
const QUERIES = 16;
/** `object_transformer.ff_dim` */
const FFN_DIM = 2048;
/** sine positional encoding frequencies (`inv_freq` buffers) */
const PE_FREQUENCIES = 64;
/** mask-encoder stem input: RGB + mask (a 5th "others" channel in the multi-object build) */
export const MASK_STEM_CHANNELS = 4;
/** sensory_compress input: sensory 256 + mask logit (+1 "others" channel in the multi-object build) */
export const SENSORY_COMPRESS_CHANNELS = HIDDEN + 1;

class LayoutBuilder {
  readonly entries: Array<[string, number[]]> = [];

  tensor(name: string, shape: number[]): void {
    this.entries.push([name, shape]);
  }
  conv(name: string, out: number, inC: number, kernel: number, bias: boolean): void {
    this.tensor(`${name}.weight`, [out, inC, kernel, kernel]);
    if (bias) this.tensor(`${name}.bias`, [out]);
  }
  linear(name: string, out: number, inC: number): void {
    this.tensor(`${name}.weight`, [out, inC]);
    this.tensor(`${name}.bias`, [out]);
  }
  /** running stats plus the int64 `num_batches_tracked` counter */
  batchNorm(name: string, channels: number): void {
    for (const p of ['weight', 'bias', 'running_mean', 'running_var']) this.tensor(`${name}.${p}`, [channels]);
    this.tensor(`${name}.num_batches_tracked`, []);
  }
  layerNorm(name: string, channels: number): void {
    this.tensor(`${name}.weight`, [channels]);
    this.tensor(`${name}.bias`, [channels]);
  }
  /** nn.MultiheadAttention with packed q/k/v projections */
  attention(name: string): void {
    this.tensor(`${name}.in_proj_weight`, [3 * HIDDEN, HIDDEN]);
    this.tensor(`${name}.in_proj_bias`, [3 * HIDDEN]);
    this.linear(`${name}.out_proj`, HIDDEN, HIDDEN);
  }
  /** efficient channel attention: a bias-free 1-D conv of width 5 */
  channelAttention(name: string): void {
    this.tensor(`${name}.weight`, [1, 1, 5]);
  }
  /** channel-attention residual block (CAResBlock): two 3x3 convs and the channel attention */
  caResBlock(name: string, channels: number): void {
    this.conv(`${name}.conv1`, channels, channels, 3, true);
    this.conv(`${name}.conv2`, channels, channels, 3, true);
    this.channelAttention(`${name}.conv`);
  }
  /** feature-fusion block (GroupFeatureFusionBlock): distributor 1x1 transforms then two CAResBlocks */
  fuser(name: string): void {
    this.conv(`${name}.distributor.x_transform`, HIDDEN, HIDDEN, 1, true);
    this.conv(`${name}.distributor.g_transform`, HIDDEN, HIDDEN, 1, true);
    this.caResBlock(`${name}.block1`, HIDDEN);
    this.caResBlock(`${name}.block2`, HIDDEN);
  }
}

/** ResNet-50 trunk to layer3 (bottlenecks; the first stage is named `res2`). */
function pixelEncoder(b: LayoutBuilder): void {
  const p = 'pixel_encoder';
  b.conv(`${p}.conv1`, 64, 3, 7, false);
  b.batchNorm(`${p}.bn1`, 64);
  let inC = 64;
  for (const [stage, width, blocks] of [['res2', 64, 3], ['layer2', 128, 4], ['layer3', 256, 6]] as const) {
    const out = width * 4;
    for (let i = 0; i < blocks; i++) {
      const q = `${p}.${stage}.${i}`;
      const blockIn = i === 0 ? inC : out;
      b.conv(`${q}.conv1`, width, blockIn, 1, false);
      b.batchNorm(`${q}.bn1`, width);
      b.conv(`${q}.conv2`, width, width, 3, false);
      b.batchNorm(`${q}.bn2`, width);
      b.conv(`${q}.conv3`, out, width, 1, false);
      b.batchNorm(`${q}.bn3`, out);
      if (i === 0) {
        b.conv(`${q}.downsample.0`, out, blockIn, 1, false);
        b.batchNorm(`${q}.downsample.1`, out);
      }
    }
    inC = out;
  }
}

function keyProjection(b: LayoutBuilder): void {
  b.conv('pix_feat_proj', HIDDEN, 1024, 1, true);
  b.conv('key_proj.pix_feat_proj', HIDDEN, 1024, 1, true);
  b.conv('key_proj.key_proj', KEY_DIM, HIDDEN, 3, true);
  b.conv('key_proj.d_proj', 1, HIDDEN, 3, true); // shrinkage
  b.conv('key_proj.e_proj', KEY_DIM, HIDDEN, 3, true); // selection
}

/** ResNet-18 trunk to layer3 (basic blocks) with a 4-channel stem, then the fuser and sensory update. */
function maskEncoder(b: LayoutBuilder): void {
  const p = 'mask_encoder';
  b.conv(`${p}.conv1`, 64, MASK_STEM_CHANNELS, 7, false);
  b.batchNorm(`${p}.bn1`, 64);
  let inC = 64;
  for (const [stage, out] of [['layer1', 64], ['layer2', 128], ['layer3', 256]] as const) {
    for (let i = 0; i < 2; i++) {
      const q = `${p}.${stage}.${i}`;
      const blockIn = i === 0 ? inC : out;
      b.conv(`${q}.conv1`, out, blockIn, 3, false);
      b.batchNorm(`${q}.bn1`, out);
      b.conv(`${q}.conv2`, out, out, 3, false);
      b.batchNorm(`${q}.bn2`, out);
      if (blockIn !== out) {
        b.conv(`${q}.downsample.0`, out, blockIn, 1, false);
        b.batchNorm(`${q}.downsample.1`, out);
      }
    }
    inC = out;
  }
  b.fuser(`${p}.fuser`);
  b.conv(`${p}.sensory_update.transform`, 3 * HIDDEN, 2 * HIDDEN, 3, true);
}

function maskDecoder(b: LayoutBuilder): void {
  const p = 'mask_decoder';
  const s = `${p}.sensory_update`;
  for (const [scale, inC] of [[16, 256], [8, 128], [4, 128], [2, 64], [1, 17]] as const) {
    b.conv(`${s}.g${scale}_conv`, HIDDEN, inC, 1, true);
  }
  b.conv(`${s}.transform`, 3 * HIDDEN, 2 * HIDDEN, 3, true);
  const transforms: ReadonlyArray<readonly [number, number]> = [[256, 512], [128, 256], [128, 64], [64, 3]];
  transforms.forEach(([out, inC], i) => b.conv(`${p}.decoder_feat_proc.transforms.${i}`, out, inC, 1, true));
  for (const [stage, inC, out] of [['up_16_8', 256, 128], ['up_8_4', 128, 128], ['up_4_2', 128, 64], ['up_2_1', 64, 16]] as const) {
    const q = `${p}.${stage}.out_conv`;
    if (inC !== out) b.conv(`${q}.downsample`, out, inC, 1, true);
    b.conv(`${q}.conv1`, out, inC, 3, true);
    b.conv(`${q}.conv2`, out, out, 3, true);
  }
  b.conv(`${p}.pred_seg`, 1, 16, 3, true);
  b.conv(`${p}.pred_mat`, 1, 16, 3, true);
}

function pixelFuser(b: LayoutBuilder): void {
  b.fuser('pixel_fuser.fuser');
  b.conv('pixel_fuser.sensory_compress', HIDDEN, SENSORY_COMPRESS_CHANNELS, 1, true);
}

function objectTransformer(b: LayoutBuilder): void {
  const p = 'object_transformer';
  b.tensor(`${p}.query_init.weight`, [QUERIES, HIDDEN]);
  b.tensor(`${p}.query_emb.weight`, [QUERIES, HIDDEN]);
  b.linear(`${p}.summary_to_query_init`, HIDDEN, HIDDEN);
  b.linear(`${p}.summary_to_query_emb`, HIDDEN, HIDDEN);
  b.conv(`${p}.pixel_init_proj`, HIDDEN, HIDDEN, 1, true);
  b.conv(`${p}.pixel_emb_proj`, HIDDEN, HIDDEN, 1, true);
  b.tensor(`${p}.spatial_pe.inv_freq`, [PE_FREQUENCIES]);
  for (let i = 0; i < 3; i++) {
    const q = `${p}.blocks.${i}`;
    b.attention(`${q}.read_from_pixel.cross_attn`);
    b.layerNorm(`${q}.read_from_pixel.norm`, HIDDEN);
    b.attention(`${q}.self_attn.self_attn`);
    b.layerNorm(`${q}.self_attn.norm`, HIDDEN);
    b.linear(`${q}.ffn.linear1`, FFN_DIM, HIDDEN);
    b.linear(`${q}.ffn.linear2`, HIDDEN, FFN_DIM);
    b.layerNorm(`${q}.ffn.norm`, HIDDEN);
    b.attention(`${q}.read_from_query.cross_attn`); // no norm here (spec 2.2)
    b.caResBlock(`${q}.pixel_ffn.conv`, HIDDEN);
  }
  // index 1: index 0 of each Sequential is the ReLU
  for (let i = 0; i < 4; i++) b.conv(`${p}.mask_pred.${i}.1`, 1, HIDDEN, 1, true);
}

function objectSummarizer(b: LayoutBuilder): void {
  const p = 'object_summarizer';
  b.tensor(`${p}.pos_enc.inv_freq`, [PE_FREQUENCIES]);
  b.linear(`${p}.input_proj`, HIDDEN, HIDDEN);
  b.linear(`${p}.feature_pred.0`, HIDDEN, HIDDEN);
  b.linear(`${p}.feature_pred.2`, HIDDEN, HIDDEN);
  b.linear(`${p}.weights_pred.0`, HIDDEN, HIDDEN);
  b.linear(`${p}.weights_pred.2`, QUERIES, HIDDEN);
}

/** Training-only auxiliary head, kept because the file carries it. */
function auxComputer(b: LayoutBuilder): void {
  b.conv('aux_computer.sensory_aux.projection', HIDDEN + 1, HIDDEN, 1, true);
}

/** Uncertainty head (UncertPred, spec 1.8); input is last/current pix_feat 2x256 + last mask 1 + value delta 256. */
function tempSparity(b: LayoutBuilder): void {
  const p = 'temp_sparity';
  b.conv(`${p}.conv1x1_v2`, 64, 3 * HIDDEN + 1, 1, false);
  b.batchNorm(`${p}.bn1`, 64);
  b.conv(`${p}.conv3x3`, 32, 64, 3, false);
  b.batchNorm(`${p}.bn2`, 32);
  b.conv(`${p}.conv3x3_out`, 1, 32, 3, false);
}

/** Every state-dict entry of the single-object MatAnyone model, name and shape, in state-dict order. */
export function matAnyoneLayout(): Array<[string, number[]]> {
  const b = new LayoutBuilder();
  for (const module of [
    pixelEncoder,
    keyProjection,
    maskEncoder,
    maskDecoder,
    pixelFuser,
    objectTransformer,
    objectSummarizer,
    auxComputer,
    tempSparity,
  ]) {
    module(b);
  }
  return b.entries;
}
