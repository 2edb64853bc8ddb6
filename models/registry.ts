import { z } from 'zod';

const Sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'a sha256 is 64 lowercase hex digits');

/**
 * One downloadable model: where its official checkpoint lives, how to recognise the file, and under which
 * terms it may be used. `bytes` and `sha256` are optional because they are only recorded where a public
 * source gives them for that exact file; without them a download is checked by converting it (the
 * converter validates all 562 tensors), see `pullModel`.
 */
export const RegistryEntry = z.object({
  name: z
    .string()
    .regex(/^[a-z0-9][a-z0-9._-]*$/, 'a model name is lowercase letters, digits, ".", "_" or "-"')
    .describe('what `--model` and `models pull` accept'),
  title: z.string().describe('human name'),
  url: z.url({ protocol: /^https?$/ }).describe('official download URL of the checkpoint; its last path segment is the file name'),
  bytes: z.number().int().positive().optional().describe('exact size of the checkpoint file'),
  sha256: Sha256.optional().describe('SHA-256 of the checkpoint file, lowercase hex'),
  licence: z.object({
    name: z.string(),
    url: z.url(),
    nonCommercial: z.boolean().describe('true: research and other non-commercial use only'),
  }),
  repository: z.url().describe('source code the checkpoint belongs to'),
  paper: z.object({ title: z.string(), url: z.url() }).optional(),
  projectPage: z.url().optional(),
});
export type RegistryEntry = z.infer<typeof RegistryEntry>;

/** The file a registry override (`MATANYONE_REGISTRY`) holds: entries in the same schema. */
export const RegistryFile = z.object({ models: z.array(RegistryEntry) });
export type RegistryFile = z.infer<typeof RegistryFile>;

/** Both official repositories ship the same `LICENSE` text (pq-yang/MatAnyone `LICENSE`, pq-yang/MatAnyone2 `LICENSE.txt`). */
const S_LAB_LICENCE_1_0 = (repository: string, file: string) => ({
  name: 'S-Lab License 1.0',
  url: `${repository}/blob/main/${file}`,
  nonCommercial: true,
});

/**
 * The official MatAnyone checkpoints. Both load into the same architecture (spec §0.1, §2.3).
 *
 * @remarks
 * Checksums, as of this writing:
 * - `matanyone2.pth`: sha256 and size from public projects that pin this exact release asset (the
 *   release page itself and the official code publish none): 5ymph0en1x/SyLC
 *   `models_dev_nc/matanyone2/README.md` (size 141,429,115 bytes and sha256), cbga/mattecast
 *   `src/mattecast/models.py` and KittyPingu/IStripperQuickPlayer `tools/custom-shows/matanyone2_worker.py`
 *   (the same sha256). The size agrees with the spec's fp32 payload (141,138,828 bytes) plus torch.save's
 *   zip and pickle overhead.
 * - `matanyone.pth`: no published sha256 or exact size was found (the official code downloads it with
 *   `hash_prefix=None`; third-party notes only say "~141 MB"). The Hugging Face repositories
 *   (`PeiqingYang/MatAnyone`, `PeiqingYang/MatAnyone2`) hold a different file (`model.safetensors`, multi-object
 *   layout), so their LFS checksums do not apply. Left undefined: `models pull matanyone` verifies the
 *   file by converting it and prints the sha256 it got.
 */
export const OFFICIAL_MODELS: readonly RegistryEntry[] = [
  {
    name: 'matanyone2',
    title: 'MatAnyone 2',
    url: 'https://github.com/pq-yang/MatAnyone2/releases/download/v1.0.0/matanyone2.pth',
    bytes: 141_429_115,
    sha256: '5e9821e4087231427376b437c85bb6e072b41e582314f06fd524f75bc4af5914',
    licence: S_LAB_LICENCE_1_0('https://github.com/pq-yang/MatAnyone2', 'LICENSE.txt'),
    repository: 'https://github.com/pq-yang/MatAnyone2',
    paper: { title: 'MatAnyone 2: Scaling Video Matting via a Learned Quality Evaluator', url: 'https://arxiv.org/abs/2512.11782' },
    projectPage: 'https://pq-yang.github.io/projects/MatAnyone2/',
  },
  {
    name: 'matanyone',
    title: 'MatAnyone',
    url: 'https://github.com/pq-yang/MatAnyone/releases/download/v1.0.0/matanyone.pth',
    licence: S_LAB_LICENCE_1_0('https://github.com/pq-yang/MatAnyone', 'LICENSE'),
    repository: 'https://github.com/pq-yang/MatAnyone',
    paper: { title: 'MatAnyone: Stable Video Matting with Consistent Memory Propagation', url: 'https://arxiv.org/abs/2501.14677' },
    projectPage: 'https://pq-yang.github.io/projects/MatAnyone/',
  },
];

/** The model `matanyone matte` uses when `--model` is not given. */
export const DEFAULT_MODEL = 'matanyone2';

/**
 * The file name a registry entry downloads to: the last path segment of its URL (`matanyone2.pth`).
 *
 * @throws Error when the URL has no file name (a broken registry entry, a bug)
 */
export function checkpointFileName(entry: RegistryEntry): string {
  const name = decodeURIComponent(new URL(entry.url).pathname.split('/').pop() ?? '');
  if (!name || name === '.' || name === '..' || /[\\/]/.test(name)) throw new Error(`registry entry ${entry.name}: URL ${entry.url} names no file`);
  return name;
}

/**
 * Official entries with an override's entries laid over them: an override entry replaces the official one
 * of the same name, and new names are added after the official ones.
 */
export function mergeRegistry(official: readonly RegistryEntry[], override: readonly RegistryEntry[]): RegistryEntry[] {
  const byName = new Map(official.map((e) => [e.name, e]));
  for (const e of override) byName.set(e.name, e);
  return [...byName.values()];
}
