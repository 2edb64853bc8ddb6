/**
 * One status line on stderr: rewritten in place on a terminal, one line per update otherwise (logs, CI).
 */
export class ProgressLine {
  private last = '';
  constructor(private readonly stream: NodeJS.WriteStream = process.stderr) {}

  update(text: string): void {
    if (text === this.last) return;
    this.last = text;
    if (this.stream.isTTY) this.stream.write(`\r\x1b[2K${text}`);
    else this.stream.write(`${text}\n`);
  }

  /** Ends the line (on a terminal) so that later output starts on a fresh one. */
  done(text?: string): void {
    if (text) this.update(text);
    if (this.stream.isTTY && this.last) this.stream.write('\n');
    this.last = '';
  }
}
