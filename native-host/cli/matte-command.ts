import { PRECISION_CHOICES } from '../engine/precision-choice';
import { EXECUTION_PROVIDERS } from '../engine/providers';
import { autoProviders, engineLine } from '../gpu/auto-providers';
import { HostError } from '../errors';
import { AUTO_MASK, MatteProgress, runMatte } from '../matte/run-matte';
import type { OutputSpec } from '../video/outputs';
import { integer, oneOf, parseBox, parseCommandArgs, positiveNumber, singleInput } from './args';
import { describeModelProgress } from './model-progress';
import { ProgressLine } from './progress-line';

export const MATTE_HELP = `Usage: matanyone matte <video|frame folder> --mask <first-frame.png> [options]

Mattes the subject the mask selects on the first frame, through the whole clip.

Input
  --input PATH          video file (mp4, mov, mkv…) or folder of numbered frames (or the first argument)
  --mask PNG            first-frame mask: non-zero = subject; any size with the frame's aspect, or
                        the frame's size less codec padding (1920x1080 on a 1920x1088 video).
                        Repeat for several targets (one set of outputs each, one pass).
                        auto: the people found on the first frame (see \`matanyone mask\`)
  --box X,Y,W,H         with --mask auto: only the people this box touches (frame pixels)
  --from N, --to N      frame range (0-based, inclusive)
Model
  --model M             model folder, checkpoint (.pth/.safetensors, converted on first use) or
                        registry name: matanyone | matanyone2 (default: matanyone2)
  --precision P         fp32 | fp16 | auto when converting a checkpoint (default fp32; auto: fp16 on
                        a GPU provider, fp32 on the CPU)
  --ep EP               auto | cpu | cuda | dml | coreml | webgpu (default auto: GPU if any, else CPU)
  --threads N           CPU threads for the engine
Procedure (official defaults)
  --warmup N            first-frame refinement passes (10)
  --dilate R, --erode R mask closing with R×R elliptical kernels (10, 10)
  --max-size N          process with the shorter side at N pixels; outputs keep the source size
  --long-term           long-term memory for long clips and streams
  --reseed SECONDS      drift guard: every SECONDS of video, compare the matte with the person
                        under it (automatic person mask) and re-seed it when they disagree
  --reseed-iou X        re-seed below this agreement (intersection over union, default 0.7)
Outputs (into --out DIR; default --mov prores4444)
  --out DIR             output folder (required)
  --alpha png16|png8    alpha PNG sequence: DIR/alpha/000000.png…
  --mov prores4444      DIR/matte.mov, subject with alpha (Premiere, Resolve, After Effects)
  --matte luma          DIR/matte-luma.mov, the alpha as a grey video for track mattes
  --composite COLOR     DIR/composite.mp4, subject over a colour such as '#00ff00'
`;

