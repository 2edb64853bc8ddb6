import { LiveStatus, StartLiveParams } from '../../bridge/live';
import { EventMessage, Events, HOST_FEATURES, Methods, parseRequest, PROTOCOL_VERSION, ProtocolError, type Params } from '../../bridge/protocol';

const request = (method: string, params: unknown) => JSON.stringify({ type: 'request', id: 7, method, params });

/** The error parseRequest answers a message with: its code and sentence. */
function refusal(method: string, params: unknown): { code: string; message: string } {
  try {
    parseRequest(request(method, params));
  } catch (e) {
    if (e instanceof ProtocolError) return e.payload;
    throw e;
  }
  throw new Error(`${method} was accepted: ${JSON.stringify(params)}`);
}

const START: Params<'startLive'> = {
  obs: { url: 'ws://127.0.0.1:4455', password: 'secret' },
  input: { kind: 'file', path: '/home/me/clip.mp4' },
  mask: { kind: 'auto' },
};

/**
 * The live methods as the wire declares them (bridge/live.ts): additive to protocol 2, so a panel of protocol
 * 2 that knows nothing of them keeps working, and a dock learns of them from hello's `live` feature.
 */
describe('live methods in bridge protocol 2', () => {
  test('protocol stays 2; hello announces live; the five methods and the liveStatus event are part of the protocol', () => {
    expect(PROTOCOL_VERSION).toBe(2);
    expect(HOST_FEATURES).toContain('live');
    for (const method of ['startLive', 'stopLive', 'remaskLive', 'getLiveStatus', 'getLiveFrame']) expect(Methods).toHaveProperty(method);
    expect(Events).toHaveProperty('liveStatus');
    const status = { state: 'running', obs: { state: 'ready' }, frames: 10, fps: 24.5, droppedIn: 1, droppedOut: 0, latencyMs: 80, engineMs: 40, remasks: 0 };
    expect(EventMessage.safeParse({ type: 'event', event: 'liveStatus', data: status }).success).toBe(true);
    expect(LiveStatus.safeParse({ ...status, state: 'paused' }).success).toBe(false);
    expect(LiveStatus.safeParse({ ...status, droppedOut: -1 }).success).toBe(false);
  });

  test('startLive takes a file or a camera, any first mask of a job, and optional OBS source names and working size', () => {
    expect(parseRequest(request('startLive', START)).params).toEqual(START);
    const camera = { ...START, input: { kind: 'camera', device: '/dev/video0', width: 1280, height: 720, fps: 30 }, sourceName: 'Matte', hideSource: 'Webcam', workSize: 480 };
    expect(parseRequest(request('startLive', camera)).params).toEqual(camera);
    for (const mask of [
      { kind: 'png', data: 'iVBORw0KGgo=' },
      { kind: 'path', path: '/home/me/mask.png' },
      { kind: 'drawing', shapes: [{ type: 'box', x: 1, y: 2, width: 30, height: 40 }] },
      { kind: 'auto', box: { x: 0, y: 0, width: 10, height: 10 } },
    ])
      expect(parseRequest(request('startLive', { ...START, mask })).method).toBe('startLive');
    // A drawing defaults to base 'empty', as everywhere in the protocol.
    const drawn = parseRequest(request('startLive', { ...START, mask: { kind: 'drawing', shapes: [{ type: 'box', x: 1, y: 2, width: 3, height: 4 }] } }));
    expect((drawn.params as StartLiveParams).mask).toMatchObject({ kind: 'drawing', base: 'empty' });
  });

  test('bad startLive parameters are refused with BAD_MESSAGE naming the field', () => {
    const cases: [unknown, RegExp][] = [
      [{ ...START, obs: undefined }, /^startLive: obs: /],
      [{ ...START, obs: { url: 'http://127.0.0.1:4455' } }, /^startLive: obs\.url: a ws:\/\/ address/],
      [{ ...START, obs: { url: 'ws://' } }, /^startLive: obs\.url: /],
      [{ ...START, input: { kind: 'url', url: 'rtmp://x' } }, /^startLive: input\.kind: /],
      [{ ...START, input: { kind: 'file', path: '' } }, /^startLive: input\.path: /],
      [{ ...START, input: { kind: 'camera', device: '/dev/video0\n-i x' } }, /^startLive: input\.device: no control characters/],
      [{ ...START, input: { kind: 'camera', device: '/dev/video0', fps: 0 } }, /^startLive: input\.fps: /],
      [{ ...START, mask: { kind: 'lasso' } }, /^startLive: mask\.kind: /],
      [{ ...START, mask: { kind: 'drawing', shapes: [] } }, /^startLive: mask\.shapes: /],
      [{ ...START, workSize: 10 }, /^startLive: workSize: /],
      [{ ...START, workSize: 480.5 }, /^startLive: workSize: /],
      [{ ...START, hideSource: '' }, /^startLive: hideSource: /],
      [{ ...START, sourceName: 'a\u0000b' }, /^startLive: sourceName: no control characters/],
    ];
    for (const [params, message] of cases) {
      const error = refusal('startLive', params);
      expect(error.code).toBe('BAD_MESSAGE');
      expect(error.message).toMatch(message);
    }
  });

  test('stopLive and getLiveStatus take nothing; remaskLive takes one mask; getLiveFrame a bounded size', () => {
    expect(parseRequest(request('stopLive', {})).params).toEqual({});
    expect(refusal('stopLive', { force: true })).toMatchObject({ code: 'BAD_MESSAGE', message: expect.stringMatching(/^stopLive: /) });
    expect(refusal('getLiveStatus', { verbose: 1 }).code).toBe('BAD_MESSAGE');
    const strokes = { kind: 'drawing', shapes: [{ type: 'stroke', points: [[10, 10], [20, 30]], radius: 6, erase: true }], base: 'alpha' };
    expect(parseRequest(request('remaskLive', { mask: strokes })).params).toEqual({ mask: strokes });
    expect(refusal('remaskLive', {}).message).toMatch(/^remaskLive: mask: /);
    expect(refusal('remaskLive', { mask: { kind: 'box', x: 0, y: 0, width: 0, height: 5 } }).message).toMatch(/^remaskLive: mask\.width: /);
    expect(parseRequest(request('getLiveFrame', {})).params).toEqual({});
    expect(refusal('getLiveFrame', { maxSize: 8 }).message).toMatch(/^getLiveFrame: maxSize: /);
  });
});
