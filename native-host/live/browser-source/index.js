// The page of BrowserLiveOutput (native-host/live/browser-output.ts; the wire format is described there):
// draws each frame the moment it arrives and says so, which lets the host send the next one.
'use strict';
(function () {
  const HEADER_BYTES = 16;
  const canvas = document.getElementById('frame');
  const context = canvas.getContext('2d', { alpha: true });
  let retryMs = 100;

  function draw(socket, data) {
    const receivedAt = performance.now();
    const header = new DataView(data, 0, HEADER_BYTES);
    const index = header.getUint32(0, true);
    const width = header.getUint32(4, true);
    const height = header.getUint32(8, true);
    if (data.byteLength !== HEADER_BYTES + width * height * 4) return; // not a frame: nothing to draw or ack
    if (canvas.width !== width || canvas.height !== height) {
      canvas.width = width;
      canvas.height = height;
    }
    context.putImageData(new ImageData(new Uint8ClampedArray(data, HEADER_BYTES), width, height), 0, 0);
    socket.send(JSON.stringify({ type: 'drawn', index: index, receivedAt: receivedAt, drawnAt: performance.now() }));
  }

  function connect() {
    const socket = new WebSocket('ws://' + location.host + '/frames');
    socket.binaryType = 'arraybuffer';
    socket.onopen = function () {
      retryMs = 100;
    };
    socket.onmessage = function (event) {
      if (typeof event.data !== 'string') return draw(socket, event.data);
      let m;
      try {
        m = JSON.parse(event.data);
      } catch (e) {
        return;
      }
      if (m.type === 'ping') socket.send(JSON.stringify({ type: 'pong', t: m.t, now: performance.now() }));
    };
    // The host quit or restarted: keep the last picture and try again, backing off up to 2 s.
    socket.onclose = function () {
      setTimeout(connect, retryMs);
      retryMs = Math.min(retryMs * 2, 2000);
    };
  }

  connect();
})();
