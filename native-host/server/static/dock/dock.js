// The OBS dock: pairs with the host that served it, starts and stops the host's live session, re-masks the
// subject on the current frame, and shows OBS's state and the session's figures. Everything goes through
// the bridge protocol (bridge/protocol.ts, bridge/live.ts), as a panel would.

import { FrameDrawing } from './frame-drawing.js';
import { HostPairing } from './host-pairing.js';
import { showStatus } from './live-view.js';

const SETTINGS_KEY = 'matanyone.dock.settings';
/** startLive answers once frames reach OBS: the model may be converted first on its first use. */
const START_TIMEOUT_MS = 10 * 60_000;
/** The drawn frame's PNG: large enough to draw precisely in a dock, small enough to send quickly. */
const DRAW_SIZE = 960;

const $ = (id) => document.getElementById(id);
const radio = (name) => document.querySelector(`input[name="${name}"]:checked`).value;

/** @type {import('./bridge-socket.js').BridgeSocket | undefined} */
let bridge;
let liveState = 'idle';
/** what the drawing shows: 'first' (the input's first frame, for Start) or 'live' (for a re-mask) */
let drawingFor;
/** set while a request that changes the session is on its way */
let busy = false;

const drawing = new FrameDrawing($('frame-canvas'), () => updateControls());

const pairing = new HostPairing({
  status(text, tone, askToken) {
    $('host-status').textContent = text;
    $('host-status').dataset.tone = tone;
    $('pair-form').hidden = !askToken;
  },
  connected(b) {
    bridge = b;
    $('live').hidden = false;
    b.on('liveStatus', onStatus);
    b.call('getLiveStatus', {}).then(onStatus, (e) => showError('live-message', e));
  },
  disconnected() {
    bridge = undefined;
    updateControls();
  },
});

function onStatus(status) {
  liveState = status.state;
  showStatus(status);
  if (liveState !== 'running' && drawingFor === 'live') closeDrawing();
  updateControls();
}

function showError(id, e) {
  $(id).textContent = e.message;
}

// ---- settings (the password is not kept) ----

const SETTING_FIELDS = ['obs-url', 'input-path', 'camera-device', 'work-size', 'mask-path', 'hide-source'];

function restoreSettings() {
  let saved;
  try {
    saved = JSON.parse(localStorage.getItem(SETTINGS_KEY) ?? '{}');
  } catch {
    saved = {};
  }
  for (const id of SETTING_FIELDS) if (typeof saved[id] === 'string') $(id).value = saved[id];
  for (const [name, value] of [['input-kind', saved.inputKind], ['mask-kind', saved.maskKind]]) {
    const input = document.querySelector(`input[name="${name}"][value="${value}"]`);
    if (input) input.checked = true;
  }
}

function saveSettings() {
  const saved = Object.fromEntries(SETTING_FIELDS.map((id) => [id, $(id).value]));
  Object.assign(saved, { inputKind: radio('input-kind'), maskKind: radio('mask-kind') });
  localStorage.setItem(SETTINGS_KEY, JSON.stringify(saved));
}

// ---- what Start sends ----

function inputParam() {
  if (radio('input-kind') === 'camera') return { kind: 'camera', device: $('camera-device').value.trim() };
  return { kind: 'file', path: $('input-path').value.trim() };
}

/** Why Start cannot be pressed yet, or '' when it can. */
function startProblem() {
  const input = inputParam();
  if (input.kind === 'file' && !input.path) return 'Give the video file to play in a loop.';
  if (input.kind === 'camera' && !input.device) return 'Give the camera (/dev/video0, or its name).';
  const mask = radio('mask-kind');
  if (mask === 'png' && !$('mask-path').value.trim()) return 'Give the mask PNG.';
  if (mask === 'draw' && input.kind === 'camera') return 'A camera has no first frame to draw on yet: start with Auto, then re-mask on the live frame.';
  if (mask === 'draw' && (drawingFor !== 'first' || drawing.isEmpty)) return 'Show the first frame and draw the subject on it.';
  return '';
}

function maskParam() {
  switch (radio('mask-kind')) {
    case 'png':
      return { kind: 'path', path: $('mask-path').value.trim() };
    case 'draw':
      return { kind: 'drawing', shapes: drawing.shapes };
    default:
      return { kind: 'auto' };
  }
}

function startParams() {
  const password = $('obs-password').value;
  const workSize = $('work-size').value;
  const hideSource = $('hide-source').value.trim();
  return {
    obs: { url: $('obs-url').value.trim(), ...(password ? { password } : {}) },
    input: inputParam(),
    mask: maskParam(),
    ...(hideSource ? { hideSource } : {}),
    ...(workSize ? { workSize: Number(workSize) } : {}),
  };
}

// ---- controls ----

