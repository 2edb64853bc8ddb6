/**
 * The job service in a process of its own, driven over the IPC channel by test/support/job-host.ts:
 * `fork('dist/test/support/job-host-child.js', [JSON options])`. Requests are `{id, method, args}` with a
 * JobService method; replies `{id, ok, result | error}`; every job event is sent as `{event}`. `close`
 * closes the service and exits. Tests kill it with SIGKILL to play a host crash.
 *
 * @remarks Why a process: besides crashes, jest runs test code in a vm context where every global lookup
 *   (`Math`, typed arrays) goes through the context's interceptors; the per-pixel loops of the job layer
 *   (quantising, PNG filtering, resizing) run ~20× slower there than in plain Node.
 */
import { isHostError } from '../../native-host/errors';
import { createJobService, type JobServiceOptions } from '../../native-host/jobs/matte-job-service';

export interface HostRequest {
  id: number;
  method: 'submit' | 'cancel' | 'correct' | 'get' | 'list' | 'close';
  args: unknown[];
}

export type HostMessage =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; error: { code?: string; message: string } }
  | { event: { clientId: string; event: string; data: unknown } };

const send = (m: HostMessage) => process.send!(m);

function main(): void {
  const options = JSON.parse(process.argv[2]) as JobServiceOptions;
  const service = createJobService({
    providers: ['cpu'],
    ...options,
    log: { info: () => undefined, bug: (e) => (process.stderr.write(`bug: ${(e as Error)?.stack ?? String(e)}\n`), 'child') },
  });
  service.subscribe((clientId, event, data) => send({ event: { clientId, event, data } }));
  process.on('message', (request: HostRequest) => {
    void (async () => {
      try {
        if (request.method === 'close') {
          await service.close();
          send({ id: request.id, ok: true, result: undefined });
          process.disconnect();
          return;
        }
        const method = service[request.method] as (...args: unknown[]) => unknown;
        send({ id: request.id, ok: true, result: await method.apply(service, request.args as never) });
      } catch (e) {
        send({ id: request.id, ok: false, error: { code: isHostError(e) ? e.code : undefined, message: (e as Error).message } });
      }
    })();
  });
}

main();
