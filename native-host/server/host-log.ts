import { randomBytes } from 'crypto';

/**
 * The host's log. User mistakes (bad paths, wrong tokens) are `info` or `warn` lines; bugs go through
 * `bug`, which keeps the stack under a short id that the client receives with its INTERNAL error.
 */
export interface HostLog {
  info(message: string): void;
  warn(message: string): void;
  /** Logs a bug with its stack; returns the log id to send with the INTERNAL answer. */
  bug(error: unknown, context: string): string;
}

/** A fresh log id: 8 hex digits, enough to find one line in a day's log. */
export function newLogId(): string {
  return randomBytes(4).toString('hex');
}

/** Timestamped lines on a stream (stderr by default): `2025-01-01T12:00:00.000Z warn: …`. */
export function streamLog(stream: NodeJS.WritableStream = process.stderr): HostLog {
  const line = (level: string, text: string) => stream.write(`${new Date().toISOString()} ${level}: ${text}\n`);
  return {
    info: (message) => line('info', message),
    warn: (message) => line('warn', message),
    bug(error, context) {
      const id = newLogId();
      line('error', `[${id}] ${context}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      return id;
    },
  };
}
