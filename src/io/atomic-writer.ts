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
const NEWLINE = new Uint8Array([0x0a]);

export class AtomicLineWriter {
  readonly path: string;
  private readonly tempPath: string;
  private readonly stream: WriteStream;
  private readonly hash: Hash | undefined;
  /** Lines given as text, encoded together when bytes follow or the buffer is flushed. */
  private buffer: string[] = [];
  /** Encoded pieces in order, for lines given as bytes. */
  private chunks: Uint8Array[] = [];
  private bufferedChars = 0;
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
    if (this.lineCount === 0 && this.prefix) this.buffer.push(this.prefix);
    this.buffer.push(line, '\n');
    this.bufferedChars += line.length + 1;
    this.lineCount++;
    return this.bufferedChars >= FLUSH_AT;
  }

  /** `writeLineBytes` without the wait: see `addLine`. */
  addLineBytes(line: Uint8Array): boolean {
    if (this.lineCount === 0 && this.prefix) this.buffer.push(this.prefix);
    this.encodeBuffered();
    this.chunks.push(line, NEWLINE);
    this.bufferedChars += line.length + 1;
    this.lineCount++;
    return this.bufferedChars >= FLUSH_AT;
  }

  /** Line by line into one buffer: a joined string would be a copy, and two-byte as a whole if one line is. */
  private encodeBuffered(): void {
    if (this.buffer.length === 0) return;
    let size = 0;
    for (const text of this.buffer) size += Buffer.byteLength(text, 'utf8');
    const bytes = Buffer.allocUnsafe(size);
    let at = 0;
    for (const text of this.buffer) at += bytes.write(text, at, 'utf8');
    this.chunks.push(bytes);
    this.buffer = [];
  }

  /** Hands the buffered lines to the file; waits when the disk is behind. */
  async flush(): Promise<void> {
    if (this.failure) throw outputError(this.path, this.failure);
    this.encodeBuffered();
    if (this.chunks.length === 0) return;
    const chunk = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
    this.chunks = [];
    this.bufferedChars = 0;
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
