// Opens an input file as a stream of raw records: JSONL (one per line) or a top-level JSON array
// (one per element, streamed with stream-json), either optionally gzip-compressed.
// Memory: one chunk and the current record; the file's sha256 is computed as it streams by.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { streamArray } from 'stream-json/streamers/stream-array.js';
import { PhikitError } from '../core/errors.js';
import { readLines } from './line-reader.js';

export interface SourceRecord {
  /** 1-based line (JSONL) or element index (JSON array). */
  line: number;
  raw: string;
  validUtf8: boolean;
  /** Whitespace-only line: counted, never an example. */
  blank: boolean;
  /** Bytes of the file consumed so far (compressed bytes for .gz), for progress. */
  bytesRead: number;
}

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

const BLANK = /^[\s\uFEFF]*$/;

export async function openInput(path: string): Promise<InputFile> {
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
  const file = createReadStream(path, { highWaterMark: 1 << 20 });
  file.on('data', (chunk: Buffer | string) => {
    hash.update(chunk);
    fileBytesRead += chunk.length;
  });
  let digest: string | undefined;
  const source: Readable = gzip ? file.pipe(createGunzip()) : file;
  if (gzip) file.on('error', (error) => source.destroy(error));

  async function* records(): AsyncGenerator<SourceRecord> {
    try {
      if (container === 'jsonl') {
        for await (const line of readLines(source)) {
          yield {
            line: line.line,
            raw: line.text,
            validUtf8: line.validUtf8,
            blank: BLANK.test(line.text),
            bytesRead: gzip ? fileBytesRead : line.bytesRead,
          };
        }
      } else {
        yield* jsonArrayRecords(source, path, () => fileBytesRead);
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

async function* jsonArrayRecords(
  source: Readable,
  path: string,
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
        raw: JSON.stringify(item.value),
        validUtf8: true,
        blank: false,
        bytesRead: bytesRead(),
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
