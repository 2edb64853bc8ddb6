// The bridge is on the host and port this page came from (`matanyone serve --port N` moves both), so the
// address is read from the page's own location rather than written into it. A separate file, not an
// inline script: the host's Content-Security-Policy allows scripts from 'self' only.
document.getElementById('bridge-url').textContent = 'ws://' + location.host + '/bridge';
document.getElementById('dock-url').textContent = 'http://' + location.host + '/dock/';