/** '#rrggbb', 'rrggbb' or '#rgb' → [r, g, b]. */
export function parseColor(text: string): [number, number, number] {
  const hex = text.replace(/^#/, '');
  const full = /^[0-9a-f]{3}$/i.test(hex) ? [...hex].map((c) => c + c).join('') : hex;
  if (!/^[0-9a-f]{6}$/i.test(full)) throw new HostError('INVALID_ARGUMENT', `--composite: "${text}" is not a colour; use a hex colour such as '#00ff00'`);
  return [0, 2, 4].map((i) => parseInt(full.slice(i, i + 2), 16)) as [number, number, number];
}

function describe(p: MatteProgress): string | undefined {
  switch (p.phase) {
    case 'model':
      return describeModelProgress(p.progress, 10);
    case 'engine':
    case 'notice':
    case 'reseed':
      return undefined;
    case 'frames': {
      const of = p.total !== undefined ? `/${p.total}` : '';
      const eta = p.etaSeconds !== undefined ? `  ETA ${formatDuration(p.etaSeconds)}` : '';
      const fps = p.done > 1 ? `  ${p.fps >= 1 ? p.fps.toFixed(1) : p.fps.toFixed(2)} fps` : '  (first frame: warm-up)';
      return `matte: ${p.done}${of} frames${fps}${eta}`;
    }
  }
}

function formatDuration(seconds: number): string {
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const pad = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${pad(m)}:${pad(s % 60)}` : `${m}:${pad(s % 60)}`;
}

export async function matteCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('matte', argv, {
    input: { type: 'string', short: 'i' },
    mask: { type: 'string', short: 'm', multiple: true },
    box: { type: 'string' },
    model: { type: 'string' },
    precision: { type: 'string', default: 'fp32' },
    out: { type: 'string', short: 'o' },
    alpha: { type: 'string' },
    mov: { type: 'string' },
    matte: { type: 'string' },
    composite: { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string' },
    'max-size': { type: 'string' },
    warmup: { type: 'string', default: '10' },
    dilate: { type: 'string', default: '10' },
    erode: { type: 'string', default: '10' },
    ep: { type: 'string', default: 'auto' },
    threads: { type: 'string' },
    'long-term': { type: 'boolean', default: false },
    reseed: { type: 'string' },
    'reseed-iou': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    process.stdout.write(MATTE_HELP);
    return 0;
  }
  const input = singleInput(values.input as string | undefined, positionals, 'matte: give one input video or frame folder (see `matanyone matte --help`)');
  const masks = (values.mask as string[] | undefined) ?? [];
  if (masks.length === 0) throw new HostError('INVALID_ARGUMENT', 'matte: --mask <first-frame.png> is required');
  if (!values.out) throw new HostError('INVALID_ARGUMENT', 'matte: --out <dir> is required');
  if (values.box !== undefined && !masks.includes(AUTO_MASK)) throw new HostError('INVALID_ARGUMENT', 'matte: --box selects people for --mask auto; give --mask auto');
  const box = values.box !== undefined ? parseBox(values.box as string) : undefined;

  const outputs: OutputSpec[] = [];
  if (values.alpha !== undefined) outputs.push({ kind: 'alpha', depth: oneOf('--alpha', values.alpha as string, ['png16', 'png8'] as const) === 'png16' ? 16 : 8 });
  if (values.mov !== undefined) outputs.push({ kind: oneOf('--mov', values.mov as string, ['prores4444'] as const) });
  if (values.matte !== undefined) outputs.push({ kind: oneOf('--matte', values.matte as string, ['luma'] as const) });
  if (values.composite !== undefined) outputs.push({ kind: 'composite', color: parseColor(values.composite as string) });
  if (outputs.length === 0) outputs.push({ kind: 'prores4444' });

  const from = integer('from', values.from as string | undefined, 0);
  const to = integer('to', values.to as string | undefined, 0);
  if (from !== undefined && to !== undefined && to < from) throw new HostError('INVALID_ARGUMENT', `--to ${to} is before --from ${from}`);

  const reseedSeconds = positiveNumber('reseed', values.reseed as string | undefined);
  const reseedIou = positiveNumber('reseed-iou', values['reseed-iou'] as string | undefined, 1);
  if (reseedIou !== undefined && reseedSeconds === undefined) throw new HostError('INVALID_ARGUMENT', 'matte: --reseed-iou goes with --reseed SECONDS');

  const targetCount = masks.length;
  const controller = new AbortController();
  const line = new ProgressLine();
  const onSigint = () => {
    if (controller.signal.aborted) process.exit(130); // a second Ctrl-C: stop at once
    controller.abort();
    line.done('matte: stopping after this frame (Ctrl-C again to quit at once)');
  };
  process.on('SIGINT', onSigint);
  try {
    const ep = oneOf('execution provider', values.ep as string, EXECUTION_PROVIDERS);
    // `auto` probes the GPU providers apart first: their native log lines stay out of the terminal.
    const auto = ep === 'auto' ? await autoProviders() : undefined;
    if (auto?.nativeLog && process.env.MATANYONE_VERBOSE) process.stderr.write(auto.nativeLog);
    const result = await runMatte(
      {
        input,
        masks,
        box,
        model: values.model as string | undefined,
        precision: oneOf('precision', values.precision as string, PRECISION_CHOICES),
        outDir: values.out as string,
        outputs,
        from,
        to,
        maxSize: integer('max-size', values['max-size'] as string | undefined, 1),
        warmup: integer('warmup', values.warmup as string, 0)!,
        dilate: integer('dilate', values.dilate as string, 0)!,
        erode: integer('erode', values.erode as string, 0)!,
        ep,
        providers: auto?.order,
        threads: integer('threads', values.threads as string | undefined, 1),
        longTerm: values['long-term'] as boolean,
        reseed: reseedSeconds !== undefined ? { everySeconds: reseedSeconds, minIou: reseedIou } : undefined,
      },
      {
        signal: controller.signal,
        onProgress: (p) => {
          if (p.phase === 'engine') {
            process.stderr.write(`${engineLine(p.provider, [...(auto?.skipped ?? []), ...p.skipped])}\n`);
            return;
          }
          if (p.phase === 'reseed') {
            line.done();
            const iou = p.iou !== undefined ? `IoU ${p.iou.toFixed(2)}` : 'no person under the matte';
            const target = targetCount > 1 ? ` target ${p.target + 1}` : '';
            process.stderr.write(`reseed: frame ${p.frame}${target}: ${iou}${p.reseeded ? ', re-seeded from the person mask' : ', kept'}\n`);
            return;
          }
          if (p.phase === 'notice') {
            line.done();
            process.stderr.write(`${p.text}\n`);
            return;
          }
          const text = describe(p);
          if (text) line.update(text);
        },
      },
    );
    line.done();
    for (const t of result.targets)
      for (const f of t.files) process.stdout.write(`${result.targets.length > 1 ? `${t.name}: ` : ''}${f.kind}: ${f.path}\n`);
    const rate = result.frames / result.seconds;
    process.stdout.write(`${result.interrupted ? 'stopped' : 'done'}: ${result.frames} frames in ${result.seconds.toFixed(1)} s (${rate.toFixed(2)} fps overall) on ${result.provider}\n`);
    return result.interrupted ? 130 : 0;
  } finally {
    process.off('SIGINT', onSigint);
    line.done();
  }
}
