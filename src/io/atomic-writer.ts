// Writes a file atomically: lines go to a temp file beside the target, renamed over it on
// commit, deleted on abort, so a reader never sees half an output. Buffers ~1 MB per file, and up
// to 4 MB more in the file stream.
// A failed write (full disk, read-only folder) is an OUTPUT_UNWRITABLE error naming the file.
import { createHash, type Hash } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { once } from 'node:events';
import type { OutputFile } from '../core/manifest.js';
import { PhikitError } from '../core/errors.js';
import { outputError } from './output-error.js';

const FLUSH_AT = 1 << 20;
const NEWLINE = 0x0a;
/** Bytes the file stream may hold before a flush waits: a flush rarely waits for the disk. */
const STREAM_HIGH_WATER = 4 * FLUSH_AT;
/** A writer's first buffer; it doubles up to FLUSH_AT, so a small file allocates little. */
const FIRST_BUFFER = 16 * 1024;
/** UTF-8 bytes per UTF-16 code unit at most (a lone surrogate becomes the 3-byte U+FFFD). */
const MAX_BYTES_PER_UNIT = 3;

export class AtomicLineWriter {
  readonly path: string;
  private readonly tempPath: string;
  private readonly stream: WriteStream;
  private readonly hash: Hash | undefined;
  // Lines are copied into `pending` as they come, text encoded at once: nothing a line was made of
  // lives on until the flush (held strings outlived young-generation collections and were copied
  // to the old generation, ~1.7 s of pass 2's garbage collection at 1 GB). Full buffers wait in
  // `sealed`, in order.
  private pending: Buffer | undefined;
  private used = 0;
  private sealed: Buffer[] = [];
  private sealedBytes = 0;
  /** Size of the next new buffer: FIRST_BUFFER, doubled as the file grows, up to FLUSH_AT. */
  private capacity = FIRST_BUFFER;
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
    this.stream = createWriteStream(this.tempPath, { highWaterMark: STREAM_HIGH_WATER });
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
    // Most lines fit at their largest possible size; a longer one is measured first.
    const bytes = line.length * MAX_BYTES_PER_UNIT < this.room() ? -1 : Buffer.byteLength(line, 'utf8');
    const buffer = this.reserve(bytes === -1 ? 0 : bytes + 1);
    const written = buffer.write(line, this.used, 'utf8');
    // Buffer.write stops quietly at the end of the buffer: a short write would be a cut line.
    if (bytes !== -1 && written !== bytes) throw new PhikitError('INTERNAL', 'a line did not fit its buffer');
    this.used += written;
    buffer[this.used++] = NEWLINE;
    return this.isFull();
  }

  /** `writeLineBytes` without the wait: see `addLine`. */
  addLineBytes(line: Uint8Array): boolean {
    this.startLine();
    const buffer = this.reserve(line.length + 1);
    buffer.set(line, this.used);
    this.used += line.length;
    buffer[this.used++] = NEWLINE;
    return this.isFull();
  }

  private startLine(): void {
    if (this.lineCount++ === 0 && this.prefix) this.addText(this.prefix);
  }

  private addText(text: string): void {
    const buffer = this.reserve(Buffer.byteLength(text, 'utf8'));
    this.used += buffer.write(text, this.used, 'utf8');
  }

  private room(): number {
    return (this.pending?.length ?? 0) - this.used;
  }

  private isFull(): boolean {
    return this.sealedBytes + this.used >= FLUSH_AT;
  }

  /**
   * The buffer with at least `bytes` free after `used` (0: the current one, which already has
   * room for a line at its largest): a doubled copy while under FLUSH_AT, else a new one after
   * the current is sealed.
   */
  private reserve(bytes: number): Buffer {
    if (this.pending !== undefined && this.room() >= Math.max(bytes, 1)) return this.pending;
    const wanted = this.used + Math.max(bytes, 1);
    if (this.pending !== undefined && this.pending.length < FLUSH_AT && wanted <= FLUSH_AT) {
      this.capacity = Math.min(FLUSH_AT, Math.max(wanted, 2 * this.pending.length));
      const grown = Buffer.allocUnsafe(this.capacity);
      this.pending.copy(grown, 0, 0, this.used);
      this.pending = grown;
      return grown;
    }
    this.seal();
    this.pending = Buffer.allocUnsafe(Math.max(bytes, this.capacity));
    return this.pending;
  }

  /** Moves the filled part of `pending` to `sealed`. */
  private seal(): void {
    if (this.pending === undefined || this.used === 0) return;
    this.sealed.push(this.pending.subarray(0, this.used));
    this.sealedBytes += this.used;
    this.used = 0;
  }

  /** Hands the buffered lines to the file; waits when the disk is behind. */
  async flush(): Promise<void> {
    if (this.failure) throw outputError(this.path, this.failure);
    this.seal();
    if (this.sealed.length === 0) return;
    const chunk = this.sealed.length === 1 ? this.sealed[0]! : Buffer.concat(this.sealed, this.sealedBytes);
    this.sealed = [];
    this.sealedBytes = 0;
    // The stream holds on to the chunk until it is written: the next line starts a new buffer.
    this.pending = undefined;
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
