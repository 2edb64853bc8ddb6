import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import sharp from 'sharp';
import type { BridgeClient } from '../../bridge/client';
import type { DrawnShape } from '../../bridge/media';
import { HOST_FEATURES, type EventData, type EventName } from '../../bridge/protocol';
import { JobFolder } from '../../native-host/jobs/job-folder';
import { subjectOf } from '../../native-host/jobs/mask-input';
import { rasteriseDrawing } from '../../native-host/jobs/stroke-raster';
import { overlayMatte } from '../../native-host/server/job-frame';
import { RawClient } from '../support/bridge-host';
import { fixtureFrame, fixtureModel } from '../support/engine-fixture';
import { PARITY_DIR } from '../support/parity-fixture';
import { connect, serve, Served } from '../support/serve-host';

const W = 426;
const H = 240;
/** Fixture frame i as RGB24. */
const frameRgb = async (i: number) => (await fixtureFrame(i)).rgb as Uint8Array;

/**
 * Protocol 2 against the real thing: `matanyone serve` in its own process (CPU engine, SQLite, ffmpeg) on
 * the fixture clip, driven by the panels' BridgeClient.
 */
describe('protocol 2 end to end (serve + bridge client)', () => {
  let tmp: string;
  let footage: string;
  let model: Awaited<ReturnType<typeof fixtureModel>>;
  let host: Served;
  let panel: BridgeClient;
  const dataDir = () => path.join(tmp, 'data');
  let jobA = '';
  let jobB = '';

  beforeAll(async () => {
    tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'matanyone-v2-')));
    footage = path.join(tmp, 'footage');
    fs.mkdirSync(footage);
    fs.mkdirSync(path.join(tmp, 'home'));
    model = await fixtureModel();
    const env = { HOME: path.join(tmp, 'home'), MATANYONE_CONFIG: path.join(tmp, 'config'), MATANYONE_HOME: path.join(tmp, 'cache') };
    host = await serve(['--port', '0', '--ep', 'cpu', '--data', dataDir(), '--allow', footage, '--allow', PARITY_DIR, '--allow', path.dirname(model.dir)], env);
    panel = await connect(host.url, host.token, 'v2-panel-0001');
  });
  afterAll(async () => {
    panel?.close();
    host?.child.kill('SIGTERM');
    await host?.exited;
    model?.cleanup();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  /** Resolves with the next event `name` of `jobId` (after this call); rejects on jobFailed. */
  function next<E extends EventName>(name: E, jobId: string): Promise<EventData<E>> {
    return new Promise((resolve, reject) => {
      const off = panel.on(name, (d) => {
        if ((d as { jobId: string }).jobId !== jobId) return;
        off();
        resolve(d);
      });
      panel.on('jobFailed', (f) => f.jobId === jobId && reject(new Error(`${f.error.code}: ${f.error.message}`)));
    });
  }

  const decodePng = async (png: string) => {
    const { data, info } = await sharp(Buffer.from(png, 'base64')).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    return { data: new Uint8Array(data), width: info.width, height: info.height };
  };

  test('hello says protocol 2 and its features; /version too; a protocol-1 panel is told to update', async () => {
    expect(panel.hostFeatures).toEqual([...HOST_FEATURES]);
    expect(await (await fetch(`${host.url}/version`)).json()).toEqual({ version: expect.any(String), protocol: 2 });
    const old = await RawClient.open(`${host.url.replace('http', 'ws')}/bridge`);
    old.request('hello', { token: host.token, protocol: 1, client: { name: 'old-panel' } }, 1);
    await old.waitFor(1);
    expect(old.responses[0]).toMatchObject({ ok: false, error: { code: 'PROTOCOL_VERSION', message: 'this host speaks protocol 2; the panel speaks 1: update the panel' } });
    old.close();
  });

  test('JobInfo has the range, frame total and version; getJobFrame draws the stored matte over the frame, owner only, inside the range', async () => {
    ({ jobId: jobA } = await panel.call('submitMatte', {
      media: PARITY_DIR,
      targets: [{ mask: { kind: 'path', path: path.join(PARITY_DIR, 'mask.png') } }],
      outputs: [{ kind: 'alpha', depth: 16 }, { kind: 'prores4444' }, { kind: 'luma' }, { kind: 'composite', color: [0, 255, 0] }],
      outDir: path.join(footage, 'a'),
      model: model.dir,
      settings: { warmup: 1 },
    }));
    const finishedA = next('jobFinished', jobA);
    // B waits behind A (one job at a time): inside its range, but nothing computed yet.
    ({ jobId: jobB } = await panel.call('submitMatte', {
      media: PARITY_DIR,
      range: { from: 2, to: 5 },
      targets: [{ mask: { kind: 'drawing', shapes: [{ type: 'box', x: 120, y: 20, width: 200, height: 200 }] } }],
      outputs: [{ kind: 'alpha', depth: 8 }],
      outDir: path.join(footage, 'b'),
      model: model.dir,
      settings: { warmup: 1 },
    }));
    const finishedB = next('jobFinished', jobB);
    expect(await panel.call('getJob', { jobId: jobB })).toMatchObject({ state: 'queued', range: { from: 2 }, version: 1 });
    const plain = await panel.call('getJobFrame', { jobId: jobB, frame: 3 });
    expect(plain).toMatchObject({ hasAlpha: false, frame: 3, width: W, height: H, sourceWidth: W, sourceHeight: H });
    expect((await decodePng(plain.png)).data).toEqual(await frameRgb(3));
    await expect(
      panel.call('correctMask', { jobId: jobB, frame: 2, mask: { kind: 'drawing', base: 'alpha', shapes: [{ type: 'box', x: 0, y: 0, width: 9, height: 9 }] } }),
    ).rejects.toMatchObject({ code: 'JOB_STATE' });

    const outputs = (await finishedA).outputs;
    await finishedB;
    const a = path.join(footage, 'a');
    expect(outputs.map((o) => o.path).sort()).toEqual(['alpha', 'composite.mp4', 'matte-luma.mov', 'matte.mov'].map((n) => path.join(a, n)));
    expect(await panel.call('getJob', { jobId: jobA })).toMatchObject({ state: 'finished', range: { from: 0, to: 11 }, frameTotal: 12, version: 1 });
    expect(await panel.call('getJob', { jobId: jobB })).toMatchObject({ state: 'finished', range: { from: 2, to: 5 }, frameTotal: 4, version: 1 });

    // The overlay equals the documented formula over the decoded frame and the job's stored alpha.
    const shown = await panel.call('getJobFrame', { jobId: jobA, frame: 5 });
    expect(shown).toMatchObject({ hasAlpha: true, frame: 5, width: W, height: H, sourceWidth: W, sourceHeight: H });
    const { alpha } = await new JobFolder(dataDir(), jobA).readAlpha(0, 5);
    const expected = overlayMatte(await frameRgb(5), alpha);
    const got = (await decodePng(shown.png)).data;
    let worst = 0;
    for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i] - expected[i]));
    console.log(`getJobFrame vs rgb·α + (0.25·rgb + 0.35·magenta)·(1 − α): max ${worst} (8-bit units)`);
    expect(worst).toBeLessThanOrEqual(1);
    // Independently of overlayMatte: a subject pixel is untouched, a background pixel darkened and tinted.
    const rgb5 = await frameRgb(5);
    const fg = alpha.findIndex((v) => v === 1);
    const bg = alpha.findIndex((v) => v === 0);
    expect([...got.subarray(3 * fg, 3 * fg + 3)]).toEqual([...rgb5.subarray(3 * fg, 3 * fg + 3)]);
    expect([...got.subarray(3 * bg, 3 * bg + 3)]).toEqual([0.25 * rgb5[3 * bg] + 89.25, 0.25 * rgb5[3 * bg + 1], 0.25 * rgb5[3 * bg + 2] + 89.25].map(Math.round));

    expect(await panel.call('getJobFrame', { jobId: jobA, frame: 5, maxSize: 213 })).toMatchObject({ width: 213, height: 120, sourceWidth: W, hasAlpha: true });
    await expect(panel.call('getJobFrame', { jobId: jobA, frame: 12 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/0…11/) });
    await expect(panel.call('getJobFrame', { jobId: jobB, frame: 1 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/2…5/) });
    await expect(panel.call('getJobFrame', { jobId: jobA, frame: 5, target: 1 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    const stranger = await connect(host.url, host.token);
    await expect(stranger.call('getJobFrame', { jobId: jobA, frame: 5 })).rejects.toMatchObject({ code: 'JOB_NOT_FOUND' });
    stranger.close();
  }, 300_000);

  test('a correction renders version 2 beside version 1; a drawing on base alpha edits the matte the user sees', async () => {
    const a = path.join(footage, 'a');
    const v1 = ['alpha', 'composite.mp4', 'matte-luma.mov', 'matte.mov'].map((n) => path.join(a, n));
    const v1Bytes = v1.filter((f) => f.endsWith('.mov')).map((f) => fs.readFileSync(f));
    await expect(
      panel.call('submitMatte', {
        media: PARITY_DIR,
        targets: [{ mask: { kind: 'drawing', base: 'alpha', shapes: [{ type: 'box', x: 0, y: 0, width: 9, height: 9 }] } }],
        outputs: [{ kind: 'luma' }],
        outDir: path.join(footage, 'never'),
      }),
    ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/correctMask only/) });

    // A box with an erased hole, at frame 7.
    const drawn: DrawnShape[] = [
      { type: 'box', x: 120, y: 20, width: 200, height: 200 },
      { type: 'stroke', points: [[220, 120], [230, 125]], radius: 20, erase: true },
    ];
    let finished = next('jobFinished', jobA);
    expect(await panel.call('correctMask', { jobId: jobA, frame: 7, mask: { kind: 'drawing', shapes: drawn } })).toEqual({ jobId: jobA, fromFrame: 7 });
    // Frame 7 has no matte until the re-run computes it again (7 engine steps away).
    await expect(
      panel.call('correctMask', { jobId: jobA, frame: 7, mask: { kind: 'drawing', base: 'alpha', shapes: drawn } }),
    ).rejects.toMatchObject({ code: 'JOB_STATE', message: expect.stringMatching(/frame 7 has no matte yet \(frames 0…6 have one\)/) });
    const v2 = (await finished).outputs.map((o) => o.path).sort();
    expect(v2).toEqual(['alpha-v2', 'composite-v2.mp4', 'matte-luma-v2.mov', 'matte-v2.mov'].map((n) => path.join(a, n)));
    for (const f of [...v1, ...v2]) expect(fs.existsSync(f)).toBe(true);
    expect(v1.filter((f) => f.endsWith('.mov')).map((f) => fs.readFileSync(f))).toEqual(v1Bytes); // untouched
    expect(fs.readdirSync(path.join(a, 'alpha-v2'))).toHaveLength(12);
    expect(await panel.call('getJob', { jobId: jobA })).toMatchObject({ state: 'finished', version: 2, corrections: [7], outputs: expect.arrayContaining([expect.objectContaining({ path: path.join(a, 'matte-v2.mov') })]) });
    const seven = await new JobFolder(dataDir(), jobA).readAlpha(0, 7);
    expect([seven.alpha[100 * W + 150], seven.alpha[122 * W + 225], seven.alpha[5 * W + 5]]).toEqual([1, 0, 0]); // box, hole, outside

    // Base 'alpha' at frame 3: the current matte with a strip erased; the stored correction is exactly that.
    const before3 = await new JobFolder(dataDir(), jobA).readAlpha(0, 3);
    const erase: DrawnShape[] = [{ type: 'box', x: 0, y: 100, width: W, height: 30, erase: true }];
    finished = next('jobFinished', jobA);
    await panel.call('correctMask', { jobId: jobA, frame: 3, target: 'mask', mask: { kind: 'drawing', base: 'alpha', shapes: erase } });
    const v3 = (await finished).outputs.map((o) => o.path).sort();
    expect(v3).toEqual(['alpha-v3', 'composite-v3.mp4', 'matte-luma-v3.mov', 'matte-v3.mov'].map((n) => path.join(a, n)));
    const stored = await sharp(path.join(dataDir(), 'jobs', jobA, 'masks', 'correction-000003-0.png')).extractChannel(0).raw().toBuffer();
    const base = subjectOf(before3.alpha, { width: W, height: H });
    expect(new Uint8Array(stored)).toEqual(rasteriseDrawing(erase, W, H, base));
    expect(base.some((v, i) => v === 255 && Math.floor(i / W) >= 100 && Math.floor(i / W) < 130)).toBe(true); // the strip did hold subject
    expect(await panel.call('getJob', { jobId: jobA })).toMatchObject({ version: 3, corrections: [3, 7] });
  }, 300_000);

  test("refineStill equals frame 0's alpha of a job with the same settings; sizes, masks and paths are checked", async () => {
    const rgb = await frameRgb(0);
    const grey = await sharp(path.join(PARITY_DIR, 'mask.png')).extractChannel(0).raw().toBuffer();
    const image = path.join(footage, 'frame0.rgb');
    const rgba = path.join(footage, 'frame0.rgba');
    const mask = path.join(footage, 'mask.grey');
    fs.writeFileSync(image, rgb);
    fs.writeFileSync(rgba, Uint8Array.from({ length: W * H * 4 }, (_, i) => (i % 4 === 3 ? 0 : rgb[(i >> 2) * 3 + (i % 4)])));
    fs.writeFileSync(mask, grey);
    const out = path.join(footage, 'stills', 'alpha0.grey');
    const params = { image: { path: image, width: W, height: H, channels: 3 as const }, mask: { path: mask, width: W, height: H }, out, model: model.dir, settings: { warmup: 1 } };

    const result = await panel.call('refineStill', params);
    expect(result).toMatchObject({ path: out, width: W, height: H, ms: expect.any(Number) });
    const still = fs.readFileSync(out);
    expect(still.length).toBe(W * H);
    // Job A: same frame, mask, model, warm-up 1, dilate/erode 10; its frame 0 is kept by every correction.
    const { alpha } = await new JobFolder(dataDir(), jobA).readAlpha(0, 0);
    let worst = 0;
    let off = 0;
    for (let i = 0; i < alpha.length; i++) {
      const d = Math.abs(still[i] / 255 - alpha[i]);
      worst = Math.max(worst, d);
      if (still[i] !== Math.round(alpha[i] * 255)) off++;
    }
    console.log(`refineStill vs the job's frame 0: max |α8/255 − α16/65535| = ${worst.toExponential(3)}, ${off} of ${alpha.length} bytes differ from round(α16·255)`);
    expect(worst).toBeLessThanOrEqual(0.5 / 255 + 1 / 65535);
    expect(off).toBeLessThanOrEqual(alpha.length / 1000);

    // RGBA: the fourth byte is ignored.
    const out4 = path.join(footage, 'stills', 'alpha0-rgba.grey');
    await panel.call('refineStill', { ...params, image: { ...params.image, path: rgba, channels: 4 }, out: out4 });
    expect(fs.readFileSync(out4).equals(still)).toBe(true);

    await expect(panel.call('refineStill', { ...params, image: { ...params.image, channels: 4 } })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringMatching(/is 306720 bytes; 426×240×4 is 408960 bytes/),
    });
    await expect(panel.call('refineStill', { ...params, mask: { ...params.mask, height: 239 } })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    const black = path.join(footage, 'black.grey');
    fs.writeFileSync(black, new Uint8Array(W * H).fill(127));
    await expect(panel.call('refineStill', { ...params, mask: { ...params.mask, path: black } })).rejects.toMatchObject({ code: 'MASK_EMPTY' });
    await expect(panel.call('refineStill', { ...params, out: path.join(tmp, 'outside.grey') })).rejects.toMatchObject({ code: 'PATH_NOT_ALLOWED' });
    expect(fs.existsSync(path.join(tmp, 'outside.grey'))).toBe(false);
  }, 300_000);
});
