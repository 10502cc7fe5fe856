// Opens an input file as a stream of raw records: JSONL (one per line) or a top-level JSON array
// (one per element, streamed with stream-json), either optionally gzip-compressed.
// Memory: one chunk and the current record; the file's sha256 is computed as it streams by.
// A JSONL line over `maxLineBytes` is skipped while streaming (never held); a JSON array element
// is assembled by stream-json before its size is known, so it is held once before it is dropped.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { basename } from 'node:path';
import type { Readable } from 'node:stream';
import type * as Zlib from 'node:zlib';
import type { streamArray as jsonArrayStreamer } from 'stream-json/streamers/stream-array.js';
import { PhikitError } from '../core/errors.js';
import { valueTooDeep } from './json-depth.js';
import { DEFAULT_MAX_LINE_BYTES, readLines, type Line, type LineReaderOptions } from './line-reader.js';

export interface SourceRecord {
  /** 1-based line (JSONL) or element index (JSON array). */
  line: number;
  readonly raw: string;
  /** A JSONL line's bytes, when it is valid UTF-8: `raw` is decoded from them when first read. */
  readonly bytes?: Buffer;
  validUtf8: boolean;
  /** Whitespace-only line: counted, never an example. */
  blank: boolean;
  /** Bytes of the file consumed so far (compressed bytes for .gz), for progress. */
  bytesRead: number;
  /** Why the record could not be read as text; `raw` is then ''. */
  problem?: SourceProblem;
}

export type SourceProblem =
  | { kind: 'too_deep' }
  | {
      kind: 'too_large';
      /** Bytes of the line (JSON text of the element, for a JSON array). */
      bytes: number;
      sha256: string;
      /** Where the line starts in the (decompressed) file; JSONL only. */
      offset?: number;
      maxLineBytes: number;
    };

export interface InputFile {
  path: string;
  name: string;
  bytes: number;
  container: 'jsonl' | 'json-array';
  gzip: boolean;
  records: AsyncIterable<SourceRecord>;
  /** The sha256 of the file's bytes; complete once `records` is exhausted. */
  sha256(): string;
}

const requireHere = createRequire(import.meta.url);
const BLANK = /^[\s\uFEFF]*$/;

/** ASCII whitespace: tab to carriage return, and space (all BLANK allows below 0x80). */
const isAsciiSpace = (byte: number): boolean => byte === 0x20 || (byte >= 0x09 && byte <= 0x0d);

/** Whether a line is whitespace only; its text is decoded only when no ASCII character settles it. */
function isBlank(line: Line): boolean {
  const bytes = line.bytes;
  if (bytes !== undefined) {
    for (const byte of bytes) {
      if (isAsciiSpace(byte)) continue;
      if (byte < 0x80) return false;
      break;
    }
  }
  return BLANK.test(line.text);
}

/** A JSONL line that is valid UTF-8: `raw` and `bytes` are the line's, decoded only when read. */
class LineRecord implements SourceRecord {
  readonly validUtf8 = true;
  readonly line: number;
  readonly blank: boolean;

  constructor(
    private readonly source: Line,
    readonly bytesRead: number,
  ) {
    this.line = source.line;
    this.blank = isBlank(source);
  }

  get raw(): string {
    return this.source.text;
  }

  get bytes(): Buffer | undefined {
    return this.source.bytes;
  }
}

