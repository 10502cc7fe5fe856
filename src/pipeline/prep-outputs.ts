// The files one prep run writes: rejected.jsonl from the first pass on, the survivors' spill
// files between the passes, train and validation in the second pass. Every file is written
// into the output set's staging folder (io/output-set.ts), which replaces the folder's
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
  rejected: OutputFile;
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
  private readonly spillPath: string;
  private readonly rawSpillPath: string;

  constructor(
    private readonly set: OutputSet,
    options: { keepRawLines: boolean; bom?: boolean },
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
  }

  async reject({ line, raw, reason, message, detail }: RejectedLine): Promise<void> {
    this.rejectedByReason[reason]++;
    await this.rejected.writeLine(
      JSON.stringify({ line, reason, message, raw, ...(detail ? { detail } : {}) }),
    );
  }

  get rejectedTotal(): number {
    return Object.values(this.rejectedByReason).reduce((sum, n) => sum + n, 0);
  }

  /** Keeps a survivor on disk until the plan says where it goes. */
  async spillSurvivor(serialized: string, raw: string): Promise<void> {
    await this.spill.writeLine(serialized);
    // JSON-quoted: array elements may span lines.
    await this.rawSpill?.writeLine(JSON.stringify(raw));
  }

  async closeSpill(): Promise<void> {
    await this.spill.commit();
    await this.rawSpill?.commit();
  }

  /** The spilled survivors in input order, each with its original line when it was kept. */
  async *spilled(): AsyncGenerator<{ text: string; raw: string | undefined }> {
    const rawLines = this.rawSpill
      ? readLines(createReadStream(this.rawSpillPath))[Symbol.asyncIterator]()
      : undefined;
    for await (const { text } of readLines(createReadStream(this.spillPath))) {
      const raw = await rawLines?.next();
      yield { text, raw: raw?.value ? (JSON.parse(raw.value.text) as string) : undefined };
    }
  }

  /** Commits the three files into the staging folder; the set makes them current later. */
  async commit(): Promise<CommittedOutputs> {
    await this.removeSpill();
    return {
      train: this.set.add(await this.train.commit()),
      validation: this.set.add(await this.validation.commit()),
      rejected: this.set.add(await this.rejected.commit()),
    };
  }

  async abort(): Promise<void> {
    for (const writer of [this.rejected, this.spill, this.train, this.validation, this.rawSpill])
      await writer?.abort();
    await this.removeSpill();
  }

  private async removeSpill(): Promise<void> {
    await rm(this.spillPath, { force: true });
    await rm(this.rawSpillPath, { force: true });
  }
}
