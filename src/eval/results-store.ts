// results.jsonl as the run's cache: read back on start line by line (the last line per request key
// wins), then appended one whole line per answer, so a run killed at any moment resumes where it
// stopped. A line cut off by a kill is dropped (and the file truncated to the last whole line); a
// damaged whole line (garbage, a zero-filled block after a crash) is skipped and reported.
// Memory: one result per request key, and one line at a time while reading.
import { createReadStream } from 'node:fs';
import { open, truncate } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { readLines } from '../io/line-reader.js';
import { outputError } from '../io/output-error.js';
import type { DamagedLine, EvalResult } from '../core/eval-types.js';

export interface ResultsFile {
  /** The last result per request key. */
  results: Map<string, EvalResult>;
  damaged: DamagedLine[];
  /** Bytes up to the end of the last whole line, when the last line is cut (no final newline). */
  cutAt?: number;
}

const NEWLINE = 0x0a;

/** Reads results.jsonl without changing it; a missing file holds no results. */
export async function readResultsFile(path: string): Promise<ResultsFile> {
  const file: ResultsFile = { results: new Map(), damaged: [] };
  const size = await sizeAndLastByte(path);
  if (size === undefined) return file;
  let wholeBytes = 0;
  for await (const line of readLines(createReadStream(path))) {
    const cut = !size.endsWithNewline && line.bytesRead === size.bytes;
    if (cut) {
      file.cutAt = wholeBytes;
      break;
    }
    wholeBytes = line.bytesRead;
    if (line.text === '') continue;
    const parsed = parseResultLine(line.text, line.validUtf8);
    if (typeof parsed === 'string') file.damaged.push({ file: path, line: line.line, message: parsed });
    else file.results.set(parsed.requestKey, parsed);
  }
  return file;
}

async function sizeAndLastByte(
  path: string,
): Promise<{ bytes: number; endsWithNewline: boolean } | undefined> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const bytes = (await handle.stat()).size;
    if (bytes === 0) return { bytes, endsWithNewline: true };
    const last = Buffer.alloc(1);
    await handle.read(last, 0, 1, bytes - 1);
    return { bytes, endsWithNewline: last[0] === NEWLINE };
  } finally {
    await handle.close();
  }
}

/** The result on this line, or why it is not one. */
function parseResultLine(text: string, validUtf8: boolean): EvalResult | string {
  if (!validUtf8) return 'not UTF-8';
  if (/^\0+$/.test(text)) return `${text.length} NUL bytes (a zero-filled block, e.g. after a crash)`;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return `not JSON (${(error as Error).message.slice(0, 80)})`;
  }
  const result = value as Partial<EvalResult> | null;
  if (typeof result !== 'object' || result === null || typeof result.requestKey !== 'string')
    return 'JSON but not an eval result (no requestKey)';
  return result as EvalResult;
}

export class ResultsStore {
  private constructor(
    private readonly path: string,
    private readonly handle: FileHandle,
    readonly previous: Map<string, EvalResult>,
    /** Lines skipped on open because they are not results. */
    readonly damaged: DamagedLine[],
  ) {}

  static async open(path: string): Promise<ResultsStore> {
    const file = await readResultsFile(path);
    try {
      if (file.cutAt !== undefined) await truncate(path, file.cutAt);
      return new ResultsStore(path, await open(path, 'a'), file.results, file.damaged);
    } catch (error) {
      throw outputError(path, error);
    }
  }

  async append(result: EvalResult): Promise<void> {
    // One write of one whole line: an interruption leaves at most a partial last line.
    try {
      await this.handle.write(`${JSON.stringify(result)}\n`);
    } catch (error) {
      throw outputError(this.path, error);
    }
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}