function updateControls() {
  const connected = bridge !== undefined;
  const running = liveState === 'running';
  const idle = liveState === 'idle' || liveState === 'failed';
  const problem = startProblem();
  $('start').disabled = !connected || busy || !idle || problem !== '';
  $('start-hint').textContent = connected && idle && !busy ? problem : '';
  $('stop').disabled = !connected || busy || !running;
  $('remask-draw').disabled = $('remask-auto').disabled = !connected || !running;
  $('remask-png').disabled = !connected || !running || !$('mask-path').value.trim();
  $('remask-send').disabled = drawing.isEmpty || !running;
  const kind = radio('input-kind');
  $('input-path').hidden = kind !== 'file';
  $('camera-device').hidden = kind !== 'camera';
  const mask = radio('mask-kind');
  $('mask-path').hidden = mask !== 'png' && !running;
  $('show-first-frame').hidden = mask !== 'draw' || kind !== 'file' || !idle;
  $('drawing-hint').textContent =
    drawingFor === 'first' ? (problem || 'Ready: press Start.') : drawingFor === 'live' ? 'Box around the subject, brush what it misses, eraser what is not the subject.' : '';
}

function openDrawing(kind, title) {
  drawingFor = kind;
  $('drawing').hidden = false;
  $('drawing-title').textContent = title;
  $('remask-draw-actions').hidden = kind !== 'live';
}

function closeDrawing() {
  drawingFor = undefined;
  $('drawing').hidden = true;
  drawing.clear();
}

function selectTool(tool) {
  drawing.tool = tool;
  for (const t of ['box', 'brush', 'eraser']) $(`tool-${t}`).setAttribute('aria-pressed', String(t === tool));
}

async function showFirstFrame() {
  $('live-message').textContent = '';
  try {
    const preview = await bridge.call('getPreview', { media: inputParam().path, frame: 0, maxSize: DRAW_SIZE });
    openDrawing('first', 'First frame: draw the subject');
    await drawing.show(preview);
  } catch (e) {
    showError('live-message', e);
  }
}

async function start() {
  saveSettings();
  busy = true;
  $('live-message').textContent = '';
  $('live-state').textContent = 'Starting…';
  updateControls();
  try {
    const status = await bridge.call('startLive', startParams(), START_TIMEOUT_MS);
    if (drawingFor === 'first') closeDrawing();
    onStatus(status);
  } catch (e) {
    showError('live-message', e);
    $('live-state').textContent = 'Not running';
  } finally {
    busy = false;
    updateControls();
  }
}

async function stop() {
  busy = true;
  updateControls();
  try {
    onStatus(await bridge.call('stopLive', {}));
  } catch (e) {
    showError('live-message', e);
  } finally {
    busy = false;
    updateControls();
  }
}

async function grabLiveFrame() {
  $('remask-result').textContent = '';
  try {
    const frame = await bridge.call('getLiveFrame', { maxSize: DRAW_SIZE });
    openDrawing('live', `Live frame ${frame.frame}: draw the subject`);
    await drawing.show(frame);
  } catch (e) {
    showError('remask-result', e);
  }
}

/** @param {object} mask - a bridge MaskInput */
async function remask(mask) {
  $('remask-result').textContent = 'Re-masking…';
  try {
    const { frame } = await bridge.call('remaskLive', { mask });
    $('remask-result').textContent = `Re-masked at live frame ${frame}`;
    if (drawingFor === 'live') closeDrawing();
  } catch (e) {
    showError('remask-result', e);
  }
  updateControls();
}

// ---- wiring ----

restoreSettings();
$('pair-form').addEventListener('submit', (e) => {
  e.preventDefault();
  pairing.pair($('token-input').value);
});
$('forget').addEventListener('click', () => pairing.forget());
for (const el of document.querySelectorAll('input, select')) {
  el.addEventListener('input', () => updateControls());
  el.addEventListener('change', () => {
    if (el.name === 'mask-kind' || el.name === 'input-kind' || el.id === 'input-path') if (drawingFor === 'first') closeDrawing();
    updateControls();
  });
}
$('show-first-frame').addEventListener('click', showFirstFrame);
$('start').addEventListener('click', start);
$('stop').addEventListener('click', stop);
$('tool-box').addEventListener('click', () => selectTool('box'));
$('tool-brush').addEventListener('click', () => selectTool('brush'));
$('tool-eraser').addEventListener('click', () => selectTool('eraser'));
$('brush-size').addEventListener('input', (e) => (drawing.radius = Number(e.target.value)));
$('undo').addEventListener('click', () => drawing.undo());
$('clear').addEventListener('click', () => drawing.clear());
$('remask-draw').addEventListener('click', grabLiveFrame);
$('remask-send').addEventListener('click', () => remask({ kind: 'drawing', shapes: drawing.shapes }));
$('remask-cancel').addEventListener('click', closeDrawing);
$('remask-auto').addEventListener('click', () => remask({ kind: 'auto' }));
$('remask-png').addEventListener('click', () => remask({ kind: 'path', path: $('mask-path').value.trim() }));
updateControls();
pairing.start();
