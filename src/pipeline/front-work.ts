// The front of prep's per-record work, which needs nothing but the record itself, done for one
// batch at a time in a worker thread (pipeline/front-pool.ts): parse, validate and clean with
// fresh stage instances, then, for each example still in play, what later stages would compute:
// its written form and content key, its token count and its MinHash signature. What the batch's
// stage instances counted travels back, so the main thread's instances absorb it in input order.
import { UNLABELED, type CountedTokens, type Envelope, type Rejection } from '../core/envelope.js';
import { PhikitError } from '../core/errors.js';
import type { CleanRule } from '../clean/rules.js';
import { conversationParts, nearSignatureOf, PERMUTATIONS } from '../dedupe/minhash.js';
import { createCleanStage, type CleanState } from '../stages/clean.js';
import { contentKeyOf } from '../stages/dedupe-exact.js';
import { createParseStage } from '../stages/parse.js';
import type { ExampleEnvelope } from '../stages/per-example.js';
import { withRole } from '../stages/token-length.js';
import { createValidateStage, type UnknownKeyCounts, type ValidateOptions } from '../stages/validate.js';
import type { ChatTokenizer } from '../tokenize/chat.js';
import { countConversation } from '../tokenize/count-job.js';
import { splitUnit } from './survivors.js';

/** The front's options; sent to each worker, so plain data (RegExp rules survive the copy). */
export interface FrontConfig {
  validate: ValidateOptions;
  disableClean: CleanRule[];
  /** Count tokens with this tokenizer spec; undefined: no token check. */
  tokens: { tokenizer: string | undefined; allowSpecialText: boolean } | undefined;
  /** Words per shingle of the MinHash signature later stages need; undefined: none needs one. */
  shingle: number | undefined;
  /** The run's seed, for each example's split unit. */
  seed: number;
}

/** The stages the front runs, in order; a rejection names the one that made it. */
export const FRONT_STAGES = ['parse', 'validate', 'clean'] as const;
export type FrontStageName = (typeof FRONT_STAGES)[number];

export interface FrontRecord {
  line: number;
  raw: string;
}

/**
 * A batch of JSONL lines as their UTF-8 bytes back to back: one buffer that moves to the worker
 * uncopied, and no string for the main thread to build. `ends[i]` is where record i's bytes end.
 */
export interface PackedRecords {
  lines: Uint32Array;
  ends: Uint32Array;
  bytes: Uint8Array;
}

/** What a front worker is sent: records as text, or packed as bytes. */
export type FrontRecords = FrontRecord[] | PackedRecords;

/** The batch's records one at a time; a packed record's text is decoded as it is reached. */
function* unpack(records: FrontRecords): Generator<FrontRecord> {
  if (Array.isArray(records)) {
    yield* records;
    return;
  }
  const { lines, ends, bytes } = records;
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0, start = 0; i < lines.length; start = ends[i]!, i++) {
    yield { line: lines[i]!, raw: buffer.toString('utf8', start, ends[i]!) };
  }
}

/** Bytes one packed batch may hold (512 lines of up to 16 MiB could overflow its offsets): over it, text. */
export const MAX_PACKED_BYTES = 1 << 30;

/**
 * Packs envelopes that all carry their line's bytes; undefined when one has none or they are too
 * many bytes. With `buffers`, into one of theirs when one fits.
 */
export function packRecords(
  envelopes: ReadonlyArray<{ line: number; bytes?: Uint8Array }>,
  maxBytes = MAX_PACKED_BYTES,
  buffers?: PackBuffers,
): PackedRecords | undefined {
  const lines = new Uint32Array(envelopes.length);
  const ends = new Uint32Array(envelopes.length);
  let end = 0;
  for (let i = 0; i < envelopes.length; i++) {
    const { line, bytes } = envelopes[i]!;
    if (bytes === undefined || end + bytes.length > maxBytes) return undefined;
    lines[i] = line;
    ends[i] = end += bytes.length;
  }
  // An ArrayBuffer of its own (never Buffer's shared pool), so it can be transferred.
  const packed = buffers ? buffers.take(end) : new Uint8Array(end);
  let start = 0;
  for (const { bytes } of envelopes) {
    packed.set(bytes!, start);
    start += bytes!.length;
  }
  return { lines, ends, bytes: packed };
}

/** The most buffers kept for packing, and the largest kept (one batch of typical lines takes ~1-2 MB). */
const KEPT_PACK_BUFFERS = 8;
const MAX_KEPT_PACK_BYTES = 8 * 1024 * 1024;

