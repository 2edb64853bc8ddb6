import { Methods, parseRequest, HOST_FEATURES, PROTOCOL_VERSION, type Params } from '../../bridge/protocol';
import { JobInfo } from '../../bridge/jobs';
import { overlayMatte } from '../../native-host/server/job-frame';

const request = (method: string, params: unknown) => JSON.stringify({ type: 'request', id: 1, method, params });

describe('bridge protocol 2', () => {
  test('version 2; hello announces exactly the features of this host, and clients accept names they do not know', () => {
    expect(PROTOCOL_VERSION).toBe(2);
    expect([...HOST_FEATURES]).toEqual(['autoMask', 'drawingMasks', 'jobFrames', 'live', 'refineStill', 'versionedOutputs']);
    const hello = (features: unknown) => Methods.hello.result.safeParse({ host: { version: '0.1.0', protocol: 2, features }, clientId: 'p:x' }).success;
    expect(hello([...HOST_FEATURES, 'someFutureFeature'])).toBe(true);
    expect(hello(undefined)).toBe(false);
  });

  test('getJobFrame and refineStill params, with their defaults and bounds', () => {
    const f = parseRequest(request('getJobFrame', { jobId: 'j1', frame: 7 }));
    if (f.method !== 'getJobFrame') throw new Error();
    expect(f.params).toEqual({ jobId: 'j1', frame: 7, target: 0 });
    expect(() => parseRequest(request('getJobFrame', { jobId: 'j1', frame: 7, maxSize: 8 }))).toThrow(/maxSize/);
    const still: Params<'refineStill'> = {
      image: { path: '/p/i.rgb', width: 640, height: 480, channels: 4 },
      mask: { path: '/p/m.grey', width: 640, height: 480 },
      out: '/p/a.grey',
      settings: { warmup: 3 },
    };
    expect(parseRequest(request('refineStill', still)).params).toEqual(still);
    for (const bad of [{ ...still, image: { ...still.image, channels: 1 } }, { ...still, image: { ...still.image, width: 16_385 } }, { ...still, out: '' }])
      expect(() => parseRequest(request('refineStill', bad))).toThrow(/refineStill/);
  });

  test('JobInfo carries the range, the frame count once known, and the output version', () => {
    const base = { jobId: 'j', state: 'queued', media: '/m', createdAt: 'now' };
    expect(JobInfo.safeParse({ ...base, range: { from: 3 }, version: 1 }).success).toBe(true);
    expect(JobInfo.safeParse({ ...base, range: { from: 3, to: 14 }, frameTotal: 12, version: 2 }).success).toBe(true);
    expect(JobInfo.safeParse({ ...base, range: { from: 3 }, version: 0 }).success).toBe(false);
    expect(JobInfo.safeParse(base).success).toBe(false);
  });

  test('the matte overlay: subject as it is, background darkened and tinted magenta', () => {
    const rgb = Uint8Array.of(200, 100, 50, 200, 100, 50, 200, 100, 50);
    const out = overlayMatte(rgb, Float32Array.of(1, 0, 0.5));
    expect([...out.subarray(0, 3)]).toEqual([200, 100, 50]);
    expect([...out.subarray(3, 6)]).toEqual([Math.round(50 + 89.25), 25, Math.round(12.5 + 89.25)]);
    expect([...out.subarray(6, 9)]).toEqual([Math.round(100 + 0.5 * 139.25), Math.round(50 + 12.5), Math.round(25 + 0.5 * 101.75)]);
  });
});
