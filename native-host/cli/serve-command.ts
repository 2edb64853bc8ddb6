import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { EXECUTION_PROVIDERS } from '../engine/providers';
import { autoOrderLine, autoProviders } from '../gpu/auto-providers';
import { HostError } from '../errors';
import { createJobService } from '../jobs/matte-job-service';
import { startBridgeServer } from '../server/bridge-server';
import { createLiveRunner } from '../server/live-runner-impl';
import { configDir, dataDir, hostVersion, loadOrCreateToken, readHostConfig, writeHostConfig } from '../server/host-config';
import { streamLog } from '../server/host-log';
import { PathPolicy } from '../server/path-policy';
import { createStillService } from '../still/still-service';
import { integer, oneOf, parseCommandArgs } from './args';

export const SERVE_HELP = `Usage: matanyone serve [options]

Runs the local host that the Premiere / Photoshop panels and the OBS dock talk to. It listens on
127.0.0.1 only and answers nothing but /health until a panel sends the pairing token.

  --port N            port (default 47860, or "port" in config.json); the panels' manifests list
                      exact ports, so keep the default unless you changed them too
  --allow FOLDER      let the host read media and write outputs under FOLDER (besides your home
                      folder); repeat for several; remembered in config.json
  --data DIR          where jobs keep their state (default: $MATANYONE_HOME/jobs or <cache>/jobs)
  --concurrency N     jobs running at once (default 1, or "concurrency" in config.json)
  --max-queued N      jobs waiting, over all panels (default 32, or "maxQueued" in config.json)
  --ep EP             auto | cpu | cuda | dml | coreml | webgpu (default auto: GPU if any, else CPU)
  --threads N         CPU threads per engine
  --model M           the model for panels that name none: a registry name (default matanyone2), a
                      converted model folder or a checkpoint (converted on first use)

Files, in $MATANYONE_CONFIG or else ~/.config/matanyone (Linux), ~/Library/Application Support/matanyone
(macOS), %APPDATA%\\matanyone (Windows):
  config.json         port, allowedRoots, concurrency, maxQueued
  token               the pairing token, created on first start, readable by you only
`;

/** `--model`: a registry name as given, a path made absolute (the jobs resolve it when they run). */
function defaultModel(model: string | undefined): string | undefined {
  if (model === undefined) return undefined;
  if (/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(model) && !fs.existsSync(model)) return model;
  const absolute = path.resolve(model);
  if (!fs.existsSync(absolute)) throw new HostError('MODEL_NOT_FOUND', `--model: ${absolute} does not exist`);
  return absolute;
}

/** Adds `--allow` folders to config.json's roots (absolute, existing folders); returns the new list. */
function allowFolders(dir: string, folders: string[]): string[] {
  const config = readHostConfig(dir);
  const roots = [...config.allowedRoots];
  for (const folder of folders) {
    const absolute = path.resolve(folder);
    if (!fs.statSync(absolute, { throwIfNoEntry: false })?.isDirectory())
      throw new HostError('INVALID_ARGUMENT', `--allow ${folder}: no such folder; give an existing folder`);
    if (!roots.includes(absolute)) roots.push(absolute);
  }
  if (roots.length !== config.allowedRoots.length) writeHostConfig(dir, { ...config, allowedRoots: roots });
  return roots;
}

/**
 * `matanyone serve`: the host for the panels, until SIGINT or SIGTERM. Then it stops listening and closes
 * the jobs (a running job stops at a frame boundary and resumes on the next start).
 *
 * @remarks While it serves, an exception that escapes a handler is logged and the host goes on: one bad
 * request must not take the queue of every panel down with it.
 */
export async function serveCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('serve', argv, {
    port: { type: 'string' },
    allow: { type: 'string', multiple: true },
    data: { type: 'string' },
    concurrency: { type: 'string' },
    'max-queued': { type: 'string' },
    ep: { type: 'string', default: 'auto' },
    threads: { type: 'string' },
    model: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    process.stdout.write(SERVE_HELP);
    return 0;
  }
  if (positionals.length > 0) throw new HostError('INVALID_ARGUMENT', `serve: unexpected argument "${positionals[0]}" (see \`matanyone serve --help\`)`);

  const dir = configDir();
  const allowed = allowFolders(dir, (values.allow as string[] | undefined) ?? []);
  const config = readHostConfig(dir);
  const port = integer('port', values.port as string | undefined, 0, 65535) ?? config.port;
  const ep = oneOf('execution provider', values.ep as string, EXECUTION_PROVIDERS);
  const pairing = loadOrCreateToken(dir);
  const log = streamLog();
  if (pairing.warning) log.warn(pairing.warning);

  const { policy, skipped } = await PathPolicy.create([os.homedir(), ...allowed]);
  for (const s of skipped) log.warn(`allowed folder ${s.root} ${s.reason}; skipped`);
  const threads = integer('threads', values.threads as string | undefined, 1, 1024);
  // `auto` probes the GPU providers once, apart (their native log lines stay out of the log), and the
  // engines try only those that work.
  const auto = ep === 'auto' ? await autoProviders() : undefined;
  if (auto) log.info(autoOrderLine(auto));
  const providers = auto?.order ?? ep;
  const jobsDir = dataDir(values.data as string | undefined);
  const model = defaultModel(values.model as string | undefined);
  const jobs = createJobService({
    dataDir: jobsDir,
    concurrency: integer('concurrency', values.concurrency as string | undefined, 1, 16) ?? config.concurrency,
    maxQueued: integer('max-queued', values['max-queued'] as string | undefined, 1, 10_000) ?? config.maxQueued,
    providers,
    threads,
    log,
  });

  const stills = createStillService({ providers, threads });
  const live = createLiveRunner({ log, providers, threads, defaultModel: model });

  const onUncaught = (e: unknown) => log.bug(e, 'uncaught exception (the host goes on)');
  const quitNow = () => process.exit(130);
  const onUnhandled = (e: unknown) => log.bug(e, 'unhandled rejection (the host goes on)');
  process.on('uncaughtException', onUncaught);
  process.on('unhandledRejection', onUnhandled);
  try {
    const server = await startBridgeServer({ jobs, stills, live, paths: policy, token: pairing.token, port, log, defaultModel: model }).catch(async (e) => {
      await Promise.all([jobs.close(), stills.close(), live.close()]);
      throw e;
    });
    const version = hostVersion();
    process.stdout.write(
      `MatAnyone host ${version} listening on ${server.url} (panels connect to ${server.bridgeUrl})\n` +
        `Pairing token: stored in ${pairing.file}${pairing.created ? ' (created now)' : ''}. In the panel, paste: ${pairing.token}\n` +
        `Folders the host may use: ${policy.roots.join(', ')} (add one with \`matanyone serve --allow <folder>\`)\n` +
        `Jobs are kept in ${jobsDir}. Press Ctrl-C to stop.\n`,
    );

    await new Promise<void>((resolve) => {
      const stop = (signal: NodeJS.Signals) => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        // A second Ctrl-C quits at once.
        process.on('SIGINT', quitNow);
        process.stderr.write(`matanyone serve: ${signal}: stopping (a running job stops after its current frame and resumes on the next start)\n`);
        resolve();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    await server.close();
    await Promise.all([jobs.close(), stills.close(), live.close()]);
    process.stdout.write('MatAnyone host stopped\n');
    return 0;
  } finally {
    process.off('uncaughtException', onUncaught);
    process.off('unhandledRejection', onUnhandled);
    process.off('SIGINT', quitNow);
  }
}