/**
 * The buffers packed batches travel in, back from the workers for the next batches. A fresh
 * megabyte costs the main thread 1.2-3.7 ms of page faults here, 25-85 times the copy into a
 * used one (bench/README.md).
 */
export class PackBuffers {
  private readonly free: ArrayBuffer[] = [];

  /** A view of `bytes` bytes from the start of a free buffer that holds them, else of a new one with room to spare. */
  take(bytes: number): Uint8Array {
    const index = this.free.findIndex((buffer) => buffer.byteLength >= bytes);
    if (index >= 0) return new Uint8Array(this.free.splice(index, 1)[0]!, 0, bytes);
    // A quarter more, so a later batch a little larger fits too; not for batches too large to keep.
    const roomy = Math.ceil(bytes * 1.25);
    return new Uint8Array(new ArrayBuffer(roomy <= MAX_KEPT_PACK_BYTES ? roomy : bytes), 0, bytes);
  }

  /** A buffer a worker is done with; kept unless large, or enough are. */
  give(buffer: ArrayBuffer): void {
    if (buffer.byteLength <= MAX_KEPT_PACK_BYTES && this.free.length < KEPT_PACK_BUFFERS)
      this.free.push(buffer);
  }
}

/** What became of one record. `kept` is set when it left the front in play. */
export interface FrontOutcome {
  scenario: string;
  rejection?: { stage: FrontStageName; rejection: Rejection };
  kept?: {
    /** Byte range of its written form in the batch's `written`. */
    written: [start: number, end: number];
    contentKey: string;
    hasSystem: boolean;
    unit: number;
    references?: string[];
    counted?: CountedTokens;
    /**
     * Where its MinHash signature starts in the batch's `signatures`; undefined when no signature
     * was asked for, null when the text has too few shingles.
     */
    signature?: number | null;
  };
}

export interface FrontBatch {
  outcomes: FrontOutcome[];
  /** The packed records' bytes, done with, back to the main thread to pack a later batch into. */
  records?: Uint8Array;
  /** The kept examples' written forms, UTF-8, one after another: the main thread copies them out as they are. */
  written: Uint8Array;
  /** The kept examples' signatures, PERMUTATIONS bytes each. */
  signatures: Uint8Array;
  /** Milliseconds the batch spent in each front stage, and in the work done ahead for later ones. */
  ms: Record<string, number>;
  unknownKeys: UnknownKeyCounts;
  clean: CleanState;
}

/**
 * The function a front worker applies to each batch (in-process too, in tests). It takes the
 * records one at a time through the stages (each stage still sees them in input order), so a
 * record's parsed form dies young and a worker's heap stays small.
 */
export function frontWork(
  config: FrontConfig,
  tokenizer: ChatTokenizer | undefined,
): (records: FrontRecords) => Promise<FrontBatch> {
  return async (records) => {
    const validate = createValidateStage({ ...config.validate, maxUnknownKeys: Infinity });
    const clean = createCleanStage({ disabled: config.disableClean });
    const stages = [createParseStage(), validate, clean];
    const ms: Record<string, number> = Object.fromEntries(stages.map((stage) => [stage.name, 0]));
    const outcomes: FrontOutcome[] = [];
    const written = new WrittenForms();
    const signatures = new SignatureBuffer();
    for (const { line, raw } of unpack(records)) {
      const envelope: Envelope = { line, raw, scenario: UNLABELED };
      const one = [envelope];
      let rejectedBy: FrontStageName | undefined;
      for (const stage of stages) {
        const started = performance.now();
        const pending = stage.run(one);
        if (pending) await pending; // the front stages are synchronous: no microtask per record
        ms[stage.name]! += performance.now() - started;
        if (envelope.rejection) {
          rejectedBy = stage.name as FrontStageName;
          break;
        }
      }
      outcomes.push(
        rejectedBy
          ? { scenario: envelope.scenario, rejection: { stage: rejectedBy, rejection: envelope.rejection! } }
          : {
              scenario: envelope.scenario,
              kept: workAhead(envelope as ExampleEnvelope, { config, tokenizer, ms, written, signatures }),
            },
      );
    }
    return {
      outcomes,
      ...(Array.isArray(records) ? {} : { records: records.bytes }),
      written: written.bytes(),
      signatures: signatures.bytes(),
      ms,
      unknownKeys: validate.unknownKeys(),
      clean: clean.state(),
    };
  };
}

