/**
 * OBS Studio as a live output: the matte (RGB with its alpha) of a live session shown as a Media Source in
 * OBS, driven over obs-websocket 5 (OBS 28 and newer).
 *
 * Data path: live session → {@link ObsLiveOutput}.send(frame) → rgba-transport.ts (an ffmpeg child: raw
 * RGBA in on stdin, raw RGBA in NUT out over loopback TCP) → OBS's Media Source (`ffmpeg_source`, listening
 * on `tcp://127.0.0.1:PORT?listen=1`) → the program scene, above (and in place of) the camera.
 *
 * - obs-connection.ts keeps the websocket up: backoff reconnects, setup steps re-run after each (an OBS
 *   restarted with an empty collection gets its source back), one sentence and no retries for a refused
 *   password.
 * - live-source.ts creates or updates the Media Source in the program scene and hides the camera.
 * - rgba-transport.ts drops frames rather than queueing them, restarts ffmpeg when OBS went away.
 *
 * Why raw RGBA in NUT: it is the only transport into Debian's OBS 29 that keeps alpha exactly (0/128/255 come
 * back unchanged) at about 0.1 s; VP9 with alpha costs about 1 s and qtrle about 0.8 s on 2 cores
 * (/work/shared/docs/obs-headless.md §5). A browser source (a page drawing the matte) is not an option
 * there: Debian's OBS has no browser source.
 *
 * Latency send() → visible in OBS, 640x360 at 30 fps on the shared 2-core CI machine (no GPU, llvmpipe):
 * median about 105 ms, p90 120 ms (test/bench/obs-transport-bench.ts).
 *
 * Tested against a real OBS under Xvfb: test/integration/obs-*.test.ts, harness test/support/obs-harness.ts.
 */
export { ObsLiveOutput, type ObsCloseOptions, type ObsLiveOutputOptions } from './obs-live-output';
export { ObsConnection, type ObsConnectionOptions } from './obs-connection';
