import * as fs from 'fs';
import { HostError } from '../errors';
import { mergeRegistry, OFFICIAL_MODELS, RegistryEntry, RegistryFile } from '../../models/registry';

/**
 * Environment variable naming a registry override: a JSON file `{"models": [...]}` whose entries follow
 * the {@link RegistryEntry} schema. An entry replaces the official one of the same name (another URL,
 * size or checksum, say for an internal mirror of re-hosted weights) and new names are added. The tests
 * use it to serve a small fixture checkpoint under an official name.
 */
export const REGISTRY_ENV = 'MATANYONE_REGISTRY';

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
