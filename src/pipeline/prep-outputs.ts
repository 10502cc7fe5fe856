// The files one prep run writes: rejected.jsonl from the first pass on, the survivors' spill
// files between the passes, train, validation, test and index.jsonl in the second pass. Every file is written
// beside its target and renamed over it on commit, or deleted on abort.
import { createReadStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { OutputFile } from '../core/manifest.js';
import { REJECT_REASONS, type RejectReason } from '../core/reasons.js';
import { AtomicLineWriter } from '../io/atomic-writer.js';
import { readLines } from '../io/line-reader.js';

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

  constructor(outDir: string, options: { keepRawLines: boolean; testSplit: boolean }) {
    this.rejected = new AtomicLineWriter(join(outDir, 'rejected.jsonl'));
    this.spillPath = join(outDir, `.survivors.tmp-${process.pid}.jsonl`);
    this.spill = new AtomicLineWriter(this.spillPath, { hash: false });
    this.rawSpillPath = join(outDir, `.survivors-raw.tmp-${process.pid}.jsonl`);
    this.rawSpill = options.keepRawLines
      ? new AtomicLineWriter(this.rawSpillPath, { hash: false })
      : undefined;
    this.train = new AtomicLineWriter(join(outDir, 'train.jsonl'));
    this.validation = new AtomicLineWriter(join(outDir, 'validation.jsonl'));
    this.test = options.testSplit ? new AtomicLineWriter(join(outDir, 'test.jsonl')) : undefined;
    this.index = new AtomicLineWriter(join(outDir, 'index.jsonl'));
    this.referencesSpillPath = join(outDir, `.survivors-references.tmp-${process.pid}.jsonl`);
    this.referencesSpill = options.testSplit
      ? new AtomicLineWriter(this.referencesSpillPath, { hash: false })
      : undefined;
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
  async spillSurvivor(serialized: string, raw: string, references: string[] | undefined): Promise<void> {
    await this.spill.writeLine(serialized);
    // JSON-quoted: array elements may span lines.
    await this.rawSpill?.writeLine(JSON.stringify(raw));
    await this.referencesSpill?.writeLine(JSON.stringify(references ?? null));
  }

  async closeSpill(): Promise<void> {
    await this.spill.commit();
    await this.rawSpill?.commit();
    await this.referencesSpill?.commit();
  }

  /**
   * The spilled survivors in input order, each with its original line when it was kept, and its
   * references (as JSON) with a test split.
   */
  async *spilled(): AsyncGenerator<{
    text: string;
    raw: string | undefined;
    references: string | undefined;
  }> {
    const rawLines = this.rawSpill
      ? readLines(createReadStream(this.rawSpillPath))[Symbol.asyncIterator]()
      : undefined;
    const referenceLines = this.referencesSpill
      ? readLines(createReadStream(this.referencesSpillPath))[Symbol.asyncIterator]()
      : undefined;
    for await (const { text } of readLines(createReadStream(this.spillPath))) {
      const raw = await rawLines?.next();
      const references = (await referenceLines?.next())?.value?.text;
      yield {
        text,
        raw: raw?.value ? (JSON.parse(raw.value.text) as string) : undefined,
        references: references === 'null' ? undefined : references,
      };
    }
  }

  async commit(): Promise<CommittedOutputs> {
    await this.removeSpill();
    return {
      train: await this.train.commit(),
      validation: await this.validation.commit(),
      test: await this.test?.commit(),
      rejected: await this.rejected.commit(),
      index: await this.index.commit(),
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
