import { createHash, randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { HostError } from '../../native-host/errors';
import { downloadFile } from '../../native-host/models/download';
import { makeTempDir } from '../support/checkpoint-fixtures';
import { FileServer } from '../support/file-server';

const BODY = randomBytes(2 * 1024 * 1024 + 7);
const SHA256 = createHash('sha256').update(BODY).digest('hex');
const HALF = Math.floor(BODY.length / 2);

describe('downloadFile resumes a broken download', () => {
  const tmp = makeTempDir();
  let server: FileServer;
  let n = 0;
  const dest = () => path.join(tmp.dir, `case-${++n}`, 'weights.pth');
  const seedPartial = (file: string, bytes: Buffer) => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(`${file}.partial`, bytes);
  };

  beforeEach(async () => {
    server = await FileServer.start();
  });
  afterEach(() => server.close());
  afterAll(() => tmp.cleanup());

  test('a dropped connection is DOWNLOAD_FAILED and keeps the bytes; the next call asks for the rest only', async () => {
    server.serve('/w.pth', { body: BODY, dropAfterBytes: HALF });
    const file = dest();
    const first = downloadFile(server.url('/w.pth'), file, { sha256: SHA256, bytes: BODY.length });
    await expect(first).rejects.toBeInstanceOf(HostError);
    await expect(first).rejects.toMatchObject({
      code: 'DOWNLOAD_FAILED',
      message: expect.stringMatching(new RegExp(`failed: connection lost after \\d+ of ${BODY.length} bytes; \\d+ bytes kept, run the command again to resume$`)),
    });
    expect(fs.existsSync(file)).toBe(false);
    const kept = fs.statSync(`${file}.partial`).size;
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThanOrEqual(HALF);
    expect(BODY.subarray(0, kept).equals(fs.readFileSync(`${file}.partial`))).toBe(true);

    const second = await downloadFile(server.url('/w.pth'), file, { sha256: SHA256, bytes: BODY.length });
    expect(second).toEqual({ file, bytes: BODY.length, sha256: SHA256, resumedFrom: kept });
    expect(fs.readFileSync(file).equals(BODY)).toBe(true);
    expect(fs.existsSync(`${file}.partial`)).toBe(false);
    expect(server.requests).toEqual([
      { path: '/w.pth', range: undefined, status: 200, bytesSent: HALF },
      { path: '/w.pth', range: `bytes=${kept}-`, status: 206, bytesSent: BODY.length - kept },
    ]);
  });

  test('a server that ignores Range (200) makes it start over cleanly', async () => {
    server.serve('/w.pth', { body: BODY, ignoreRange: true });
    const file = dest();
    seedPartial(file, Buffer.alloc(HALF, 0xee)); // not even a prefix of the file: must not survive
    const result = await downloadFile(server.url('/w.pth'), file, { sha256: SHA256 });
    expect(result.resumedFrom).toBe(0);
    expect(fs.readFileSync(file).equals(BODY)).toBe(true);
    expect(server.requests).toEqual([{ path: '/w.pth', range: `bytes=${HALF}-`, status: 200, bytesSent: BODY.length }]);
  });

  test('416 on a partial file that is already whole goes straight to verification', async () => {
    server.serve('/w.pth', { body: BODY });
    const file = dest();
    seedPartial(file, BODY);
    const result = await downloadFile(server.url('/w.pth'), file, { sha256: SHA256 });
    expect(result).toEqual({ file, bytes: BODY.length, sha256: SHA256, resumedFrom: BODY.length });
    expect(fs.readFileSync(file).equals(BODY)).toBe(true);
    expect(server.requests).toEqual([{ path: '/w.pth', range: `bytes=${BODY.length}-`, status: 416, bytesSent: 0 }]);
  });

  test('416 on a partial file longer than the file starts over', async () => {
    server.serve('/w.pth', { body: BODY });
    const file = dest();
    seedPartial(file, Buffer.concat([BODY, Buffer.from('trailing junk')]));
    await downloadFile(server.url('/w.pth'), file);
    expect(fs.readFileSync(file).equals(BODY)).toBe(true);
    expect(server.requests.map((r) => [r.range, r.status])).toEqual([
      [`bytes=${BODY.length + 13}-`, 416],
      [undefined, 200],
    ]);
  });

  test('a resumed file whose kept part is corrupt fails the checksum over the whole file and is deleted', async () => {
    server.serve('/w.pth', { body: BODY });
    const file = dest();
    const corrupt = Buffer.from(BODY.subarray(0, HALF));
    corrupt[10] ^= 0xff;
    seedPartial(file, corrupt);
    await expect(downloadFile(server.url('/w.pth'), file, { sha256: SHA256 })).rejects.toMatchObject({
      code: 'CHECKSUM_MISMATCH',
      message: expect.stringContaining(`expected sha256 ${SHA256}, got `),
    });
    expect(server.requests).toEqual([{ path: '/w.pth', range: `bytes=${HALF}-`, status: 206, bytesSent: BODY.length - HALF }]);
    expect(fs.existsSync(file) || fs.existsSync(`${file}.partial`)).toBe(false);
  });
});
