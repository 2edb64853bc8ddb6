import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { PROJECT_ROOT, runCollecting, type CliResult } from '../support/cli';

/**
 * The README's commands, as written. Its set-up (`npm ci`) puts no `matanyone` on PATH, so every command
 * in it must be `npx matanyone …` (npx runs the project's own `bin` from the project folder). This file
 * reads the README's code blocks and inline code, and runs what is cheap through bash from the project
 * folder, with a fresh HOME (so a fresh npx cache, cache folder and config folder) and without the
 * environment of the `npm test` around it: every synopsis against its command's `--help`, and every
 * runnable example but `serve` (it does not end) and `models pull` (it downloads). The first command's
 * `matte` runs on 2 frames of the fixture (~15 s on 2 cores; the whole clip takes twice as long and shows
 * nothing more here). Outputs the README sends to `out/` go to a temporary folder instead.
 */

const README = fs.readFileSync(path.join(PROJECT_ROOT, 'README.md'), 'utf8');

interface CodeBlock {
  lang: string;
  /** commands: `\`-continued lines joined, comments and blank lines dropped */
  commands: string[];
  /** the comment lines, for what the README says a command does */
  comments: string[];
}

function codeBlocks(markdown: string): CodeBlock[] {
  const blocks: CodeBlock[] = [];
  for (const m of markdown.matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)) {
    const lines = m[2].replace(/\\\n\s*/g, ' ').split('\n');
    blocks.push({
      lang: m[1],
      comments: lines.filter((l) => /^\s*#/.test(l)),
      commands: lines
        .filter((l) => !/^\s*#/.test(l))
        .map((l) => l.replace(/\s+#\s.*$/, '').trim())
        .filter((l) => l !== ''),
    });
  }
  return blocks;
}

/** Inline code spans of the prose (code blocks removed first). */
function inlineCode(markdown: string): string[] {
  const prose = markdown.replace(/^```[\s\S]*?^```$/gm, '');
  return [...prose.matchAll(/`([^`\n]+)`/g)].map((m) => m[1]);
}

/** The simple commands of a shell line: its parts between `&&`, `||` and `;` (the README quotes none of these). */
const parts = (line: string): string[] =>
  line
    .split(/\s*(?:&&|\|\||;)\s*/)
    .map((p) => p.trim())
    .filter((p) => p !== '');

const BLOCKS = codeBlocks(README);
const SHELL_PARTS = BLOCKS.flatMap((b) => b.commands.flatMap(parts));
const INLINE = inlineCode(README);
/** Every `npx matanyone …` the README writes, in order: commands of code blocks, then inline code. */
const INVOCATIONS = [...SHELL_PARTS, ...INLINE].filter((c) => /^npx matanyone\s+\S/.test(c));
/** A synopsis has placeholders (`<dir>`, `[options]`, `a | b`, `…`) and is checked against --help, not run. */
const isSynopsis = (c: string) => /[<>[\]…|]/.test(c);

type Run = CliResult;

describe('the README commands, as written', () => {
  let tmp: string;
  let env: NodeJS.ProcessEnv;

  /** Runs `command` through bash from the project folder, as a user would type it there. */
  const sh = (command: string, timeoutMs = 240_000): Promise<Run> => runCollecting('bash', ['-c', command], { env, timeoutMs });
  /** The README's `out/…` paths moved into the temporary folder. */
  const intoTmp = (command: string) => command.replace(/(^|\s)out\//g, `$1${tmp}/out/`);
  const ok = (command: string, r: Run) => expect({ command, code: r.code, stderr: r.code === 0 ? '' : r.stderr }).toEqual({ command, code: 0, stderr: '' });

  beforeAll(() => {
    tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'readme-commands-')));
    fs.mkdirSync(path.join(tmp, 'home'));
    // As in a fresh shell: no npm_* variables of the `npm test` running us (they name its cache and
    // config), none of ours (defaults under the fresh HOME), and npm kept off the network.
    env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(npm_|MATANYONE_|XDG_)/i.test(k) && k !== 'INIT_CWD'));
    Object.assign(env, { HOME: path.join(tmp, 'home'), npm_config_offline: 'true', npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' });
  });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  test('every matanyone command is written `npx matanyone`, never the bare name that is not on PATH', () => {
    // (`matanyone` alone is also a model's name.)
    const bare = [...SHELL_PARTS, ...INLINE].filter((c) => /^(sudo\s+)?matanyone\s+\S/.test(c) || /^\.\/bin\/matanyone\.js\s/.test(c));
    expect(bare).toEqual([]);
    expect(INVOCATIONS.length).toBeGreaterThan(10);
  });

  test('the first two commands: set-up with the fixture matte, then `npm test`; the matte runs as written (2 frames)', async () => {
    const [first] = BLOCKS;
    expect(README.trimStart().indexOf('```')).toBe(README.trimStart().indexOf('```bash')); // the first block is the set-up
    expect(first.commands).toHaveLength(2);
    const [setup, tests] = first.commands;
    expect(tests).toBe('npm test');
    expect(JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')).scripts.test).toMatch(/^tsc -p tsconfig\.json && jest/);
    const steps = parts(setup);
    expect(steps.slice(0, -1)).toEqual(['apt-get update', 'apt-get install -y ffmpeg', 'ONNXRUNTIME_NODE_INSTALL=skip npm ci']);
    const matte = steps[steps.length - 1];
    expect(matte).toMatch(/^npx matanyone matte \.\.\/shared\/fixtures\/parity-a /);

    // What the comment promises: "→ out/parity-a/matte.mov".
    const promised = /→ (out\/\S+)/.exec(first.comments[0])?.[1];
    expect(promised).toBe('out/parity-a/matte.mov');
    const r = await sh(`${intoTmp(matte)} --from 0 --to 1`);
    ok(matte, r);
    expect(r.stdout + r.stderr).toMatch(/done: 2 frames/);
    expect(fs.statSync(intoTmp(promised!).trim()).size).toBeGreaterThan(0);
  });

  test('each command the README names exists, and has every option the README gives it (`--help`)', async () => {
    const commandOf = (c: string) => c.split(/\s+/)[2];
    const commands = [...new Set(INVOCATIONS.map(commandOf))].sort();
    expect(commands).toEqual(['convert', 'doctor', 'gpu', 'live', 'mask', 'matte', 'models', 'serve']);
    expect(INVOCATIONS.filter(isSynopsis).map(commandOf).sort()).toEqual(expect.arrayContaining(['matte', 'serve']));
    const top = await sh('npx matanyone --help');
    ok('npx matanyone --help', top);
    for (const command of commands) {
      expect(top.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
      const help = await sh(`npx matanyone ${command} --help`);
      ok(`npx matanyone ${command} --help`, help);
      expect(help.stdout).toMatch(new RegExp(`^Usage: matanyone ${command}`));
      for (const invocation of INVOCATIONS.filter((c) => commandOf(c) === command))
        for (const option of (invocation.match(/--[a-z][a-z0-9-]*/g) ?? []).filter((o) => o !== '--help'))
          expect([invocation, option, help.stdout.includes(option)]).toEqual([invocation, option, true]);
    }
  });

  test('the examples run as written, in order (all but `serve` and `models pull`)', async () => {
    const examples = BLOCKS.slice(1)
      .flatMap((b) => b.commands.flatMap(parts))
      .filter((c) => c.startsWith('npx matanyone') && !isSynopsis(c));
    const skipped = (c: string) => /^npx matanyone (serve|models pull)(\s|$)/.test(c);
    expect(examples.filter(skipped)).toEqual(['npx matanyone models pull matanyone2']);
    const run = examples.filter((c) => !skipped(c));
    expect(run.length).toBeGreaterThanOrEqual(4);
    for (const command of run) {
      const r = await sh(intoTmp(command));
      ok(command, r);
      const [, , sub, arg] = command.split(/\s+/);
      if (sub === 'convert' && arg !== '--help') {
        const out = intoTmp(/--out (\S+)/.exec(command)![1]);
        expect(JSON.parse(fs.readFileSync(path.join(out, 'model.json'), 'utf8'))).toMatchObject({ format: 'matanyone-onnx' });
      }
      if (sub === 'models' && arg === 'check') expect(r.stdout).toMatch(/^model ok: /m);
      // The default cache, under the fresh HOME: nothing leaks in from the machine running the tests.
      if (sub === 'models' && arg === 'list') expect(r.stdout.split('\n')[0]).toBe(`cache: ${path.join(tmp, 'home', '.cache', 'matanyone')}`);
      if (arg === '--help') expect(r.stdout).toMatch(new RegExp(`^Usage: matanyone ${sub}`));
    }
  });
});
