/**
 * Compile-time checks of the typed bridge client: each misuse below must NOT compile. This file is no jest
 * test (nothing runs it); `tsc -p tsconfig.json` compiles it as part of test/, in `npm run typecheck` and
 * as the first step of `npm test`. If a misuse ever compiles (the client's types got looser), its
 * `@ts-expect-error` is unused, which tsc reports as error TS2578, and `npm test` fails before jest starts.
 * (Under `npx jest` alone, swc strips types and checks nothing: run `npm run typecheck`.)
 */
import type { BridgeClient } from '../../bridge/client';

export function bridgeClientMisuse(c: BridgeClient): void {
  // @ts-expect-error: unknown method
  void c.call('formatDisk', {});
  // @ts-expect-error: getJob needs a jobId
  void c.call('getJob', {});
  // @ts-expect-error: the result of submitMatte has no `frames`
  void c.call('submitMatte', { media: '/m', targets: [], outputs: [] }).then((r) => r.frames);
  // @ts-expect-error: unknown event
  c.on('jobExploded', () => {});
  // …while correct use compiles: events are typed per name.
  c.on('jobProgress', (p) => p.frame.toFixed());
}
