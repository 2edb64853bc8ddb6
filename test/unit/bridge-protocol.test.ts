import { Methods, parseRequest, ProtocolError, PROTOCOL_VERSION } from '../../bridge/protocol';

const request = (method: string, params: unknown, id: unknown = 1) => JSON.stringify({ type: 'request', id, method, params });

function protocolError(text: string): ProtocolError {
  try {
    parseRequest(text);
  } catch (e) {
    if (e instanceof ProtocolError) return e;
    throw e;
  }
  throw new Error('parsed');
}

// The typed client's compile-time checks (misuse must not compile) are in test/types/bridge-misuse.ts,
// which tsc enforces in `npm test`; jest (swc) would not check types here.
describe('bridge protocol', () => {
  test('parses a submitMatte request into typed params, defaults applied', () => {
    const r = parseRequest(
      request('submitMatte', {
        media: '/home/ed/clip.mov',
        targets: [{ mask: { kind: 'box', x: 10, y: 20, width: 100, height: 200 } }],
        outputs: [{ kind: 'prores4444' }, { kind: 'alpha', depth: 16 }],
      }),
    );
    expect(r.method).toBe('submitMatte');
    if (r.method !== 'submitMatte') throw new Error();
    expect(r.params.targets[0].mask.kind).toBe('box');
    const c = parseRequest(request('correctMask', { jobId: 'j1', frame: 12, mask: { kind: 'png', data: 'iVBOR' } }));
    if (c.method !== 'correctMask') throw new Error();
    expect(c.params.target).toBe(0);
  });

  test.each([
    ['not JSON', '{oops', 'BAD_MESSAGE', null],
    ['not a request', JSON.stringify({ hello: 1 }), 'BAD_MESSAGE', null],
    ['an unknown method', request('formatDisk', {}, 7), 'UNKNOWN_METHOD', 7],
    ['a wrong parameter type', request('getJob', { jobId: 42 }, 'a'), 'BAD_MESSAGE', 'a'],
    ['a job id with a path in it', request('getJob', { jobId: '../x' }, 3), 'BAD_MESSAGE', 3],
    ['too many targets', request('submitMatte', { media: '/m', targets: Array(9).fill({ mask: { kind: 'box', x: 0, y: 0, width: 1, height: 1 } }), outputs: [{ kind: 'luma' }] }, 4), 'BAD_MESSAGE', 4],
    ['an unknown output kind', request('submitMatte', { media: '/m', targets: [{ mask: { kind: 'path', path: '/m.png' } }], outputs: [{ kind: 'gif' }] }, 5), 'BAD_MESSAGE', 5],
    ['another protocol version', request('hello', { token: 't', protocol: 99, client: { name: 'x' } }, 6), 'BAD_MESSAGE', 6],
    ['prototype keys', request('__proto__', {}, 8), 'UNKNOWN_METHOD', 8],
  ])('refuses %s with a stable code and the request id when readable', (_label, text, code, id) => {
    const e = protocolError(text);
    expect(e.payload.code).toBe(code);
    expect(e.id).toEqual(id);
    expect(e.payload.message.length).toBeGreaterThan(5);
  });

  test('every method has param and result schemas, and hello carries the protocol version', () => {
    for (const m of Object.values(Methods)) {
      expect(typeof m.params.safeParse).toBe('function');
      expect(typeof m.result.safeParse).toBe('function');
    }
    expect(Methods.hello.params.safeParse({ token: 't', protocol: PROTOCOL_VERSION, client: { name: 'premiere-panel', instance: 'abcdefgh12' } }).success).toBe(true);
  });
});
