import { type HostAdapter, type PhotoshopAdapter, type PremiereAdapter, type SelectedClip } from '../host/host-adapter';
import { formatTimecode } from '../host/frame-time';
import { describeConnection, HostConnection, type ConnectionOptions } from './host-connection';
import { MaskEditor, type Tool } from './mask-editor';
import { PanelStorage, type KeyValueStore, type MatteOptions } from './panel-storage';
import { PremiereJobs, type JobView } from './premiere-jobs';

/** What the panel needs from its surroundings; index.ts passes UXP's, the browser test the page's. */
export interface PanelOptions {
  /** Builds the adapter for the current app; a throw is shown in the panel. */
  connectAdapter: () => HostAdapter;
  store: KeyValueStore;
  /** `http://127.0.0.1:<port>` and `ws://127.0.0.1:<port>/bridge` (plugin/config.ts) */
  origin: string;
  bridgeUrl: string;
  /** Asks the user for a PNG file and returns its path; undefined when cancelled or not possible. */
  pickPng?: () => Promise<string | undefined>;
  connection?: Pick<ConnectionOptions, 'fetch' | 'WebSocket' | 'retryMs' | 'maxRetryMs'>;
  pluginVersion?: string;
}

/** refineStill answers when the still is done: minutes for a large image on a CPU. */
const REFINE_TIMEOUT_MS = 15 * 60_000;

/** Preview images are asked at about the panel's width, in device pixels, within these bounds. */
const PREVIEW_MIN = 320;
const PREVIEW_MAX = 1280;

type EditorMode =
  | { kind: 'first'; clip: SelectedClip; loadedPng?: string }
  | { kind: 'correct'; jobId: string; from: number; to: number; frame: number };

/**
 * Wires plugin/ui/index.html: the connection (pairing, host states), Matte Subject, the mask editor (first
 * frame, and corrections at any frame of a job) and the jobs list. Premiere: clips → jobs → mattes on the
 * timeline. Photoshop: the active layer and its selection → refined layer mask.
 */
