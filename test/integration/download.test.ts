import { createHash, randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { HostError } from '../../native-host/errors';
import { downloadFile, DownloadProgress, mirroredUrl } from '../../native-host/models/download';
import { makeTempDir } from '../support/checkpoint-fixtures';
import { FileServer } from '../support/file-server';

const BODY = randomBytes(3 * 1024 * 1024 + 123);
const SHA256 = createHash('sha256').update(BODY).digest('hex');

describe('downloadFile', () => {
  const tmp = makeTempDir();
  let server: FileServer;
  let n = 0;
  const dest = () => path.join(tmp.dir, `case-${++n}`, 'weights.pth');

  beforeEach(async () => {
    server = (await FileServer.start()).serve('/files/weights.pth', { body: BODY });
  });
  afterEach(() => server.close());
  afterAll(() => tmp.cleanup());

  test('downloads, checks size and sha256, reports progress, and leaves no partial file', async () => {
    const file = dest();
    const progress: DownloadProgress[] = [];
    const result = await downloadFile(server.url('/files/weights.pth'), file, { sha256: SHA256, bytes: BODY.length, onProgress: (p) => progress.push(p) });
    expect(result).toEqual({ file, bytes: BODY.length, sha256: SHA256, resumedFrom: 0 });
    expect(fs.readFileSync(file).equals(BODY)).toBe(true);
    expect(fs.existsSync(`${file}.partial`)).toBe(false);
    expect(server.requests).toEqual([{ path: '/files/weights.pth', range: undefined, status: 200, bytesSent: BODY.length }]);
    const downloads = progress.filter((p) => p.phase === 'download');
    expect(downloads.at(-1)).toEqual({ phase: 'download', receivedBytes: BODY.length, totalBytes: BODY.length, resumedFrom: 0 });
    expect(progress.at(-1)?.phase).toBe('verify');
  });

  test('returns the sha256 when none was expected', async () => {
    expect((await downloadFile(server.url('/files/weights.pth'), dest())).sha256).toBe(SHA256);
  });

  test('follows redirects to another path and host-relative locations (as GitHub → CDN)', async () => {
    server.redirect('/releases/download/v1/weights.pth', server.url('/cdn/hop')).redirect('/cdn/hop', '/files/weights.pth', 307);
    const file = dest();
    await downloadFile(server.url('/releases/download/v1/weights.pth'), file, { sha256: SHA256 });
    expect(fs.readFileSync(file).equals(BODY)).toBe(true);
    expect(server.requests.map((r) => [r.path, r.status])).toEqual([
      ['/releases/download/v1/weights.pth', 302],
      ['/cdn/hop', 307],
      ['/files/weights.pth', 200],
    ]);
  });

  test('gives up on a redirect loop', async () => {
    server.redirect('/a', '/b').redirect('/b', '/a');
    const p = downloadFile(server.url('/a'), dest(), { maxRedirects: 3 });
    await expect(p).rejects.toBeInstanceOf(HostError);
    await expect(p).rejects.toMatchObject({ code: 'DOWNLOAD_FAILED', message: expect.stringMatching(/failed: more than 3 redirects$/) });
  });

  test('a 404 is DOWNLOAD_FAILED and writes nothing', async () => {
    const file = dest();
    await expect(downloadFile(server.url('/files/missing.pth'), file)).rejects.toMatchObject({
      code: 'DOWNLOAD_FAILED',
      message: `download of ${server.url('/files/missing.pth')} failed: HTTP 404 Not Found`,
    });
    expect(fs.existsSync(file)).toBe(false);
  });

  test('a checksum mismatch is CHECKSUM_MISMATCH naming both sums, and deletes the download', async () => {
    const file = dest();
    const wrong = 'ab'.repeat(32);
    const p = downloadFile(server.url('/files/weights.pth'), file, { sha256: wrong });
    await expect(p).rejects.toBeInstanceOf(HostError);
    await expect(p).rejects.toMatchObject({ code: 'CHECKSUM_MISMATCH', message: expect.stringContaining(`expected sha256 ${wrong}, got ${SHA256}`) });
    expect(fs.existsSync(file)).toBe(false);
    expect(fs.existsSync(`${file}.partial`)).toBe(false);
  });

  test('a server offering another size is CHECKSUM_MISMATCH before the body is read', async () => {
    const file = dest();
    await expect(downloadFile(server.url('/files/weights.pth'), file, { bytes: BODY.length + 1 })).rejects.toMatchObject({
      code: 'CHECKSUM_MISMATCH',
      message: expect.stringContaining(`is ${BODY.length} bytes, expected ${BODY.length + 1}`),
    });
    expect(fs.existsSync(file) || fs.existsSync(`${file}.partial`)).toBe(false);
  });

  test('a refused connection is DOWNLOAD_FAILED with a one-line reason', async () => {
    const url = server.url('/files/weights.pth');
    await server.close();
    const error = await downloadFile(url, dest()).catch((e) => e);
    expect(error).toMatchObject({ code: 'DOWNLOAD_FAILED', message: `download of ${url} failed: connection refused by ${new URL(url).host}` });
    server = await FileServer.start(); // for afterEach
  });

  test('cancelling keeps the partial file for a later resume', async () => {
    server.serve('/slow.pth', { body: BODY, chunkDelayMs: 20 });
    const file = dest();
    const abort = new AbortController();
    const p = downloadFile(server.url('/slow.pth'), file, {
      signal: abort.signal,
      onProgress: (pr) => pr.receivedBytes > 256 * 1024 && abort.abort(),
    });
    await expect(p).rejects.toMatchObject({ code: 'DOWNLOAD_FAILED', message: expect.stringMatching(/failed: cancelled; \d+ bytes kept/) });
    expect(fs.statSync(`${file}.partial`).size).toBeGreaterThan(0);
    expect(fs.existsSync(file)).toBe(false);
  });
});

describe('mirroredUrl', () => {
  const official = 'https://github.com/pq-yang/MatAnyone2/releases/download/v1.0.0/matanyone2.pth';

  test('is the official URL without a mirror', () => {
    expect(mirroredUrl(official, {})).toBe(official);
  });

  test('replaces everything up to the file name, with or without a trailing slash', () => {
    expect(mirroredUrl(official, { MATANYONE_DOWNLOAD_BASE_URL: 'http://127.0.0.1:8080/files/' })).toBe('http://127.0.0.1:8080/files/matanyone2.pth');
    expect(mirroredUrl(official, { MATANYONE_DOWNLOAD_BASE_URL: 'https://mirror.example/ml/weights' })).toBe('https://mirror.example/ml/weights/matanyone2.pth');
    expect(mirroredUrl(official, { MATANYONE_DOWNLOAD_BASE_URL: 'http://10.0.0.2:9000' })).toBe('http://10.0.0.2:9000/matanyone2.pth');
  });

  test('refuses a base that is not an http(s) URL', () => {
    expect(() => mirroredUrl(official, { MATANYONE_DOWNLOAD_BASE_URL: '/srv/files' })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/MATANYONE_DOWNLOAD_BASE_URL="\/srv\/files" is not an http\(s\) URL/) }),
    );
  });
});
