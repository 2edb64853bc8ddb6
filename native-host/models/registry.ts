import * as fs from 'fs';
import { z } from 'zod';
import officialRegistry from '../../models/registry.json';
import { HostError } from '../errors';

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
  checksumSource: z.string().optional().describe('where `bytes` and `sha256` come from, or why they are missing'),
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

/** A registry file: the built-in `models/registry.json`, and a `MATANYONE_REGISTRY` override alike. */
export const RegistryFile = z.object({ models: z.array(RegistryEntry) });
export type RegistryFile = z.infer<typeof RegistryFile>;

/**
 * The official MatAnyone checkpoints, from the project's `models/registry.json` (data only; each entry's
 * `checksumSource` says where its size and sha256 come from). Both load into the same architecture
 * (spec §0.1, §2.3). Parsed when this module loads: a broken built-in registry is a bug and fails at once.
 */
export const OFFICIAL_MODELS: readonly RegistryEntry[] = RegistryFile.parse(officialRegistry).models;

/** The model `matanyone matte` uses when `--model` is not given. */
export const DEFAULT_MODEL = 'matanyone2';

/**
 * Environment variable naming a registry override: a JSON file `{"models": [...]}` whose entries follow
 * the {@link RegistryEntry} schema. An entry replaces the official one of the same name (another URL,
 * size or checksum, say for an internal mirror of re-hosted weights) and new names are added. The tests
 * use it to serve a small fixture checkpoint under an official name.
 */
export const REGISTRY_ENV = 'MATANYONE_REGISTRY';

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

/**
 * The model registry in effect: the official entries, with `$MATANYONE_REGISTRY` laid over them when set.
 *
 * @throws HostError `INVALID_ARGUMENT` when the override file cannot be read or does not match the schema
 */
export function loadRegistry(env: NodeJS.ProcessEnv = process.env): RegistryEntry[] {
  const file = env[REGISTRY_ENV];
  if (!file) return [...OFFICIAL_MODELS];
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new HostError('INVALID_ARGUMENT', `${REGISTRY_ENV}=${file} cannot be read as JSON: ${(e as Error).message.split('\n')[0]}`);
  }
  const parsed = RegistryFile.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new HostError('INVALID_ARGUMENT', `${REGISTRY_ENV}=${file} is not a model registry: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return mergeRegistry(OFFICIAL_MODELS, parsed.data.models);
}

/**
 * The registry entry called `name`.
 *
 * @throws HostError `MODEL_UNKNOWN` naming every registry entry
 */
export function findModel(name: string, env: NodeJS.ProcessEnv = process.env): RegistryEntry {
  const registry = loadRegistry(env);
  const entry = registry.find((e) => e.name === name);
  if (!entry) throw new HostError('MODEL_UNKNOWN', `unknown model "${name}"; should be one of: ${registry.map((e) => e.name).join(', ')}`);
  return entry;
}