export function startPanel(doc: Document, options: PanelOptions): void {
  const $ = <T extends HTMLElement = HTMLElement>(id: string): T => {
    const found = doc.getElementById(id);
    if (!found) throw new Error(`index.html has no #${id}`);
    return found as T;
  };
  const storage = new PanelStorage(options.store);
  const message = $('message');
  const say = (text: string, isError = false) => {
    message.textContent = text;
    message.className = isError ? 'row error' : 'row';
  };

  let adapter: HostAdapter | undefined;
  try {
    adapter = options.connectAdapter();
  } catch (error) {
    say(describe(error), true);
  }

  const connection = new HostConnection({
    origin: options.origin,
    bridgeUrl: options.bridgeUrl,
    token: storage.token,
    client: { name: 'matanyone-panel', version: options.pluginVersion, host: adapter?.hostName(), instance: storage.instanceId },
    ...options.connection,
  });
  const jobs = adapter && isPremiere(adapter) ? new PremiereJobs(adapter, storage, connection) : undefined;

  // ---- connection and pairing ----
  const matteButton = $<HTMLButtonElement>('matte-subject');
  const pairing = $('pairing');
  const tokenInput = $<HTMLInputElement>('token-input');
  const showConnection = () => {
    const state = connection.state;
    const status = $('host-status');
    status.textContent = describeConnection(state, options.origin);
    status.className = state.kind === 'wrong-token' || state.kind === 'incompatible' ? 'row error' : 'row';
    pairing.style.display = state.kind === 'needs-token' || state.kind === 'wrong-token' ? 'flex' : 'none';
    matteButton.disabled = state.kind !== 'connected' || adapter === undefined;
  };
  connection.onState(showConnection);
  $('pair').addEventListener('click', () => {
    const token = tokenInput.value.trim();
    if (!token) return;
    storage.token = token;
    tokenInput.value = '';
    connection.setToken(token);
  });

  // ---- the mask editor ----
  const editorBox = $('editor');
  const editor = new MaskEditor($('frame-area'), doc);
  const sendButton = $<HTMLButtonElement>('send');
  const slider = $<HTMLInputElement>('frame-slider');
  let mode: EditorMode | undefined;
  const tools: Record<Tool, HTMLElement> = { box: $('tool-box'), brush: $('tool-brush'), eraser: $('tool-eraser') };
  const selectTool = (tool: Tool) => {
    editor.tool = tool;
    for (const [name, button] of Object.entries(tools)) button.className = name === tool ? 'selected' : '';
  };
  for (const tool of Object.keys(tools) as Tool[]) tools[tool].addEventListener('click', () => selectTool(tool));
  selectTool('box');
  const brushSize = $<HTMLInputElement>('brush-size');
  brushSize.addEventListener('input', () => (editor.brushRadius = Number(brushSize.value)));
  $('undo').addEventListener('click', () => editor.undo());
  $('clear').addEventListener('click', () => editor.clear());
  const hint = $('editor-hint');
  const updateSend = () => {
    if (!mode) return;
    if (mode.kind === 'first') {
      if (editor.shapeCount > 0 && mode.loadedPng) clearLoadedPng();
      sendButton.disabled = !(editor.hasSubject || mode.loadedPng);
      hint.textContent = mode.loadedPng
        ? `Mask from ${mode.loadedPng}. Drawing replaces it.`
        : 'Draw a box around the subject, brush what it misses, erase what is not the subject. Green: subject; grey: erased.';
    } else {
      sendButton.disabled = editor.shapeCount === 0;
      hint.textContent = `Fix the matte of frame ${mode.frame} with the brush and the eraser (it starts from the current matte), then re-run: frames before ${mode.frame} are kept.`;
    }
  };
  editor.onChange(updateSend);

  const previewSize = () => Math.round(Math.min(PREVIEW_MAX, Math.max(PREVIEW_MIN, ($('frame-area').clientWidth || 320) * 2)));
  const showEditor = (title: string) => {
    editorBox.style.display = 'block';
    $('editor-title').textContent = title;
    $('frame-slider-row').style.display = mode?.kind === 'correct' ? 'flex' : 'none';
    $('options').style.display = mode?.kind === 'first' ? 'flex' : 'none';
    $('load-png').style.display = mode?.kind === 'first' && options.pickPng ? '' : 'none';
    const state = connection.state;
    $('auto-mask').style.display = mode?.kind === 'first' && state.kind === 'connected' && state.features.includes('autoMask') ? '' : 'none';
    sendButton.textContent = mode?.kind === 'correct' ? `Re-run from frame ${mode.frame}` : 'Matte';
    updateSend();
  };
  const closeEditor = () => {
    mode = undefined;
    editorBox.style.display = 'none';
    clearLoadedPng();
  };
  $('close-editor').addEventListener('click', closeEditor);

  // remembered options
  const output = $<HTMLSelectElement>('output');
  const maxSize = $<HTMLSelectElement>('max-size');
  const longTerm = $<HTMLInputElement>('long-term');
  const saved = storage.options;
  output.value = saved.output;
  maxSize.value = saved.maxSize ? String(saved.maxSize) : '';
  longTerm.checked = saved.longTerm;
  const currentOptions = (): MatteOptions => ({
    output: output.value === 'luma' ? 'luma' : 'prores4444',
    ...(maxSize.value ? { maxSize: Number(maxSize.value) } : {}),
    longTerm: longTerm.checked,
  });
  for (const control of [output, maxSize, longTerm]) control.addEventListener('change', () => (storage.options = currentOptions()));

  // a mask PNG from disk, shown over the frame through the host (UXP has no file input and no drawImage)
  let loadedOverlay: HTMLImageElement | undefined;
  const clearLoadedPng = () => {
    loadedOverlay?.remove();
    loadedOverlay = undefined;
    if (mode?.kind === 'first') mode.loadedPng = undefined;
  };
  $('load-png').addEventListener('click', async () => {
    const bridge = connection.bridge;
    if (!bridge || mode?.kind !== 'first' || !options.pickPng) return;
    try {
      const path = await options.pickPng();
      if (!path) return;
      const preview = await bridge.call('getPreview', { media: path, frame: 0, maxSize: previewSize() });
      editor.clear();
      clearLoadedPng();
      mode.loadedPng = path;
      loadedOverlay = doc.createElement('img');
      loadedOverlay.id = 'loaded-mask';
      loadedOverlay.src = `data:image/png;base64,${preview.png}`;
      $('frame-area').append(loadedOverlay);
      updateSend();
    } catch (error) {
      say(describe(error), true);
    }
  });

  // ---- Matte Subject ----
  matteButton.addEventListener('click', async () => {
    const bridge = connection.bridge;
    if (!adapter || !bridge) return;
    say('');
    try {
      if (isPremiere(adapter)) await startPremiere(adapter, bridge);
      else await runPhotoshop(adapter, bridge);
    } catch (error) {
      say(describe(error), true);
    }
  });

  const startPremiere = async (premiere: PremiereAdapter, bridge: NonNullable<HostConnection['bridge']>) => {
    const clip = await premiere.selectedClip();
    if (!clip) return say('Select one video clip on the timeline first.', true);
    const preview = await bridge.call('getPreview', { media: clip.mediaPath, frame: clip.frames.from, maxSize: previewSize(), frameRate: clip.frameRate });
    mode = { kind: 'first', clip };
    editor.show({ src: `data:image/png;base64,${preview.png}`, sourceWidth: preview.sourceWidth, sourceHeight: preview.sourceHeight });
    const tc = (frame: number) => formatTimecode(frame, clip.frameRate, clip.dropFrame);
    showEditor(`"${clip.name}": frames ${clip.frames.from}–${clip.frames.to} (${tc(clip.frames.from)}–${tc(clip.frames.to)}). Mask the subject on the first frame.`);
  };

  const runPhotoshop = async (photoshop: PhotoshopAdapter, bridge: NonNullable<HostConnection['bridge']>) => {
    const layer = await photoshop.selectedLayer();
    if (!layer) return say('Open a document and select a pixel layer first.', true);
    say(`Reading "${layer.name}"…`);
    const still = await photoshop.readStill(layer);
    say(`Refining the ${still.maskSource === 'selection' ? 'selection' : 'layer mask'} of "${layer.name}" with MatAnyone…`);
    const out = still.image.path.replace(/[^\\/]+$/, `matte-${Date.now()}.raw`);
    const refined = await bridge.call('refineStill', {
      image: { path: still.image.path, width: still.image.width, height: still.image.height, channels: still.image.channels === 4 ? 4 : 3 },
      mask: { path: still.mask.path, width: still.mask.width, height: still.mask.height },
      out,
    }, { timeoutMs: REFINE_TIMEOUT_MS });
    await photoshop.writeLayerMask(layer, refined.path, still);
    say(`The matte is now the layer mask of "${layer.name}" (${(refined.ms / 1000).toFixed(1)} s). Undo with Edit > Undo.`);
  };

  // The host's person segmenter: all people, or those a drawn box touches. Touch-ups go through Correct… on the
  // first frame (strokes on the matte), since the automatic mask is made in the host, not in the panel.
  $('auto-mask').addEventListener('click', async () => {
    if (mode?.kind !== 'first' || !jobs) return;
    const clip = mode.clip;
    const box = editor.lastBox;
    try {
      await jobs.submit(clip, { kind: 'auto', ...(box ? { box } : {}) }, currentOptions());
      closeEditor();
      say(`"${clip.name}" is queued with the people the host finds${box ? ' in your box' : ''}. To touch the mask up, use Correct… on the first frame.`);
    } catch (error) {
      say(describe(error), true);
    }
  });

  sendButton.addEventListener('click', async () => {
    if (!mode || !jobs) return;
    try {
      if (mode.kind === 'first') {
        const mask = mode.loadedPng ? { kind: 'path' as const, path: mode.loadedPng } : editor.toMask('empty');
        if (!mask) return;
        storage.options = currentOptions();
        const clip = mode.clip;
        await jobs.submit(clip, mask, currentOptions());
        closeEditor();
        say(`"${clip.name}" is queued. You can select another clip and matte it too.`);
      } else {
        const mask = editor.toMask('alpha');
        if (!mask) return;
        await jobs.correct(mode.jobId, mode.frame, mask);
        closeEditor();
      }
    } catch (error) {
      say(describe(error), true);
    }
  });

  // ---- corrections ----
  let frameRequest = 0;
  const showJobFrame = async () => {
    const bridge = connection.bridge;
    if (!bridge || mode?.kind !== 'correct') return;
    const request = ++frameRequest;
    const frame = mode.frame;
    $('frame-label').textContent = `frame ${frame}`;
    sendButton.textContent = `Re-run from frame ${frame}`;
    try {
      const shown = await bridge.call('getJobFrame', { jobId: mode.jobId, frame, maxSize: previewSize() });
      if (request !== frameRequest) return; // the slider moved on
      editor.show({ src: `data:image/png;base64,${shown.png}`, sourceWidth: shown.sourceWidth, sourceHeight: shown.sourceHeight });
      if (!shown.hasAlpha) hint.textContent = `Frame ${frame} is not computed yet.`;
    } catch (error) {
      say(describe(error), true);
    }
  };
  slider.addEventListener('change', () => {
    if (mode?.kind !== 'correct') return;
    mode.frame = Number(slider.value);
    void showJobFrame();
  });
  const startCorrection = (view: JobView) => {
    const info = view.info;
    if (!info) return;
    const from = info.range.from;
    const to = info.range.to ?? from + Math.max(0, (info.frameTotal ?? 1) - 1);
    mode = { kind: 'correct', jobId: info.jobId, from, to, frame: from };
    Object.assign(slider, { min: String(from), max: String(to), value: String(from) });
    selectTool('brush');
    showEditor(`Correct "${view.job.label}": pick a frame where the matte is wrong.`);
    void showJobFrame();
  };

  // ---- the jobs list ----
  const jobsBox = $('jobs');
  const renderJobs = () => {
    jobsBox.textContent = '';
    for (const view of jobs?.list ?? []) jobsBox.append(jobRow(doc, view, { cancel: (id) => act(() => jobs!.cancel(id)), correct: startCorrection, forget: (id) => jobs!.forget(id) }));
  };
  const act = (task: () => Promise<void>) => task().catch((error) => say(describe(error), true));
  jobs?.onChange(renderJobs);
  connection.onState(renderJobs);
  renderJobs();
  showConnection();
  connection.start();
}

