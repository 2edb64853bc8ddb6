import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { MAX_MESSAGE_BYTES, PROTOCOL_VERSION, ResponseMessage } from '../../bridge/protocol';
import type { JobService } from '../../native-host/jobs/job-service';
import { createJobService } from '../../native-host/jobs/matte-job-service';
import { memoryLog, RawClient, startTestHost, TestHost } from '../support/bridge-host';
import { fixtureModel } from '../support/engine-fixture';
import { ffmpeg, PARITY_A } from '../support/video-fixtures';

/** mulberry32: the same "random" messages on every run, so a failure can be replayed. */
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Frame {
  data: string | Buffer;
  binary?: boolean;
  /** the request id the answer must carry, when the message has a readable one */
  id?: string | number;
}

const AUTH_FAILURES = 50;

/** Malformed, hostile or merely wrong messages, each of which must get exactly one error answer. */
function generators(random: () => number, root: string): ((n: number) => Frame)[] {
  const int = (n: number) => Math.floor(random() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)];
  const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => int(256)));
  const request = (id: string | number, method: string, params: unknown): Frame => ({ data: JSON.stringify({ type: 'request', id, method, params }), id });
  const nested = (depth: number, leaf = '0') => '['.repeat(depth) + leaf + ']'.repeat(depth);
  const box = { kind: 'box', x: 0, y: 0, width: 4, height: 4 };
  const still = {
    image: { path: path.join(root, 'still.rgb'), width: 4, height: 4, channels: 3 },
    mask: { path: path.join(root, 'still.grey'), width: 4, height: 4 },
    out: path.join(root, 'still-alpha.grey'),
  };
  const submit = (p: Record<string, unknown>) => ({ media: path.join(root, 'clip.mp4'), targets: [{ mask: box }], outputs: [{ kind: 'prores4444' }], ...p });
  const escapes = [
    '/etc/passwd', `${root}/../etc/passwd`, `${root}/%2e%2e/x`, `${root}/a\0b`, 'relative.mp4', '~/clip.mp4', '\\\\server\\share\\a.mp4',
    'C:..\\a.mp4', `${root}2/x.mp4`, `file://${root}/clip.mp4`, `${root}/link-out/secret`, `${root}\\..\\x`,
  ];
  return [
    // bytes that are not UTF-8 (as text frames) and binary frames
    () => ({ data: bytes(1 + int(300)) }),
    () => ({ data: bytes(int(300)), binary: true }),
    // text that is not JSON
    () => ({ data: Array.from({ length: 1 + int(80) }, () => String.fromCharCode(32 + int(95))).join('') + '{' }),
    // JSON of the wrong shape
    () => ({ data: pick(['null', '42', '"text"', '[]', '[1,2,3]', '{}', 'true', '{"type":"request"}', '{"type":"response","id":1,"ok":true}', '{"type":"event","event":"jobFinished","data":{}}']) }),
    () => ({ data: JSON.stringify({ type: 'request', id: pick([{}, [], -1, 1.5, '', 'x'.repeat(65), null, true]), method: 'listJobs', params: {} }) }),
    (n) => ({ data: JSON.stringify({ type: 'request', id: n, method: pick([42, null, 'x'.repeat(65), ['getJob']]), params: {} }), id: n }),
    // unknown methods, including the names of Object.prototype's members
    (n) => request(n, pick(['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'prototype', 'deleteAll', 'hello ', 'HELLO', 'submitmatte', '']), {}),
    // wrong parameter types for each method
    (n) =>
      request(n, ...pick<[string, unknown]>([
        ['getJob', { jobId: 5 }], ['getJob', { jobId: '../../x' }], ['getJob', {}], ['cancelJob', { jobId: 'a'.repeat(65) }], ['cancelJob', []],
        ['listJobs', { extra: 1 }], ['listJobs', 'x'], ['submitMatte', { media: 7 }], ['submitMatte', submit({ targets: [] })],
        ['submitMatte', submit({ outputs: [{ kind: 'gif' }] })], ['submitMatte', submit({ range: { from: -1 } })], ['submitMatte', submit({ media: '' })],
        ['correctMask', { jobId: 'j', frame: 1.5, mask: box }], ['correctMask', { jobId: 'j', frame: 0, mask: { kind: 'png' } }],
        ['getPreview', { media: 5 }], ['getPreview', { media: '/x', frame: 1e9 }], ['getPreview', { media: '/x', maxSize: 1 }], ['hello', {}],
      ])),
    // well-formed requests with paths outside the roots or with escape tricks
    (n) => request(n, 'submitMatte', submit({ media: pick(escapes) })),
    (n) => request(n, 'submitMatte', submit({ outDir: pick(escapes) })),
    (n) => request(n, 'submitMatte', submit({ targets: [{ mask: { kind: 'path', path: pick(escapes) } }] })),
    (n) => request(n, 'getPreview', { media: pick(escapes), frame: int(10) }),
    (n) => request(n, 'refineStill', { ...still, [pick(['image', 'mask'] as const)]: { ...still.image, path: pick(escapes) } }),
    (n) => request(n, 'refineStill', { ...still, out: pick(escapes) }),
    // protocol 2's methods and masks, malformed or on jobs that do not exist
    (n) =>
      request(n, ...pick<[string, unknown]>([
        ['getJobFrame', { jobId: `nope${int(5)}`, frame: int(10) }], ['getJobFrame', { jobId: 'j', frame: -1 }], ['getJobFrame', { jobId: 'j', frame: 0, maxSize: 8 }],
        ['refineStill', { ...still, image: { ...still.image, channels: 2 } }], ['refineStill', { ...still, mask: { path: still.mask.path, width: 0, height: 1 } }],
        ['refineStill', { ...still, image: { ...still.image, width: 16385 } }], ['refineStill', {}],
        ['correctMask', { jobId: 'j', frame: 0, mask: { kind: 'drawing', shapes: [] } }],
        ['correctMask', { jobId: 'j', frame: 0, mask: { kind: 'drawing', shapes: [{ type: 'stroke', points: [], radius: 3 }] } }],
        ['correctMask', { jobId: 'j', frame: 0, mask: { kind: 'drawing', shapes: [{ type: 'box', x: 0, y: 0, width: -1, height: 1 }], base: 'alpha' } }],
        ['submitMatte', submit({ targets: [{ mask: { kind: 'drawing', shapes: [{ type: 'circle' }] } }] })],
      ])),
    // out-of-order and duplicate ids on jobs that do not exist
    () => request(pick([int(1e9), 7, 7, 'dup', 'dup', Number.MAX_SAFE_INTEGER]), pick(['getJob', 'cancelJob']), { jobId: `nope${int(5)}` }),
    // a second hello
    (n) => request(n, 'hello', { token: 'whatever', protocol: PROTOCOL_VERSION, client: { name: 'again' } }),
    // deeply nested JSON, as a whole message and inside a field
    () => ({ data: nested(1000 + int(100_000)) }),
    (n) => ({ data: `{"type":"request","id":${n},"method":"getJob","params":{"jobId":${nested(1000 + int(50_000), '"x"')}}}`, id: n }),
    // prototype pollution attempts
    (n) => ({ data: `{"type":"request","id":${n},"method":"listJobs","params":{"__proto__":{"polluted":true}}}`, id: n }),
    (n) => ({ data: `{"__proto__":{"type":"request","id":${n},"method":"listJobs","params":{}}}` }),
    (n) => ({ data: `{"type":"request","id":${n},"method":"getJob","params":{"constructor":{"prototype":{"polluted":true}},"jobId":"nope"}}`, id: n }),
    (n) => ({ data: `{"type":"request","id":${n},"method":"submitMatte","params":{"__proto__":{"media":"/etc/passwd"},"targets":[],"outputs":[]}}`, id: n }),
  ];
}

/** What a connection that has not said hello sends: requests, wrong tokens, garbage. */
function strangerFrame(random: () => number, n: number): Frame {
  const int = (k: number) => Math.floor(random() * k);
  const hello = (params: unknown): Frame => ({ data: JSON.stringify({ type: 'request', id: n, method: 'hello', params }), id: n });
  switch (int(8)) {
    case 0:
      return { data: JSON.stringify({ type: 'request', id: n, method: ['listJobs', 'submitMatte', 'getPreview', 'cancelJob', '__proto__'][int(5)], params: {} }), id: n };
    case 1:
      return hello({ token: Buffer.from(Array.from({ length: 32 }, () => int(256))).toString('base64url'), protocol: PROTOCOL_VERSION, client: { name: 'guess' } });
    case 2:
      return hello({ token: ['', 5, null, 'x'.repeat(300), { $ne: '' }][int(5)], protocol: PROTOCOL_VERSION, client: { name: 'guess' } });
    case 3:
      return hello({ token: 'x'.repeat(43), protocol: PROTOCOL_VERSION + 1, client: { name: 'future' } });
    case 4:
      return { data: `{"type":"request","id":${n},"method":"hello","params":{"__proto__":{"token":"x"},"protocol":1,"client":{"name":"p"}}}`, id: n };
    case 5:
      return { data: Buffer.from(Array.from({ length: 1 + int(100) }, () => int(256))), binary: int(2) === 0 };
    case 6:
      return { data: 'x'.repeat(64 * 1024 + 1) };
    default:
      return { data: '{"type":"request","id":' };
  }
}

describe('fuzz: the host answers every bad message with an error and stays up', () => {
  let base: string;
  let root: string;
  let host: TestHost;
  let jobs: JobService;
  let model: Awaited<ReturnType<typeof fixtureModel>>;
  const jobsLog = memoryLog();
  beforeAll(async () => {
    model = await fixtureModel();
    base = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'matanyone-fuzz-')));
    root = path.join(base, 'root');
    fs.mkdirSync(path.join(base, 'outside'), { recursive: true });
    fs.mkdirSync(root);
    ffmpeg(['-framerate', '25', '-i', path.join(PARITY_A, 'frame_%04d.png'), '-frames:v', '3', '-c:v', 'libx264', '-pix_fmt', 'yuv444p', path.join(root, 'clip.mp4')]);
    fs.copyFileSync(path.join(PARITY_A, 'mask.png'), path.join(root, 'mask.png'));
    fs.symlinkSync(path.join(base, 'outside'), path.join(root, 'link-out'));
    // The real jobs layer (SQLite store, engine on the CPU), as `matanyone serve` builds it.
    jobs = createJobService({ dataDir: path.join(base, 'data'), providers: 'cpu', log: jobsLog });
    // Rate limits are lifted here so that every message reaches the parser (they have their own test).
    host = await startTestHost({ roots: [root, path.dirname(model.dir)], jobs, limits: { ratePerSecond: 1e9, rateBurst: 1e9, maxInFlight: 1e9, maxAuthFailures: AUTH_FAILURES } });
  });
  afterAll(async () => {
    await host.close();
    await jobs.close();
    model.cleanup();
    fs.rmSync(base, { recursive: true, force: true });
  });

  test('≥ 10,000 malformed, oversized, out-of-order and unauthenticated messages', async () => {
    const random = prng(20250101);
    const gens = generators(random, root);
    const counts = { sent: 0, answered: 0, errors: 0, closedForSize: 0, closedForAuthFailures: 0, byCode: {} as Record<string, number> };
    const tally = (client: RawClient, frames: Frame[]) => {
      counts.answered += client.responses.length;
      for (const r of client.responses) {
        expect(ResponseMessage.safeParse(r).success).toBe(true);
        if (!r.ok) {
          counts.errors++;
          counts.byCode[r.error.code] = (counts.byCode[r.error.code] ?? 0) + 1;
        }
      }
      // every readable id comes back (as many times as it was sent)
      const sentIds = frames.filter((f) => f.id !== undefined).map((f) => String(f.id)).sort();
      const gotIds = client.responses.map((r) => String(r.id));
      const remaining = new Map<string, number>();
      for (const id of gotIds) remaining.set(id, (remaining.get(id) ?? 0) + 1);
      for (const id of sentIds) {
        expect([id, remaining.get(id) ?? 0]).not.toEqual([id, 0]);
        remaining.set(id, remaining.get(id)! - 1);
      }
      expect(client.strays).toEqual([]);
    };

    // 1. Paired connections: 3 × 2,700 bad messages, all sent at once, then every answer awaited.
    await Promise.all(
      [0, 1, 2].map(async () => {
        const c = await RawClient.paired(host.server.bridgeUrl, host.token, 'fuzzer');
        const frames = Array.from({ length: 2700 }, (_, i) => gens[Math.floor(random() * gens.length)](i + 1));
        for (const f of frames) c.send(f.data, f.binary);
        counts.sent += frames.length;
        await c.waitFor(frames.length, 50_000);
        expect(c.responses).toHaveLength(frames.length);
        expect(c.responses.every((r) => !r.ok)).toBe(true);
        tally(c, frames);
        c.close();
      }),
    );

    // 2. Strangers: 42 connections that never pair, each closed after its 50th refused message.
    for (let k = 0; k < 42; k++) {
      const c = await RawClient.open(host.server.bridgeUrl);
      const frames = Array.from({ length: AUTH_FAILURES }, (_, i) => strangerFrame(random, i + 1));
      for (const f of frames) c.send(f.data, f.binary);
      counts.sent += frames.length;
      const closed = await c.closed;
      expect(closed).toEqual({ code: 1008, reason: 'too many failed attempts' });
      counts.closedForAuthFailures++;
      expect(c.responses).toHaveLength(frames.length);
      expect(c.responses.every((r) => !r.ok && ['UNAUTHORIZED', 'BAD_MESSAGE', 'PROTOCOL_VERSION', 'MESSAGE_TOO_LARGE'].includes(r.error.code))).toBe(true);
      tally(c, frames);
    }

    // 3. Huge messages: just under the limit (answered), over it (the connection is closed with 1009).
    const huge = await RawClient.paired(host.server.bridgeUrl, host.token, 'fuzzer');
    for (let i = 0; i < 2; i++) {
      const head = `{"type":"request","id":"huge${i}","method":"getJob","params":{"jobId":"`;
      const tail = '"}}';
      huge.send(head + 'j'.repeat(MAX_MESSAGE_BYTES - head.length - tail.length - i) + tail);
    }
    counts.sent += 2;
    await huge.waitFor(2);
    expect(huge.responses.map((r) => [r.id, !r.ok && r.error.code])).toEqual([
      ['huge0', 'BAD_MESSAGE'],
      ['huge1', 'BAD_MESSAGE'],
    ]);
    tally(huge, []);
    huge.close();
    for (const paired of [true, true, true, false]) {
      const c = paired ? await RawClient.paired(host.server.bridgeUrl, host.token, 'fuzzer') : await RawClient.open(host.server.bridgeUrl);
      c.send(Buffer.alloc(MAX_MESSAGE_BYTES + 1, 0x20));
      counts.sent++;
      expect((await c.closed).code).toBe(1009);
      counts.closedForSize++;
      expect(c.responses).toHaveLength(0);
    }

    const message =
      `fuzz: ${counts.sent} messages sent, ${counts.answered} answered (${counts.errors} errors, ${counts.answered - counts.errors} successes), ` +
      `${counts.closedForSize} oversized closed with 1009, ${counts.closedForAuthFailures} stranger connections closed with 1008 after ${AUTH_FAILURES} refusals; ` +
      `codes: ${Object.entries(counts.byCode).sort().map(([c, n]) => `${c} ${n}`).join(', ')}`;
    console.log(message);
    expect(counts.sent).toBeGreaterThanOrEqual(10_000);
    expect(counts.answered + counts.closedForSize).toBe(counts.sent);
    expect(counts.errors).toBe(counts.answered);
    expect(counts.byCode.INTERNAL).toBeUndefined();
    expect(host.log.bugs).toEqual([]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(jobsLog.bugs).toEqual([]);
    expect(fs.readdirSync(path.join(base, 'data', 'jobs'))).toEqual([]);

    // Afterwards the host is up, and a normal job goes through the real engine from start to finish.
    expect(await (await fetch(`${host.server.url}/health`)).json()).toMatchObject({ ok: true });
    const client = await host.client();
    const finished = new Promise((resolve, reject) => {
      client.on('jobFinished', resolve);
      client.on('jobFailed', (f) => reject(new Error(f.error.message)));
    });
    const { jobId } = await client.call('submitMatte', {
      media: path.join(root, 'clip.mp4'),
      targets: [{ mask: { kind: 'path', path: path.join(root, 'mask.png') } }],
      outputs: [{ kind: 'alpha', depth: 8 }],
      outDir: path.join(root, 'out'),
      model: model.dir,
      settings: { warmup: 1 },
    });
    expect(await finished).toMatchObject({ jobId });
    expect(await client.call('getJob', { jobId })).toMatchObject({ state: 'finished' });
    expect(fs.readdirSync(path.join(root, 'out', 'alpha'))).toHaveLength(3);
    client.close();
  }, 90_000);
});
