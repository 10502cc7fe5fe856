// Runs the front of prep (front-work.ts: parse, validate, clean, and the work done ahead for
// later stages) in worker threads. Each batch is sent as soon as it is read, so the workers
// work ahead while the main thread makes the decisions that depend on input order (first
// occurrence, the near-duplicate index, writes). Three stand-in stages take the place of parse,
// validate and clean in the runner and apply the results in input order, so the funnel figures,
// the stages' own summaries and every output come out as if those stages had run here.
import type { Envelope, Stage } from '../core/envelope.js';
import { PhikitError } from '../core/errors.js';
import { startWorkers, type PoolWorker } from '../core/worker-pool.js';
import { PERMUTATIONS } from '../dedupe/minhash.js';
import { createCleanStage, type CleanStage } from '../stages/clean.js';
import { createValidateStage, type ValidateStage } from '../stages/validate.js';
import { loadTokenizer } from '../tokenize/load.js';
import {
  FRONT_STAGES,
  MAX_PACKED_BYTES,
  PackBuffers,
  packRecords,
  type FrontBatch,
  type FrontConfig,
  type FrontOutcome,
  type FrontRecords,
  type FrontStageName,
} from './front-work.js';

export interface FrontPool {
  readonly threads: number;
  /** The tokenizer's name, as the workers loaded it; undefined without a token check. */
  readonly tokenizer: string | undefined;
  /** Stand-ins for parse, validate and clean, in that order. */
  readonly stages: [Stage, ValidateStage, CleanStage];
  /** Sends the batch to the least busy worker now; the stand-ins apply its result when it reaches them. */
  send(batch: Envelope[]): void;
  /**
   * A stage's time on a batch: a stand-in's is the worker's (here it only waits and copies); a
   * stage with work done ahead adds the worker's time to its own.
   */
  timeOf(stage: string, batch: Envelope[], msHere: number): number;
  close(): Promise<void>;
}

interface Sent {
  /** The envelopes sent, in order (the reader's own rejections stay here). */
  envelopes: Envelope[];
  result: Promise<FrontBatch>;
  settled?: FrontBatch;
}

