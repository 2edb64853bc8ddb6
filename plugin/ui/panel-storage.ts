import type { Placement, SelectedClip } from '../host/host-adapter';

/** The part of `localStorage` the panel uses: UXP keeps it per plugin across reloads and app restarts. */
export interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/** What the user chose last time, offered again. */
export interface MatteOptions {
  /** `prores4444`: the subject with its alpha on a track above; `luma`: a grey track matte. */
  output: 'prores4444' | 'luma';
  /** The shorter side the host works at (the matte comes back at the source size); undefined: full size. */
  maxSize?: number;
  /** The official long-term memory, for clips of more than a minute or so. */
  longTerm: boolean;
}

export const DEFAULT_OPTIONS: MatteOptions = { output: 'prores4444', longTerm: false };

/** A job this panel started and still has to put back into the editor (kept across panel reloads). */
export interface TrackedJob {
  jobId: string;
  /** what the user sees: the clip's name */
  label: string;
  clip: SelectedClip;
  output: MatteOptions['output'];
  /** where the matte went, once placed, and which version of the job's outputs it shows */
  placement?: Placement;
  placedVersion?: number;
  /** sentences from the last placement (what the panel could not do by itself) */
  notes?: string[];
}

const KEYS = { token: 'matanyone.token', instance: 'matanyone.instance', options: 'matanyone.options', jobs: 'matanyone.jobs' } as const;

/** A random id: the host derives this panel's client id from it, so the panel sees its jobs after a reload. */
function randomInstanceId(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let id = '';
  for (let i = 0; i < 22; i++) id += alphabet[Math.floor(Math.random() * alphabet.length)];
  return id;
}

function readJson<T>(store: KeyValueStore, key: string): T | undefined {
  const text = store.getItem(key);
  if (text === null) return undefined;
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined; // a damaged entry is forgotten, not fatal
  }
}

/** The panel's persistent state: pairing token, instance id, options and tracked jobs. */
export class PanelStorage {
  constructor(private readonly store: KeyValueStore) {}

  get token(): string | undefined {
    return this.store.getItem(KEYS.token) ?? undefined;
  }

  set token(token: string | undefined) {
    if (token) this.store.setItem(KEYS.token, token);
    else this.store.removeItem(KEYS.token);
  }

  /** Created once, then stable. */
  get instanceId(): string {
    const existing = this.store.getItem(KEYS.instance);
    if (existing && /^[A-Za-z0-9_-]{8,64}$/.test(existing)) return existing;
    const id = randomInstanceId();
    this.store.setItem(KEYS.instance, id);
    return id;
  }

  get options(): MatteOptions {
    return { ...DEFAULT_OPTIONS, ...readJson<Partial<MatteOptions>>(this.store, KEYS.options) };
  }

  set options(options: MatteOptions) {
    this.store.setItem(KEYS.options, JSON.stringify(options));
  }

  get jobs(): TrackedJob[] {
    const jobs = readJson<TrackedJob[]>(this.store, KEYS.jobs);
    return Array.isArray(jobs) ? jobs : [];
  }

  set jobs(jobs: TrackedJob[]) {
    this.store.setItem(KEYS.jobs, JSON.stringify(jobs));
  }
}
