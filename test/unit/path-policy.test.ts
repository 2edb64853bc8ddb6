import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { HostError } from '../../native-host/errors';
import { CheckPathOptions, lexicalProblem, PathPolicy } from '../../native-host/server/path-policy';

/**
 * Every way of naming a file outside the allowed roots that we know of, one test each, against a temporary
 * root: `base/user` is the root; `base/outside` (with secret.txt) and `base/user2` are not.
 */
describe('path policy', () => {
  let base: string;
  let root: string;
  let outside: string;
  let policy: PathPolicy;

  beforeAll(async () => {
    base = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'path-policy-')));
    root = path.join(base, 'user');
    outside = path.join(base, 'outside');
    for (const d of [root, outside, path.join(root, 'sub'), path.join(base, 'user2')]) fs.mkdirSync(d);
    fs.writeFileSync(path.join(root, 'clip.mp4'), 'video');
    fs.writeFileSync(path.join(outside, 'secret.txt'), 'secret');
    fs.writeFileSync(path.join(base, 'user2', 'secret.txt'), 'secret');
    fs.symlinkSync(path.join(outside, 'secret.txt'), path.join(root, 'link.mp4'));
    fs.symlinkSync(outside, path.join(root, 'linkdir'));
    fs.symlinkSync(path.join(outside, 'not-yet'), path.join(root, 'dangling'));
    fs.symlinkSync(path.join(root, 'clip.mp4'), path.join(root, 'inner-link.mp4'));
    ({ policy } = await PathPolicy.create([root]));
  });
  afterAll(() => fs.rmSync(base, { recursive: true, force: true }));

  async function refused(p: string, options: CheckPathOptions = {}, message: RegExp = /./): Promise<HostError> {
    const error = await policy.check(p, options).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(HostError);
    expect((error as HostError).code).toBe('PATH_NOT_ALLOWED');
    expect((error as HostError).message).toMatch(message);
    expect((error as HostError).message).not.toContain('\0');
    return error as HostError;
  }
  const OUTSIDE = /is outside the folders MatAnyone may use \(.*\/user\); add it with `matanyone serve --allow <folder>`/;

  test('a file, a folder, the root itself and a new output under the root are allowed, as real paths', async () => {
    expect(await policy.check(path.join(root, 'clip.mp4'))).toBe(path.join(root, 'clip.mp4'));
    expect(await policy.check(`${root}/sub/`)).toBe(path.join(root, 'sub'));
    expect(await policy.check(root)).toBe(root);
    expect(await policy.check(`${root}//sub/./new/out`, { forWrite: true })).toBe(path.join(root, 'sub', 'new', 'out'));
    // a link that stays inside is fine, and the real file is what the jobs layer gets
    expect(await policy.check(path.join(root, 'inner-link.mp4'))).toBe(path.join(root, 'clip.mp4'));
  });

  test('a path outside every root', async () => {
    const e = await refused(path.join(outside, 'secret.txt'), {}, OUTSIDE);
    expect(e.message.startsWith(JSON.stringify(path.join(outside, 'secret.txt')))).toBe(true);
    await refused('/etc/passwd', {}, OUTSIDE);
    await refused('/', {}, OUTSIDE);
  });

  test('".." segments, even when the result would be inside', async () => {
    await refused(`${root}/../outside/secret.txt`, {}, /has a "\.\." segment/);
    await refused(`${root}/sub/../clip.mp4`, {}, /has a "\.\." segment/);
    await refused(`${root}/..`, {}, /"\.\."/);
    await refused(`${root}/sub/.. /clip.mp4`, {}, /"\.\."/);
    await refused(`${root}/.../x`, { forWrite: true }, /"\.\."/);
  });

  test('URL-encoded dots and separators (also double-encoded and overlong UTF-8), and URLs', async () => {
    await refused(`${root}/%2e%2e/outside/secret.txt`, {}, /URL-encoded characters \(%2e\)/);
    await refused(`${root}/%2E%2E%2Foutside`, {}, /URL-encoded/);
    await refused(`${root}/..%2fsecret`, {}, /URL-encoded/);
    await refused(`${root}/%252e%252e/x`, {}, /URL-encoded characters \(%25\)/);
    await refused(`${root}/%c0%ae%c0%ae/x`, {}, /URL-encoded/);
    await refused(`${root}/%5c..%5cx`, {}, /URL-encoded/);
    await refused(`file://${outside}/secret.txt`, {}, /is a URL/);
    // a plain percent sign in a name is fine
    fs.writeFileSync(path.join(root, 'My%20Clip.mp4'), 'video');
    expect(await policy.check(path.join(root, 'My%20Clip.mp4'))).toBe(path.join(root, 'My%20Clip.mp4'));
  });

  test('NUL bytes and control characters', async () => {
    await refused(`${root}/clip.mp4\0.png`, {}, /contains a NUL byte/);
    await refused(`${root}/clip\n.mp4`, {}, /control characters/);
  });

  test('a symbolic link to a file outside', async () => {
    await refused(path.join(root, 'link.mp4'), {}, OUTSIDE);
    await refused(path.join(root, 'link.mp4'), { forWrite: true }, OUTSIDE);
  });

  test('a file under a symbolically linked folder that leads outside', async () => {
    await refused(path.join(root, 'linkdir', 'secret.txt'), {}, OUTSIDE);
    await refused(path.join(root, 'linkdir'), {}, OUTSIDE);
  });

  test('an output that does not exist yet, under a linked folder that leads outside', async () => {
    await refused(path.join(root, 'linkdir', 'new', 'out'), { forWrite: true }, OUTSIDE);
    expect(fs.existsSync(path.join(outside, 'new'))).toBe(false);
  });

  test('a dangling link (writing through it would create a file outside)', async () => {
    await refused(path.join(root, 'dangling'), { forWrite: true }, /symbolic link that leads nowhere/);
    await refused(path.join(root, 'dangling', 'x'), { forWrite: true }, /symbolic link that leads nowhere/);
  });

  test('relative paths', async () => {
    await refused('clip.mp4', {}, /is not an absolute path/);
    await refused('./clip.mp4', {}, /is not an absolute path/);
    await refused(path.relative(process.cwd(), path.join(root, 'clip.mp4')), {}, /absolute|"\.\."/);
    await refused('', {}, /is not a path/);
  });

  test('~ is not expanded', async () => {
    await refused('~/clip.mp4', {}, /starts with ~/);
    await refused('~root/.ssh/id_rsa', {}, /starts with ~/);
  });

  test('UNC, device and drive forms, on every system', async () => {
    await refused('\\\\server\\share\\clip.mp4', {}, /network or device path \(UNC\)/);
    await refused('//server/share/clip.mp4', {}, /UNC/);
    await refused('\\\\?\\C:\\Windows\\win.ini', {}, /UNC/);
    await refused('\\\\.\\PhysicalDrive0', {}, /UNC/);
    await refused('C:\\Windows\\win.ini', {}, /Windows drive path/);
    await refused('C:..', {}, /Windows drive path/);
    await refused(`${root}\\..\\outside\\secret.txt`, {}, /backslash/);
  });

  test('Windows rules (checked on every OS): drive-relative, streams, devices, trailing dots', () => {
    const win = (p: string) => lexicalProblem(p, 'win32');
    expect(win('C:\\Users\\ana\\clip.mp4')).toBeUndefined();
    expect(win('D:/Footage/clip.mp4')).toBeUndefined();
    expect(win('C:..\\secret.txt')).toMatch(/relative to the current folder of drive C:/);
    expect(win('C:secret.txt')).toMatch(/relative to the current folder of drive C:/);
    expect(win('C:\\Users\\ana\\..\\bob')).toMatch(/"\.\."/);
    expect(win('C:\\Users\\ana\\clip.mp4:hidden')).toMatch(/alternate data stream/);
    expect(win('C:\\Users\\ana\\NUL')).toMatch(/Windows device/);
    expect(win('C:\\Users\\ana\\com1.txt')).toMatch(/Windows device/);
    expect(win('C:\\Users\\ana\\clip.mp4.')).toMatch(/ending in a dot or a space/);
    expect(win('C:\\Users\\ana \\clip.mp4')).toMatch(/ending in a dot or a space/);
    expect(win('\\Users\\ana\\clip.mp4')).toMatch(/not an absolute path/);
    expect(win('\\\\server\\share')).toMatch(/UNC/);
  });

  test('a sibling whose name starts with the root (/home/user2 for /home/user)', async () => {
    await refused(path.join(base, 'user2', 'secret.txt'), {}, OUTSIDE);
    await refused(path.join(base, 'user2', 'new'), { forWrite: true }, OUTSIDE);
    await refused(`${root}2/secret.txt`, {}, OUTSIDE);
  });

  test("another spelling of the root's case: the same folder only where the file system ignores case", async () => {
    const media = path.join(base, 'Media');
    fs.mkdirSync(media);
    const { policy: p } = await PathPolicy.create([media]);
    const variant = path.join(base, 'MEDIA');
    const caseInsensitive = fs.existsSync(variant);
    if (caseInsensitive) {
      // macOS / Windows: MEDIA is Media, so it is inside (decided by identity, not by spelling)
      await expect(p.check(path.join(variant, 'x.mov'), { forWrite: true })).resolves.toBeDefined();
    } else {
      // Linux: MEDIA is another folder, outside the root
      fs.mkdirSync(variant);
      fs.writeFileSync(path.join(variant, 'x.mov'), '');
      await expect(p.check(path.join(variant, 'x.mov'))).rejects.toMatchObject({ code: 'PATH_NOT_ALLOWED' });
      await expect(p.check(path.join(base, 'mEDIA', 'new'), { forWrite: true })).rejects.toMatchObject({ code: 'PATH_NOT_ALLOWED' });
    }
  });

  test('a missing input: INVALID_ARGUMENT under a root, PATH_NOT_ALLOWED outside (existence is not revealed)', async () => {
    await expect(policy.check(path.join(root, 'nothing.mp4'))).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/does not exist/) });
    await refused(path.join(outside, 'nothing.mp4'), {}, OUTSIDE);
    await refused('/no/such/folder/at/all.mp4', {}, OUTSIDE);
  });

  test('an output cannot go under a file', async () => {
    await refused(path.join(root, 'clip.mp4', 'out'), { forWrite: true }, /is not a folder/);
  });

  test('roots: a missing one is skipped and said so; a link to a root counts as that root', async () => {
    fs.symlinkSync(root, path.join(base, 'root-link'));
    const { policy: p, skipped } = await PathPolicy.create([path.join(base, 'root-link'), path.join(base, 'gone'), 'relative']);
    expect(skipped.map((s) => s.reason)).toEqual(['does not exist', 'is not an absolute path; send the full path']);
    expect(await p.check(path.join(root, 'clip.mp4'))).toBe(path.join(root, 'clip.mp4'));
    await expect(p.check(path.join(base, 'root-link', 'link.mp4'))).rejects.toMatchObject({ code: 'PATH_NOT_ALLOWED' });
  });
});
