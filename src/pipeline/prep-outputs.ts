// The files one prep run writes: rejected.jsonl from the first pass on, the survivors' spill
// files between the passes, train, validation, test and index.jsonl in the second pass. Every file is
// written into the output set's staging folder (io/output-set.ts), which replaces the folder's
// previous set as a whole on commit; the spill files are scratch and never leave it.
import { createReadStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { OutputFile } from '../core/manifest.js';
import { REJECT_REASONS, type RejectReason } from '../core/reasons.js';
import { AtomicLineWriter } from '../io/atomic-writer.js';
import { readLines } from '../io/line-reader.js';
import type { OutputSet } from '../io/output-set.js';

/** Azure's fine-tuning docs ask for UTF-8 with a byte-order mark (`--bom`). */
const BOM = '\uFEFF';
/** Bytes read from the spill at a time in pass 2: a chunk's survivors are routed without a wait each. */
const SPILL_CHUNK_BYTES = 1 << 20;

/** A survivor read back in pass 2. */
export interface SpilledSurvivor {
  /** The written form, UTF-8: copied to its split file as it is. */
  text: Buffer;
  /** Its original line, when balancing may reject it. */
  raw: string | undefined;
  /** Its references as JSON, with a test split. */
  references: string | undefined;
}

export interface RejectedLine {
  line: number;
  raw: string;
  reason: RejectReason;
  message: string;
  detail?: object | undefined;
}

export interface CommittedOutputs {
  train: OutputFile;
  validation: OutputFile;
  /** With a test split only. */
  test: OutputFile | undefined;
  rejected: OutputFile;
  index: OutputFile;
}

export class PrepOutputs {
  readonly rejectedByReason = Object.fromEntries(REJECT_REASONS.map((reason) => [reason, 0])) as Record<
    RejectReason,
    number
  >;
  private readonly rejected: AtomicLineWriter;
  private readonly spill: AtomicLineWriter;
  /** The survivors' original lines, when balancing may reject them after the plan. */
  private readonly rawSpill: AtomicLineWriter | undefined;
  readonly train: AtomicLineWriter;
  readonly validation: AtomicLineWriter;
  readonly test: AtomicLineWriter | undefined;
  readonly index: AtomicLineWriter;
  /** The survivors' `references` (JSON, or `null`), for test.jsonl. */
  private readonly referencesSpill: AtomicLineWriter | undefined;
  private readonly spillPath: string;
  private readonly rawSpillPath: string;
  private readonly referencesSpillPath: string;

  constructor(
    private readonly set: OutputSet,
    options: { keepRawLines: boolean; testSplit: boolean; bom?: boolean },
  ) {
    this.rejected = set.lineWriter('rejected.jsonl');
    this.spillPath = set.stagingPath('.survivors.jsonl');
    this.spill = new AtomicLineWriter(this.spillPath, { hash: false });
    this.rawSpillPath = set.stagingPath('.survivors-raw.jsonl');
    this.rawSpill = options.keepRawLines
      ? new AtomicLineWriter(this.rawSpillPath, { hash: false })
      : undefined;
    const prefix = options.bom ? BOM : undefined;
    this.train = set.lineWriter('train.jsonl', { prefix });
    this.validation = set.lineWriter('validation.jsonl', { prefix });
    this.test = options.testSplit ? set.lineWriter('test.jsonl') : undefined;
    this.index = set.lineWriter('index.jsonl');
    this.referencesSpillPath = set.stagingPath('.survivors-references.jsonl');
    this.referencesSpill = options.testSplit
      ? new AtomicLineWriter(this.referencesSpillPath, { hash: false })
      : undefined;
  }

  /**
   * Adds a line to rejected.jsonl. Returns a promise only when the buffer is full: await it before
   * adding more (callers write many lines in a loop, and a promise per line was much of what pass
   * 1's main thread allocated).
   */
  addRejected({ line, raw, reason, message, detail }: RejectedLine): Promise<void> | undefined {
    this.rejectedByReason[reason]++;
    const full = this.rejected.addLine(
      JSON.stringify({ line, reason, message, raw, ...(detail ? { detail } : {}) }),
    );
    return full ? this.rejected.flush() : undefined;
  }

  get rejectedTotal(): number {
    return Object.values(this.rejectedByReason).reduce((sum, n) => sum + n, 0);
  }

  /**
   * Keeps a survivor on disk until the plan says where it goes. Its `raw` is read only when
   * balancing may reject it (a line's text is decoded when first read: see pipeline/read.ts).
   * Returns a promise only when a spill's buffer is full, as `addRejected` does.
   */
  spillSurvivor(survivor: {
    readonly serialized: string | Uint8Array;
    readonly raw: string;
    readonly references?: string[] | undefined;
  }): Promise<void> | undefined {
    const { serialized } = survivor;
    const spillFull =
      typeof serialized === 'string' ? this.spill.addLine(serialized) : this.spill.addLineBytes(serialized);
    // JSON-quoted: array elements may span lines.
    const rawFull = this.rawSpill?.addLine(JSON.stringify(survivor.raw)) ?? false;
    const referencesFull =
      this.referencesSpill?.addLine(JSON.stringify(survivor.references ?? null)) ?? false;
    return spillFull || rawFull || referencesFull ? this.flushSpills() : undefined;
  }

  private async flushSpills(): Promise<void> {
    await this.spill.flush();
    await this.rawSpill?.flush();
    await this.referencesSpill?.flush();
  }

  async closeSpill(): Promise<void> {
    await this.spill.commit();
    await this.rawSpill?.commit();
    await this.referencesSpill?.commit();
  }

  /**
   * The spilled survivors in input order, a chunk of the spill at a time (no promise per
   * survivor), each with its original line when it was kept, and its references (as JSON) with a
   * test split.
   */
  async *spilled(): AsyncGenerator<SpilledSurvivor[]> {
    const rawLines = this.rawSpill
      ? readLines(createReadStream(this.rawSpillPath))[Symbol.asyncIterator]()
      : undefined;
    const referenceLines = this.referencesSpill
      ? readLines(createReadStream(this.referencesSpillPath))[Symbol.asyncIterator]()
      : undefined;
    const spill = createReadStream(this.spillPath, { highWaterMark: SPILL_CHUNK_BYTES });
    for await (const texts of byteLineBatches(spill)) {
      const batch: SpilledSurvivor[] = [];
      for (const text of texts) {
        const raw = rawLines ? (await rawLines.next()).value : undefined;
        const references = referenceLines ? (await referenceLines.next()).value?.text : undefined;
        batch.push({
          text,
          raw: raw ? (JSON.parse(raw.text) as string) : undefined,
          references: references === 'null' ? undefined : references,
        });
      }
      yield batch;
    }
  }

  /** Commits the files into the staging folder; the set makes them current later. */
  async commit(): Promise<CommittedOutputs> {
    await this.removeSpill();
    return {
      train: this.set.add(await this.train.commit()),
      validation: this.set.add(await this.validation.commit()),
      test: this.test ? this.set.add(await this.test.commit()) : undefined,
      rejected: this.set.add(await this.rejected.commit()),
      index: this.set.add(await this.index.commit()),
    };
  }

  async abort(): Promise<void> {
    for (const writer of [
      this.rejected,
      this.spill,
      this.train,
      this.validation,
      this.test,
      this.index,
      this.rawSpill,
      this.referencesSpill,
    ])
      await writer?.abort();
    await this.removeSpill();
  }

  private async removeSpill(): Promise<void> {
    await rm(this.spillPath, { force: true });
    await rm(this.rawSpillPath, { force: true });
    await rm(this.referencesSpillPath, { force: true });
  }
}

/**
 * The lines of a file phikit wrote (UTF-8, one JSON value per line, `\n` after each), as bytes, a
 * chunk's lines at a time: no decoding, no checks, unlike io/line-reader.ts, which reads what users give.
 */
async function* byteLineBatches(stream: AsyncIterable<Buffer>): AsyncGenerator<Buffer[]> {
  let rest: Buffer | undefined;
  for await (const chunk of stream) {
    const lines: Buffer[] = [];
    let start = 0;
    for (let end = chunk.indexOf(0x0a); end !== -1; end = chunk.indexOf(0x0a, start)) {
      const piece = chunk.subarray(start, end);
      lines.push(rest ? Buffer.concat([rest, piece]) : piece);
      rest = undefined;
      start = end + 1;
    }
    if (start < chunk.length) {
      const tail = chunk.subarray(start);
      rest = rest ? Buffer.concat([rest, tail]) : tail;
    }
    if (lines.length > 0) yield lines;
  }
  if (rest && rest.length > 0) yield [rest];
}
