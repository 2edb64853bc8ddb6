import type { JobProgress } from '../../bridge/jobs';
import { FakeJobService, RawClient, startTestHost, TestHost } from '../support/bridge-host';
import { StalledClient } from '../support/stalled-client';

const EVENT_BUFFER = 1024 * 1024;
const progress = (jobId: string, frame: number): JobProgress => ({ jobId, phase: 'matte', frame, total: 1_000_000, fps: 25.5, etaSeconds: 1234.5 });

describe('a client that stops reading', () => {
  let host: TestHost;
  let jobs: FakeJobService;
  beforeAll(async () => {
    jobs = new FakeJobService();
    host = await startTestHost({ jobs, limits: { eventBufferBytes: EVENT_BUFFER }, heartbeatSeconds: 3600 });
  });
  afterAll(() => host.close());

  test("does not slow the jobs layer's events; its buffer stays bounded; it gets the latest progress when it reads again", async () => {
    const stalled = await StalledClient.pairedThenStalled(host.server.port, host.token, 'frozen');
    const healthy = await RawClient.paired(host.server.bridgeUrl, host.token, 'healthy');
    const [frozenId, healthyId] = host.server.connections().map((c) => c.clientId!);
    expect(frozenId).toMatch(/^frozen:/);

    // 3 jobs × 100,000 progress events (≈ 40 MB of JSON) for the frozen client, and every 100th event
    // also for a healthy client on the same host.
    const JOBS = ['jobA', 'jobB', 'jobC'];
    const EVENTS = 100_000;
    let slowest = 0;
    const started = performance.now();
    for (let frame = 1; frame <= EVENTS; frame++) {
      for (const jobId of JOBS) {
        const t = performance.now();
        jobs.emit(frozenId, 'jobProgress', progress(jobId, frame));
        slowest = Math.max(slowest, performance.now() - t);
      }
      if (frame % 100 === 0) jobs.emit(healthyId, 'jobProgress', progress('jobH', frame));
    }
    const seconds = (performance.now() - started) / 1000;
    const frozen = host.server.connections().find((c) => c.clientId === frozenId)!;
    console.log(
      `slow client: ${JOBS.length * EVENTS} events emitted in ${seconds.toFixed(2)} s (slowest emit ${slowest.toFixed(2)} ms); ` +
        `frozen client: ${frozen.bufferedAmount} bytes buffered, ${frozen.heldProgress} held, ${frozen.droppedProgress} dropped`,
    );
    expect(slowest).toBeLessThan(100);
    expect(seconds).toBeLessThan(10);
    // what the host keeps for the frozen client: at most the limit plus one message, and one event per job
    expect(frozen.bufferedAmount).toBeLessThanOrEqual(EVENT_BUFFER + 512);
    expect(frozen.heldProgress).toBeLessThanOrEqual(JOBS.length);
    expect(frozen.droppedProgress).toBeGreaterThan(JOBS.length * EVENTS * 0.5);

    // the healthy client got every one of its events
    const deadline = Date.now() + 10_000;
    while (healthy.events.length < EVENTS / 100 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(healthy.events).toHaveLength(EVENTS / 100);
    expect(healthy.events[healthy.events.length - 1].data).toMatchObject({ jobId: 'jobH', frame: EVENTS });

    // reading again, the frozen client catches up with the last progress of each job
    stalled.resume();
    const last = new Map<string, number>();
    const until = Date.now() + 20_000;
    while (JOBS.some((j) => last.get(j) !== EVENTS) && Date.now() < until) {
      await stalled.waitForTexts(stalled.texts.length + 1, 2_000).catch(() => undefined);
      for (const text of stalled.texts.splice(0)) {
        const m = JSON.parse(text) as { event: string; data: JobProgress };
        if (m.event === 'jobProgress') last.set(m.data.jobId, m.data.frame);
      }
    }
    expect(Object.fromEntries(last)).toEqual({ jobA: EVENTS, jobB: EVENTS, jobC: EVENTS });
    stalled.close();
    healthy.close();
  }, 60_000);

  test('a client that stays stalled past the hard limit is dropped; other events never wait for it', async () => {
    const strict = await startTestHost({ limits: { eventBufferBytes: 64 * 1024, maxBufferedBytes: 1024 * 1024 }, heartbeatSeconds: 3600 });
    const fake = strict.jobs as FakeJobService;
    try {
      const stalled = await StalledClient.pairedThenStalled(strict.server.port, strict.token, 'frozen');
      const id = strict.server.connections()[0].clientId!;
      // Events other than progress are never dropped, so they fill the buffer until the client is cut off.
      for (let i = 0; i < 200_000 && strict.server.connections().length > 0; i++) fake.emit(id, 'jobQueued', { jobId: `job${i}`, position: i });
      const deadline = Date.now() + 5_000;
      while (strict.server.connections().length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      expect(strict.server.connections()).toEqual([]);
      expect(strict.log.lines.some((l) => /client frozen:\S+ has not read \d+ bytes; dropping it/.test(l))).toBe(true);
      stalled.close();
      expect((await fetch(`${strict.server.url}/health`)).status).toBe(200);
    } finally {
      await strict.close();
    }
  });

  test('a client that vanished (no pong to a ping) is dropped', async () => {
    const quick = await startTestHost({ heartbeatSeconds: 0.2 });
    try {
      const gone = await StalledClient.pairedThenStalled(quick.server.port, quick.token, 'gone');
      const alive = await RawClient.paired(quick.server.bridgeUrl, quick.token, 'alive');
      const deadline = Date.now() + 5_000;
      while (quick.server.connections().length > 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(quick.server.connections().map((c) => c.clientId?.split(':')[0])).toEqual(['alive']);
      gone.close();
      alive.close();
    } finally {
      await quick.close();
    }
  });
});