/** What dedupe-exact, token-length and the MinHash stages would compute, timed under their names. */
function workAhead(
  envelope: ExampleEnvelope,
  batch: {
    config: FrontConfig;
    tokenizer: ChatTokenizer | undefined;
    ms: Record<string, number>;
    written: WrittenForms;
    signatures: SignatureBuffer;
  },
): FrontOutcome['kept'] {
  const { config, tokenizer, ms } = batch;
  const timed = <T>(stage: string, work: () => T): T => {
    const started = performance.now();
    const result = work();
    ms[stage] = (ms[stage] ?? 0) + performance.now() - started;
    return result;
  };
  const { example } = envelope;
  // dedupe-exact's exactKey, with the key hashed from the bytes written (one UTF-8 encoding).
  const [written, contentKey] = timed('dedupe-exact', () => {
    const range = batch.written.add(JSON.stringify(example));
    return [range, contentKeyOf(batch.written.view(range))] as const;
  });
  const kept: NonNullable<FrontOutcome['kept']> = {
    written,
    contentKey,
    hasSystem: envelope.hasSystem!,
    unit: splitUnit(config.seed, envelope.scenario, contentKey),
    ...(envelope.references ? { references: envelope.references } : {}),
  };
  if (tokenizer && config.tokens) {
    const { allowSpecialText } = config.tokens;
    kept.counted = timed('token-length', () =>
      withRole(countConversation(tokenizer, example, allowSpecialText), envelope),
    );
  }
  if (config.shingle !== undefined) {
    const shingle = config.shingle;
    const signature = timed('dedupe-near', () => nearSignatureOf(conversationParts(example), shingle));
    kept.signature = signature ? batch.signatures.add(signature) : null;
  }
  return kept;
}

/** The buffer the last batch's written forms were encoded in, for the next batch (no regrowing per batch). */
let spareBuffer: Uint8Array | undefined;
/** The largest buffer kept for the next batch (a batch of 512 typical records takes ~1-2 MB). */
const MAX_SPARE_BYTES = 8 * 1024 * 1024;
/** Texts longer than this (code units) have their UTF-8 length measured before they are encoded. */
const LONG_TEXT = 1 << 16;

/** A batch's written forms, UTF-8, one after another, encoded as they are added. */
class WrittenForms {
  private buffer = takeSpareBuffer();
  private encoder = Buffer.from(this.buffer.buffer);
  private end = 0;

  /** Encodes the text; returns its byte range. */
  add(text: string): [number, number] {
    // UTF-8 takes at most 3 bytes per UTF-16 code unit; a long text is measured, not guessed.
    const room = text.length > LONG_TEXT ? Buffer.byteLength(text, 'utf8') : text.length * 3;
    if (this.end + room > this.buffer.length) {
      let size = this.buffer.length * 2;
      while (size < this.end + room) size *= 2;
      const grown = new Uint8Array(size);
      grown.set(this.buffer.subarray(0, this.end));
      this.buffer = grown;
      this.encoder = Buffer.from(grown.buffer);
    }
    const start = this.end;
    this.end += this.encoder.write(text, start, 'utf8');
    // write() stops quietly when the buffer is full: a cut written form must never pass.
    if (this.buffer.length - this.end < 4 && this.end - start !== Buffer.byteLength(text, 'utf8'))
      throw new PhikitError('INTERNAL', 'a written form did not fit its buffer');
    return [start, this.end];
  }

  /** The bytes of one range, until the next `add`. */
  view([start, end]: readonly [number, number]): Uint8Array {
    return this.buffer.subarray(start, end);
  }

  /**
   * A copy in an ArrayBuffer of its own (never Buffer's shared pool), so the worker can transfer
   * it; the buffer is then the next batch's.
   */
  bytes(): Uint8Array {
    const bytes = this.buffer.slice(0, this.end);
    // A buffer grown for huge lines is not kept: memory stays bounded by the batches in flight.
    if (this.buffer.length <= MAX_SPARE_BYTES) spareBuffer = this.buffer;
    return bytes;
  }
}

function takeSpareBuffer(): Uint8Array {
  const buffer = spareBuffer ?? new Uint8Array(1 << 16);
  spareBuffer = undefined;
  return buffer;
}

/** A batch's signatures, one after another: one buffer to transfer instead of one per example. */
class SignatureBuffer {
  private buffer = new Uint8Array(PERMUTATIONS * 64);
  private end = 0;

  /** Where the signature starts. */
  add(signature: Uint8Array): number {
    if (this.end + signature.length > this.buffer.length) {
      const grown = new Uint8Array(this.buffer.length * 2);
      grown.set(this.buffer);
      this.buffer = grown;
    }
    this.buffer.set(signature, this.end);
    this.end += signature.length;
    return this.end - signature.length;
  }

  bytes(): Uint8Array {
    return this.buffer.slice(0, this.end);
  }
}
