// Writes a file atomically: lines go to a temp file beside the target, renamed over it on
// commit, deleted on abort, so a reader never sees half an output. Buffers ~1 MB per file.
// A failed write (full disk, read-only folder) is an OUTPUT_UNWRITABLE error naming the file.
import { createHash, type Hash } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { once } from 'node:events';
import type { OutputFile } from '../core/manifest.js';
import { outputError } from './output-error.js';

const FLUSH_AT = 1 << 20;
/** Room past FLUSH_AT in a new buffer, so most lines fit without growing it. */
const MAX_SHORT_LINE = 1 << 16;
/** Lines longer than this (code units) have their UTF-8 length measured before they are encoded. */
const LONG_LINE = 1 << 14;
const NEWLINE = 0x0a;

export class AtomicLineWriter {
  readonly path: string;
  private readonly tempPath: string;
  private readonly stream: WriteStream;
  private readonly hash: Hash | undefined;
  /**
   * The lines since the last flush, encoded as they arrive: the writer keeps no string or view of
   * a caller's buffer, so nothing it holds lives long enough for the garbage collector to copy
   * (holding ~1 MB of lines as objects until a flush made every scavenge on prep's main thread
   * copy and promote them).
   */
  private pending: Buffer = Buffer.allocUnsafeSlow(0);
  private pendingBytes = 0;
  private lineCount = 0;
  private byteCount = 0;
  private failure: Error | undefined;
  private readonly prefix: string;

  /**
   * `hash: false` for scratch files whose digest nobody reads (the survivors' spill); `prefix`
   * starts the file (a byte-order mark) before its first line, counted in bytes and hash; an
   * empty file stays empty.
   */
  constructor(path: string, options: { hash?: boolean; prefix?: string | undefined } = {}) {
    this.path = path;
    this.hash = options.hash === false ? undefined : createHash('sha256');
    this.tempPath = `${path}.tmp-${process.pid}`;
    this.stream = createWriteStream(this.tempPath);
    this.stream.on('error', (error) => {
      this.failure = error;
    });
    this.prefix = options.prefix ?? '';
  }

  /** Appends one line (without its newline). Await it: it waits when the disk is behind. */
  async writeLine(line: string): Promise<void> {
    if (this.addLine(line)) await this.flush();
  }

  /** Appends one line given as UTF-8 bytes (without its newline): nothing to encode. */
  async writeLineBytes(line: Uint8Array): Promise<void> {
    if (this.addLineBytes(line)) await this.flush();
  }

  /**
   * `writeLine` without the wait, for a caller writing many lines in a loop (no promise per line):
   * true when the buffer is full, and the caller must `await flush()` before adding more.
   */
  addLine(line: string): boolean {
    this.startLine();
    // UTF-8 takes at most 3 bytes per UTF-16 code unit; a long line is measured, not guessed.
    const room = line.length > LONG_LINE ? Buffer.byteLength(line, 'utf8') : line.length * 3;
    this.makeRoom(room + 1);
    this.pendingBytes += this.pending.write(line, this.pendingBytes, 'utf8');
    return this.endLine();
  }

  /** `writeLineBytes` without the wait: see `addLine`. The bytes are copied: the caller may reuse them. */
  addLineBytes(line: Uint8Array): boolean {
    this.startLine();
    this.makeRoom(line.length + 1);
    this.pending.set(line, this.pendingBytes);
    this.pendingBytes += line.length;
    return this.endLine();
  }

  private startLine(): void {
    if (this.lineCount === 0 && this.prefix) {
      this.makeRoom(Buffer.byteLength(this.prefix, 'utf8'));
      this.pendingBytes += this.pending.write(this.prefix, this.pendingBytes, 'utf8');
    }
  }

  private endLine(): boolean {
    this.pending[this.pendingBytes++] = NEWLINE;
    this.lineCount++;
    return this.pendingBytes >= FLUSH_AT;
  }

  /** A buffer with `bytes` free after the pending lines: FLUSH_AT and more, larger for a longer line. */
  private makeRoom(bytes: number): void {
    if (this.pendingBytes + bytes <= this.pending.length) return;
    const grown = Buffer.allocUnsafeSlow(Math.max(FLUSH_AT + MAX_SHORT_LINE, this.pendingBytes + bytes));
    this.pending.copy(grown, 0, 0, this.pendingBytes);
    this.pending = grown;
  }

  /** Hands the buffered lines to the file; waits when the disk is behind. */
  async flush(): Promise<void> {
    if (this.failure) throw outputError(this.path, this.failure);
    if (this.pendingBytes === 0) return;
    // The stream keeps the chunk until it is written: the next lines go to a new buffer.
    const chunk = this.pending.subarray(0, this.pendingBytes);
    this.pending = Buffer.allocUnsafeSlow(0);
    this.pendingBytes = 0;
    this.hash?.update(chunk);
    this.byteCount += chunk.length;
    if (!this.stream.write(chunk)) await this.drained();
  }

  /** Waits for the stream to take more; a write error ends the wait too. */
  private async drained(): Promise<void> {
    try {
      await once(this.stream, 'drain');
    } catch (error) {
      throw outputError(this.path, error);
    }
  }

  /** Flushes, closes and renames the temp file over the target. */
  async commit(): Promise<OutputFile> {
    await this.flush();
    this.stream.end();
    if (!this.stream.closed) await once(this.stream, 'close');
    if (this.failure) throw outputError(this.path, this.failure);
    try {
      await rename(this.tempPath, this.path);
    } catch (error) {
      throw outputError(this.path, error);
    }
    return {
      path: this.path,
      lines: this.lineCount,
      bytes: this.byteCount,
      sha256: this.hash?.digest('hex') ?? '',
    };
  }

  async abort(): Promise<void> {
    this.stream.destroy();
    await rm(this.tempPath, { force: true });
  }
}

/** Writes a whole small document (manifest.json, report.html) atomically. */
export async function writeFileAtomic(path: string, content: string): Promise<OutputFile> {
  const writer = new AtomicLineWriter(path);
  try {
    await writer.writeLine(content.endsWith('\n') ? content.slice(0, -1) : content);
    return await writer.commit();
  } catch (error) {
    await writer.abort();
    throw error;
  }
}
