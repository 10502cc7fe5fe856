// The read step shared by prep, validate and tokens: opens the input, decides the format,
// and yields batches of envelopes in input order. Blank lines are counted, never yielded.
import { UNLABELED, type Envelope } from '../core/envelope.js';
import type { InputFormat } from '../core/manifest.js';
import { decideFormat, DETECT_SAMPLE, type FormatDecision } from '../formats/detect.js';
import { openInput, type InputFile, type SourceRecord } from '../io/input.js';

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
): Promise<EnvelopeSource> {
  const input = await openInput(path);
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
      if (next.value.blank || !next.value.validUtf8) continue;
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

function toEnvelope(record: SourceRecord): Envelope {
  const envelope: Envelope = { line: record.line, raw: record.raw, scenario: UNLABELED };
  if (!record.validUtf8) {
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
