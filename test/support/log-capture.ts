import { Writable } from 'node:stream';

/** Captures a pino logger's JSON lines (createLogger(level, capture)) so tests can read what it logged. */
export class LogCapture extends Writable {
  lines: Array<Record<string, unknown>> = [];

  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) this.lines.push(JSON.parse(line));
    done();
  }

  /** The lines with this message. */
  withMessage(msg: string): Array<Record<string, unknown>> {
    return this.lines.filter((l) => l.msg === msg);
  }
}
