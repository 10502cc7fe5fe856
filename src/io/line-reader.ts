// Splits a byte stream into lines with exact 1-based line numbers. Handles a UTF-8 BOM, CRLF,
// a missing final newline and long lines; never turns invalid UTF-8 into U+FFFD.
// Memory: one chunk plus the current partial line, at most `maxLineBytes`: a longer line is
// hashed and counted as it streams past, never kept. A valid line's bytes are a view of its chunk
// (a stream hands each chunk over for good), so a consumer holding lines holds their chunks.
import { createHash, type Hash } from 'node:crypto';
import { isUtf8 } from 'node:buffer';
import { decodeSurrogateEscape } from './utf8.js';

export interface Line {
  /** 1-based. */
  line: number;
  /** The line without its terminator; invalid bytes escaped (see utf8.ts) when `validUtf8` is false; '' when `tooLarge`. */
  readonly text: string;
  /** The line's bytes without its terminator, when it is valid UTF-8: `text` is decoded from them when first read. */
  bytes?: Buffer;
  validUtf8: boolean;
  /** Bytes consumed from the stream so far, terminator included (for progress). */
  bytesRead: number;
  /** Set when the line is over `maxLineBytes`: its text was skipped, not read. */
  tooLarge?: OversizeLine;
}

export interface OversizeLine {
  /** Bytes of the line without its terminator (and without a leading BOM). */
  bytes: number;
  /** sha256 of those bytes. */
  sha256: string;
  /** 0-based byte offset in the stream where the line starts. */
  offset: number;
}

export interface LineReaderOptions {
  /** Longest line kept, in bytes without the terminator (default 16 MiB). */
  maxLineBytes?: number;
}

export const DEFAULT_MAX_LINE_BYTES = 16 * 1024 * 1024;

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;
// A BOM (3 bytes) and a CR (1 byte) may still be stripped from a line held this long.
const STRIPPABLE_BYTES = 4;

/**
 * A valid UTF-8 line kept as its bytes: a consumer that hands lines on as bytes (prep's front
 * workers) never builds the string, and one that reads `text` pays the same decode as before.
 */
class Utf8Line implements Line {
  readonly validUtf8 = true;
  private decoded: string | undefined;

  constructor(
    readonly line: number,
    readonly bytes: Buffer,
    readonly bytesRead: number,
  ) {}

  get text(): string {
    return (this.decoded ??= this.bytes.toString('utf8'));
  }
}

function hasBom(bytes: Buffer): boolean {
  return bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
}

/** Hashes and counts a line too long to keep. Holds back its last byte: a final CR is not part of it. */
class OversizeHasher {
  private readonly hash: Hash = createHash('sha256');
  private bytes = 0;
  private held: number | undefined;

  update(bytes: Buffer): void {
    if (bytes.length === 0) return;
    if (this.held !== undefined) this.hash.update(Uint8Array.of(this.held));
    this.hash.update(bytes.subarray(0, bytes.length - 1));
    this.bytes += bytes.length;
    this.held = bytes[bytes.length - 1];
  }

  finish(offset: number): OversizeLine {
    let bytes = this.bytes;
    if (this.held === CARRIAGE_RETURN) bytes--;
    else if (this.held !== undefined) this.hash.update(Uint8Array.of(this.held));
    return { bytes, sha256: this.hash.digest('hex'), offset };
  }
}

export async function* readLines(
  stream: AsyncIterable<Buffer | string>,
  options: LineReaderOptions = {},
): AsyncGenerator<Line> {
  const maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let oversize: OversizeHasher | undefined;
  let lineNumber = 0;
  let lineStart = 0;
  let bytesRead = 0;

  const bodyOf = (bytes: Buffer): Buffer => {
    let body = lineNumber === 1 && hasBom(bytes) ? bytes.subarray(3) : bytes;
    if (body.length > 0 && body[body.length - 1] === CARRIAGE_RETURN)
      body = body.subarray(0, body.length - 1);
    return body;
  };

  const tooLargeLine = (overflow: OversizeLine): Line => ({
    line: lineNumber,
    text: '',
    validUtf8: true,
    bytesRead,
    tooLarge: overflow,
  });

  const lineOf = (bytes: Buffer): Line => {
    const body = bodyOf(bytes);
    if (body.length > maxLineBytes) {
      const hasher = new OversizeHasher();
      hasher.update(body);
      return tooLargeLine(hasher.finish(lineStart));
    }
    if (isUtf8(body)) return new Utf8Line(lineNumber, body, bytesRead);
    return { line: lineNumber, text: decodeSurrogateEscape(body), validUtf8: false, bytesRead };
  };

  /** The end of the current line is `last`: returns it and starts the next line. */
  const finishLine = (last: Buffer): Line => {
    lineNumber++;
    let line: Line;
    if (oversize) {
      oversize.update(last);
      line = tooLargeLine(oversize.finish(lineStart));
    } else {
      line = lineOf(pending.length > 0 ? Buffer.concat([...pending, last]) : last);
    }
    pending = [];
    pendingBytes = 0;
    oversize = undefined;
    lineStart = bytesRead;
    return line;
  };

  /** A piece of the current line whose end is in a later chunk. */
  const keepPartial = (piece: Buffer): void => {
    if (oversize) {
      oversize.update(piece);
    } else if (pendingBytes + piece.length > maxLineBytes + STRIPPABLE_BYTES) {
      // Surely too large: hash what was kept so far and stop keeping it.
      const head = Buffer.concat([...pending, piece]);
      oversize = new OversizeHasher();
      oversize.update(lineNumber === 0 && hasBom(head) ? head.subarray(3) : head);
      pending = [];
      pendingBytes = 0;
    } else {
      // Copy: the caller's chunk buffer may be reused by the stream.
      pending.push(Buffer.from(piece));
      pendingBytes += piece.length;
    }
  };

  for await (const piece of stream) {
    const chunk = typeof piece === 'string' ? Buffer.from(piece, 'utf8') : piece;
    let start = 0;
    let newline = chunk.indexOf(NEWLINE, start);
    while (newline !== -1) {
      bytesRead += newline + 1 - start;
      yield finishLine(chunk.subarray(start, newline));
      start = newline + 1;
      newline = chunk.indexOf(NEWLINE, start);
    }
    if (start < chunk.length) {
      keepPartial(chunk.subarray(start));
      bytesRead += chunk.length - start;
    }
  }
  if (pending.length > 0 || oversize) yield finishLine(Buffer.alloc(0));
}
