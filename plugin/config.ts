/**
 * Where the panel finds the local MatAnyone host (`matanyone serve`). The port is a build setting: webpack.config.js
 * defines `__MATANYONE_HOST_PORT__` from `--env port=N` (default bridge/protocol.ts's DEFAULT_PORT) and writes the
 * same port into the manifest's network domains, so that the panel never calls an origin that UXP refuses.
 * Outside webpack (jest, tsc) the constant is not defined and the default applies.
 */
declare const __MATANYONE_HOST_PORT__: number | undefined;

/** The port of the local host: exactly the one the manifest lists. */
export const HOST_PORT: number = typeof __MATANYONE_HOST_PORT__ === 'number' ? __MATANYONE_HOST_PORT__ : 47860;

/** HTTP origin of the host (`GET /health`, previews); a network domain of the manifest. */
export const HOST_ORIGIN = `http://127.0.0.1:${HOST_PORT}`;

/** The host's WebSocket bridge; its origin `ws://127.0.0.1:<port>` is the manifest's other network domain. */
export const BRIDGE_URL = `ws://127.0.0.1:${HOST_PORT}/bridge`;