export async function startFrontPool(config: FrontConfig, threads: number): Promise<FrontPool> {
  // A Hugging Face tokenizer is downloaded once, here, not by every worker at the same time.
  if (config.tokens?.tokenizer?.startsWith('hf:')) await loadTokenizer(config.tokens.tokenizer);
  const workers = await startWorkers<FrontRecords, FrontBatch>(
    new URL('../pipeline/front-worker.js', import.meta.url),
    config,
    threads,
    'prep',
  );
  const busy = workers.map(() => 0);
  const buffers = new PackBuffers();
  /** The packed records' buffer, back from the worker, packs a later batch. */
  const recycle = (batch: FrontBatch): FrontBatch => {
    if (batch.records) buffers.give(batch.records.buffer as ArrayBuffer);
    batch.records = undefined;
    return batch;
  };
  const sent = new WeakMap<Envelope[], Sent>();
  const settledOf = (batch: Envelope[]): FrontBatch => {
    const entry = sent.get(batch);
    if (entry?.settled === undefined) throw new PhikitError('INTERNAL', 'a batch reached a stand-in unsent');
    return entry.settled;
  };
  const validate = createValidateStage(config.validate);
  const clean = createCleanStage({ disabled: config.disableClean });
  const shingle = config.shingle;

  const parseStandIn: Stage = {
    name: 'parse',
    needs: [],
    provides: ['record'],
    async run(batch) {
      const entry = sent.get(batch)!;
      entry.settled = await entry.result;
      // One outcome per record sent, or records could go missing without a reason: never carry on.
      if (entry.settled.outcomes.length !== entry.envelopes.length)
        throw new PhikitError(
          'INTERNAL',
          `a prep worker answered ${entry.settled.outcomes.length} of ${entry.envelopes.length} records`,
        );
      applyRejections(entry.envelopes, entry.settled.outcomes, 'parse');
    },
  };
  const validateStandIn: ValidateStage = {
    ...validate,
    run(batch) {
      const { envelopes } = sent.get(batch)!;
      const settled = settledOf(batch);
      settled.outcomes.forEach((outcome, index) => (envelopes[index]!.scenario = outcome.scenario));
      applyRejections(envelopes, settled.outcomes, 'validate');
      validate.absorb(settled.unknownKeys);
    },
  };
  const cleanStandIn: CleanStage = {
    ...clean,
    run(batch) {
      const { envelopes } = sent.get(batch)!;
      const settled = settledOf(batch);
      applyRejections(envelopes, settled.outcomes, 'clean');
      settled.outcomes.forEach((outcome, index) => {
        if (outcome.kept) keep(envelopes[index]!, outcome.kept, settled, shingle);
      });
      clean.absorb(settled.clean);
    },
  };

  return {
    threads,
    tokenizer: (workers[0]!.ready as string | null) ?? undefined,
    stages: [parseStandIn, validateStandIn, cleanStandIn],
    send(batch) {
      const envelopes = batch.filter((envelope) => envelope.rejection === undefined);
      const worker = busy.indexOf(Math.min(...busy));
      busy[worker]!++;
      // JSONL lines go as their bytes (no string built here); JSON array elements as text.
      const packed = packRecords(envelopes, MAX_PACKED_BYTES, buffers);
      const result = (
        packed
          ? workers[worker]!.run(packed, [packed.bytes.buffer as ArrayBuffer])
          : workers[worker]!.run(envelopes.map(({ line, raw }) => ({ line, raw })))
      )
        .then(recycle)
        .finally(() => busy[worker]!--);
      result.catch(() => undefined); // awaited by the parse stand-in, in order
      sent.set(batch, { envelopes, result });
    },
    timeOf(stage, batch, msHere) {
      const inWorker = sent.get(batch)?.settled?.ms[stage] ?? 0;
      return (FRONT_STAGES as readonly string[]).includes(stage) ? inWorker : msHere + inWorker;
    },
    close: () => closeAll(workers),
  };
}

function applyRejections(envelopes: Envelope[], outcomes: FrontOutcome[], stage: FrontStageName): void {
  outcomes.forEach((outcome, index) => {
    if (outcome.rejection?.stage === stage) envelopes[index]!.rejection = outcome.rejection.rejection;
  });
}

/** A kept example's values from the worker; its example itself is parsed from its written form only if read. */
function keep(
  envelope: Envelope,
  kept: NonNullable<FrontOutcome['kept']>,
  { written, signatures }: FrontBatch,
  shingle: number | undefined,
): void {
  const { contentKey, hasSystem, unit, references, counted, signature } = kept;
  const serialized = written.subarray(kept.written[0], kept.written[1]);
  Object.assign(envelope, { serialized, contentKey, hasSystem, unit });
  if (references) envelope.references = references;
  if (counted) envelope.counted = counted;
  if (shingle !== undefined && signature !== undefined) {
    const value = signature === null ? undefined : signatures.subarray(signature, signature + PERMUTATIONS);
    envelope.signature = { shingle, value };
  }
  Object.defineProperty(envelope, 'example', LAZY_EXAMPLE);
}

/**
 * `example` of a kept envelope, parsed from its written form when first read. One getter for all:
 * a getter made per envelope gave every envelope a hidden class of its own, so each property
 * read of the stages after the front missed V8's inline caches.
 */
const LAZY_EXAMPLE: PropertyDescriptor = {
  configurable: true,
  enumerable: false,
  get(this: Envelope) {
    const example: unknown = JSON.parse(Buffer.from(this.serialized as Uint8Array).toString('utf8'));
    Object.defineProperty(this, 'example', { value: example, writable: true, enumerable: false });
    return example;
  },
};

async function closeAll(workers: Array<PoolWorker<FrontRecords, FrontBatch>>): Promise<void> {
  await Promise.all(workers.map((worker) => worker.terminate()));
}