interface JobActions {
  cancel(jobId: string): void;
  correct(view: JobView): void;
  forget(jobId: string): void;
}

/** One job: name, state, a progress bar with frames, fps and ETA, its last message and notes, and actions. */
function jobRow(doc: Document, view: JobView, actions: JobActions): HTMLElement {
  const row = doc.createElement('div');
  row.className = 'job';
  row.setAttribute('data-job-id', view.job.jobId);
  const state = view.info?.state ?? 'unknown';
  const title = doc.createElement('div');
  title.textContent = `${view.job.label} · ${state}${view.info && view.info.version > 1 ? ` · version ${view.info.version}` : ''}`;
  row.append(title);

  const progress = view.progress;
  if (progress && (state === 'running' || state === 'queued')) {
    const total = progress.total ?? 0;
    const bar = doc.createElement('div');
    bar.className = 'bar';
    const fill = doc.createElement('div');
    fill.style.width = total > 0 ? `${Math.min(100, (100 * progress.frame) / total)}%` : '0';
    bar.append(fill);
    const figures = doc.createElement('div');
    figures.className = 'note progress';
    const phase = progress.phase === 'render' ? 'writing the movie' : 'matting';
    const eta = progress.etaSeconds !== undefined ? ` · ETA ${formatDuration(progress.etaSeconds)}` : '';
    figures.textContent = `${phase}: frame ${progress.frame}${total ? ` of ${total}` : ''} · ${progress.fps.toFixed(2)} fps${eta}`;
    row.append(bar, figures);
  }
  for (const text of [view.message, ...(view.job.notes ?? [])]) {
    if (!text) continue;
    const line = doc.createElement('div');
    line.className = text.startsWith('Failed') ? 'error' : 'note';
    line.textContent = text;
    row.append(line);
  }
  const buttons = doc.createElement('div');
  buttons.className = 'row';
  const button = (label: string, onClick: () => void) => {
    const b = doc.createElement('button');
    b.textContent = label;
    b.addEventListener('click', onClick);
    buttons.append(b);
  };
  if (state === 'queued' || state === 'running') button('Cancel', () => actions.cancel(view.job.jobId));
  if (state === 'finished' || (state === 'running' && (view.info?.progress?.phase === 'render' || (view.progress?.frame ?? 0) > 0))) button('Correct…', () => actions.correct(view));
  if (state === 'finished' || state === 'failed' || state === 'cancelled' || state === 'unknown') button('Remove from list', () => actions.forget(view.job.jobId));
  row.append(buttons);
  return row;
}

function isPremiere(adapter: HostAdapter): adapter is PremiereAdapter {
  return adapter.hostName() === 'premierepro';
}

function formatDuration(seconds: number): string {
  const s = Math.round(seconds);
  return s >= 60 ? `${Math.floor(s / 60)} min ${s % 60} s` : `${s} s`;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
