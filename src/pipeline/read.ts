// The read step shared by prep, validate and tokens: opens the input, decides the format,
// and yields batches of envelopes in input order. Blank lines are counted, never yielded.
// Records the reader could not take as text (too large, nested too deep) arrive already rejected.
import { formatCount } from '../core/describe.js';
import { UNLABELED, type Envelope, type Rejection } from '../core/envelope.js';
import type { InputFormat } from '../core/manifest.js';
import { decideFormat, DETECT_SAMPLE, type FormatDecision } from '../formats/detect.js';
import { openInput, type InputFile, type SourceProblem, type SourceRecord } from '../io/input.js';
import type { LineReaderOptions } from '../io/line-reader.js';
import { tooDeep } from '../stages/parse.js';

export type FormatOption = 'auto' | InputFormat;

export interface ReadProgress {
  bytesRead: number;
  totalBytes: number;
  records: number;
}

export interface EnvelopeSource {
  input: InputFile;
  decision: FormatDecision;
  batches: AsyncIterable<Envelope[]>;
  /** Lines read and blank lines skipped; final once `batches` is exhausted. */
  counts: { read: number; blank: number };
}

export const BATCH_SIZE = 512;

export async function readEnvelopes(
  path: string,
  format: FormatOption,
  onProgress?: (progress: ReadProgress) => void,
  readOptions: LineReaderOptions = {},
): Promise<EnvelopeSource> {
  const input = await openInput(path, readOptions);
  const iterator = input.records[Symbol.asyncIterator]();
  const head: SourceRecord[] = [];
  let decision: FormatDecision;
  if (format === 'auto') {
    // Buffer the first records (a small, fixed number) to decide the format of the whole file.
    const sample: unknown[] = [];
    while (sample.length < DETECT_SAMPLE) {
      const next = await iterator.next();
      if (next.done) break;
      head.push(next.value);
      if (next.value.blank || !next.value.validUtf8 || next.value.problem) continue;
      try {
        sample.push(JSON.parse(next.value.raw));
      } catch {
        // Unparseable lines don't vote; the parse stage reports them.
      }
    }
    decision = decideFormat(sample);
  } else {
    decision = { format, reason: `--format ${format}` };
  }

  const counts = { read: 0, blank: 0 };
  async function* batches(): AsyncGenerator<Envelope[]> {
    let batch: Envelope[] = [];
    let lastBytes = 0;
    const take = (record: SourceRecord): void => {
      counts.read++;
      lastBytes = record.bytesRead;
      if (record.blank) {
        counts.blank++;
        return;
      }
      batch.push(toEnvelope(record));
    };
    for (const record of head) take(record);
    for (;;) {
      const next = await iterator.next();
      if (next.done) break;
      take(next.value);
      if (batch.length >= BATCH_SIZE) {
        onProgress?.({ bytesRead: lastBytes, totalBytes: input.bytes, records: counts.read });
        yield batch;
        batch = [];
      }
    }
    if (batch.length > 0) yield batch;
    onProgress?.({ bytesRead: input.bytes, totalBytes: input.bytes, records: counts.read });
  }

  return { input, decision, batches: batches(), counts };
}

/** An envelope of a line read as valid UTF-8: `raw` is decoded when first read (prep's front workers take `bytes`). */
class LineEnvelope implements Envelope {
  readonly line: number;
  scenario = UNLABELED;

  constructor(private readonly source: SourceRecord & { bytes: Buffer }) {
    this.line = source.line;
  }

  get raw(): string {
    return this.source.raw;
  }

  get bytes(): Buffer {
    return this.source.bytes;
  }
}

function toEnvelope(record: SourceRecord): Envelope {
  if (record.bytes !== undefined && !record.problem)
    return new LineEnvelope(record as SourceRecord & { bytes: Buffer });
  const envelope: Envelope = { line: record.line, raw: record.raw, scenario: UNLABELED };
  if (record.problem) {
    envelope.rejection = record.problem.kind === 'too_deep' ? tooDeep(0) : tooLarge(record.problem);
  } else if (!record.validUtf8) {
    const badAt = record.raw.search(/[\uDC80-\uDCFF]/u);
    const byte = record.raw.charCodeAt(badAt) - 0xdc00;
    envelope.rejection = {
      reason: 'invalid_utf8',
      message: `not valid UTF-8 (byte 0x${byte.toString(16).padStart(2, '0')} at column ${badAt + 1}); re-save the file as UTF-8`,
      detail: { column: badAt + 1 },
    };
  }
  return envelope;
}

function tooLarge(problem: Extract<SourceProblem, { kind: 'too_large' }>): Rejection {
  const n = formatCount;
  const { bytes, maxLineBytes, sha256, offset } = problem;
  const what = offset === undefined ? `element is ${n(bytes)} bytes as JSON` : `line is ${n(bytes)} bytes`;
  const where = offset === undefined ? '' : `, byte offset ${offset}`;
  return {
    reason: 'too_large',
    message: `${what}, over --max-line-bytes ${n(maxLineBytes)}; raw text not copied (sha256 ${sha256}${where})`,
    detail: { bytes, maxLineBytes, sha256, ...(offset === undefined ? {} : { offset }) },
  };
}
