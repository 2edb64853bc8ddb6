// The live session's status (the host's liveStatus event, bridge/live.ts LiveStatus) as the dock shows it.

const STATE_TEXT = {
  idle: 'Not running',
  starting: 'Starting…',
  running: 'Live',
  stopping: 'Stopping…',
  failed: 'Stopped with an error',
};

const OBS_TEXT = {
  off: 'not connected',
  connecting: 'connecting…',
  ready: 'connected',
  reconnecting: 'reconnecting…',
  failed: 'refused',
};

const $ = (id) => document.getElementById(id);
const ms = (v) => (v === undefined ? '–' : `${Math.round(v)} ms`);

/**
 * Shows one status: the session's state, OBS's, the figures, and the message that says why it failed.
 * @param {object} s - a LiveStatus
 */
export function showStatus(s) {
  $('live-state').textContent = s.state === 'running' && s.input ? `Live: ${s.input}${s.width ? ` (${s.width}×${s.height})` : ''}` : STATE_TEXT[s.state] ?? s.state;
  $('live-state').dataset.tone = s.state === 'running' ? 'good' : s.state === 'failed' ? 'bad' : '';
  const obs = OBS_TEXT[s.obs.state] ?? s.obs.state;
  $('obs-status').textContent = s.obs.reason ? `${obs}: ${s.obs.reason}` : obs;
  $('obs-status').dataset.tone = s.obs.state === 'ready' ? 'good' : s.obs.state === 'failed' || s.obs.state === 'reconnecting' ? 'bad' : '';
  const active = s.state === 'running' || s.state === 'starting';
  $('stat-fps').textContent = active ? s.fps.toFixed(1) : '–';
  $('stat-frames').textContent = String(s.frames);
  $('stat-dropped').textContent = `${s.droppedIn} / ${s.droppedOut}`;
  $('stat-latency').textContent = ms(s.latencyMs);
  $('stat-engine').textContent = ms(s.engineMs);
  $('stat-remasks').textContent = String(s.remasks);
  if (s.message) $('live-message').textContent = s.message;
  else if (active) $('live-message').textContent = '';
}
