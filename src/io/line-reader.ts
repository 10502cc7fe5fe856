// Splits a byte stream into lines with exact 1-based line numbers. Handles a UTF-8 BOM, CRLF,
// a missing final newline and lines of any length; never turns invalid UTF-8 into U+FFFD.
// Memory: one chunk plus the current partial line.
import { isUtf8 } from 'node:buffer';
import { decodeSurrogateEscape } from './utf8.js';

export interface Line {
  /** 1-based. */
  line: number;
  /** The line without its terminator; invalid bytes escaped (see utf8.ts) when `validUtf8` is false. */
  text: string;
  validUtf8: boolean;
  /** Bytes consumed from the stream so far, terminator included (for progress). */
  bytesRead: number;
}

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

export async function* readLines(stream: AsyncIterable<Buffer | string>): AsyncGenerator<Line> {
  let pending: Buffer[] = [];
  let lineNumber = 0;
  let bytesRead = 0;
  let first = true;

  const emit = (bytes: Buffer): Line => {
    lineNumber++;
    let body = bytes;
    if (first) {
      first = false;
      if (body.length >= 3 && body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf)
        body = body.subarray(3);
    }
    if (body.length > 0 && body[body.length - 1] === CARRIAGE_RETURN)
      body = body.subarray(0, body.length - 1);
    const validUtf8 = isUtf8(body);
    return {
      line: lineNumber,
      text: validUtf8 ? body.toString('utf8') : decodeSurrogateEscape(body),
      validUtf8,
      bytesRead,
    };
  };

  for await (const piece of stream) {
    const chunk = typeof piece === 'string' ? Buffer.from(piece, 'utf8') : piece;
    let start = 0;
    let newline = chunk.indexOf(NEWLINE, start);
    while (newline !== -1) {
      bytesRead += newline + 1 - start;
      const segment = chunk.subarray(start, newline);
      if (pending.length > 0) {
        pending.push(segment);
        const joined = Buffer.concat(pending);
        pending = [];
        yield emit(joined);
      } else {
        yield emit(segment);
      }
      start = newline + 1;
      newline = chunk.indexOf(NEWLINE, start);
    }
    if (start < chunk.length) {
      // Copy: the caller's chunk buffer may be reused by the stream.
      pending.push(Buffer.from(chunk.subarray(start)));
      bytesRead += chunk.length - start;
    }
  }
  if (pending.length > 0) yield emit(Buffer.concat(pending));
}
