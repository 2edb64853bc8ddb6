/**
 * Who may talk to the host. It listens on 127.0.0.1, but a web page in the user's browser can reach
 * 127.0.0.1 too: a page's requests carry its Origin (and, after DNS rebinding, a foreign Host), so both are
 * checked besides the peer address. The pairing token is what really keeps others out; these checks keep a
 * random website from even trying.
 */

/** Whether a socket's remote address is this machine's loopback (127.0.0.0/8, ::1, IPv4-mapped 127.x). */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  return address === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4);
}

function hostName(host: string): string {
  const name = host.startsWith('[') ? host.slice(1, host.indexOf(']')) : host.split(':')[0];
  return name.toLowerCase();
}

function isLoopbackName(name: string): boolean {
  return name === 'localhost' || name === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name);
}

/**
 * Whether a request's Host header names this machine's loopback (or is absent, as in HTTP/1.0). A page that
 * rebinds its own domain to 127.0.0.1 still sends its domain here.
 */
export function isLoopbackHostHeader(host: string | undefined): boolean {
  return host === undefined || isLoopbackName(hostName(host));
}

/**
 * Whether a WebSocket upgrade's Origin may open the bridge: none (native clients, the `ws` package), `null`,
 * `uxp:` / `plugin:`, or the host's own pages (`http://127.0.0.1:<port>`: the page at `/`, the OBS dock, and
 * the panel as the Chromium tests load it). Any other web origin is refused.
 *
 * @remarks `null` is let through on purpose. Which Origin UXP sends on a WebSocket upgrade is not documented:
 * it may send none or `null` (`uxp:` / `plugin:` are guesses), and refusing `null` could lock the real panel
 * out. The cost is that a sandboxed iframe or a `file:` page, whose origin is also `null`, can open the
 * socket; it then gets what any client gets before pairing: `UNAUTHORIZED` for everything but a `hello`
 * with the token, and the connection closed after a few refusals (`bridge-connection.ts`). The token is the
 * real guard; test/integration/readme-host.test.ts holds both halves. A refusal is logged with the origin, so
 * that a panel refused by mistake is easy to diagnose.
 */
export function isAllowedOrigin(origin: string | undefined, port: number): boolean {
  if (origin === undefined || origin === '' || origin === 'null') return true;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  if (url.protocol === 'uxp:' || url.protocol === 'plugin:') return true;
  return url.protocol === 'http:' && isLoopbackName(url.hostname.replace(/^\[|\]$/g, '')) && Number(url.port || 80) === port;
}