export async function openInput(path: string, options: LineReaderOptions = {}): Promise<InputFile> {
  const maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  let size: number;
  try {
    const info = await stat(path);
    if (!info.isFile())
      throw new PhikitError('INPUT_UNREADABLE', `${path} is not a file`, 'pass a .jsonl, .json or .gz file');
    size = info.size;
  } catch (error) {
    if (error instanceof PhikitError) throw error;
    throw new PhikitError(
      'INPUT_NOT_FOUND',
      `cannot read ${path}: no such file`,
      'check the path and try again',
    );
  }
  const gzip = /\.gz$/i.test(path);
  const container = /\.json(\.gz)?$/i.test(path) ? 'json-array' : 'jsonl';
  const hash = createHash('sha256');
  let fileBytesRead = 0;
  let digest: string | undefined;

  async function* records(): AsyncGenerator<SourceRecord> {
    // Opened when the first record is asked for: a 'data' listener makes the stream flow at
    // once, and bytes that flow before anyone reads would be lost. stream-json loads only for a
    // .json input (most are JSONL), before the file flows.
    const streamArray =
      container === 'json-array'
        ? (await import('stream-json/streamers/stream-array.js')).streamArray
        : undefined;
    // zlib loads only for a .gz input too (~4 ms of a small prep's start-up); required, not
    // imported: the CLI's bundle runs as a vm.Script, where import() of a Node module fails.
    const gunzip = gzip ? (requireHere('node:zlib') as typeof Zlib).createGunzip() : undefined;
    const file = createReadStream(path, { highWaterMark: 1 << 20 });
    file.on('data', (chunk: Buffer | string) => {
      hash.update(chunk);
      fileBytesRead += chunk.length;
    });
    const source: Readable = gunzip ? file.pipe(gunzip) : file;
    if (gzip) file.on('error', (error) => source.destroy(error));
    try {
      if (streamArray === undefined) {
        for await (const line of readLines(source, { maxLineBytes })) {
          const bytesSoFar = gzip ? fileBytesRead : line.bytesRead;
          if (line.bytes !== undefined) {
            yield new LineRecord(line, bytesSoFar);
            continue;
          }
          yield {
            line: line.line,
            raw: line.text,
            validUtf8: line.validUtf8,
            blank: !line.tooLarge && isBlank(line),
            bytesRead: bytesSoFar,
            ...(line.tooLarge ? { problem: { kind: 'too_large', ...line.tooLarge, maxLineBytes } } : {}),
          };
        }
      } else {
        yield* jsonArrayRecords(streamArray, source, path, maxLineBytes, () => fileBytesRead);
      }
    } catch (error) {
      if (error instanceof PhikitError) throw error;
      const code = (error as NodeJS.ErrnoException).code;
      const detail = error instanceof Error ? error.message : String(error);
      throw new PhikitError(
        'INPUT_UNREADABLE',
        `cannot read ${path}: ${detail}`,
        code === 'Z_DATA_ERROR' ? 'the file ends in .gz but is not valid gzip data' : undefined,
      );
    }
    digest = hash.digest('hex');
  }

  return {
    path,
    name: basename(path),
    bytes: size,
    container,
    gzip,
    records: records(),
    sha256: () => {
      if (digest === undefined)
        throw new PhikitError('INTERNAL', 'sha256 read before the input was consumed');
      return digest;
    },
  };
}

type StreamArray = typeof jsonArrayStreamer;

async function* jsonArrayRecords(
  streamArray: StreamArray,
  source: Readable,
  path: string,
  maxLineBytes: number,
  bytesRead: () => number,
): AsyncGenerator<SourceRecord> {
  const elements = source.pipe(streamArray.withParserAsStream());
  source.on('error', (error) => elements.destroy(error));
  let index = 0;
  try {
    for await (const item of elements as AsyncIterable<{ key: number; value: unknown }>) {
      index++;
      yield {
        line: index,
        validUtf8: true,
        blank: false,
        bytesRead: bytesRead(),
        ...elementText(item.value, maxLineBytes),
      };
    }
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new PhikitError(
      'INPUT_UNREADABLE',
      `${path}: not a readable JSON array after element ${index}: ${detail}`,
      'a .json input must hold one top-level array of examples; use .jsonl for one example per line',
    );
  }
}

/** An element's JSON text, or why it has none (JSON.stringify would overflow the stack on a deep one). */
function elementText(value: unknown, maxLineBytes: number): { raw: string; problem?: SourceProblem } {
  if (valueTooDeep(value)) return { raw: '', problem: { kind: 'too_deep' } };
  const raw = JSON.stringify(value);
  const bytes = Buffer.byteLength(raw);
  if (bytes <= maxLineBytes) return { raw };
  const sha256 = createHash('sha256').update(raw).digest('hex');
  return { raw: '', problem: { kind: 'too_large', bytes, sha256, maxLineBytes } };
}
