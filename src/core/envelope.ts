// What flows through the prep pipeline: one input line, where it came from, and what the
// stages learned about it. A rejected envelope keeps flowing (untouched) to rejected.jsonl.
import type { ChatExample } from './example.js';
import type { RejectReason } from './reasons.js';

export interface Rejection {
  reason: RejectReason;
  /** One line a person can act on, without the "line N:" prefix. */
  message: string;
  /** Machine-readable specifics (e.g. `{ sameAs: 12 }`, `{ tokens: 5123 }`). */
  detail?: Record<string, unknown>;
}

export interface TokenCounts {
  /** Tokens of the whole conversation rendered with the chat template. */
  total: number;
  /** Tokens of assistant turns with weight != 0: what training learns from. */
  assistant: number;
}

/** A conversation's token count, and the first message holding a special-token string, if any. */
export interface CountedTokens {
  tokens: TokenCounts;
  special?: { message: number; token: string; role: string };
}

export interface Envelope {
  /** 1-based line number in the input file (for a top-level JSON array: 1-based element index). */
  line: number;
  /** The original line, exactly as read (invalid UTF-8 bytes escaped losslessly, see io/line-reader). */
  readonly raw: string;
  /** A JSONL line's bytes, when it is valid UTF-8 (`raw` is then decoded from them when first read). */
  readonly bytes?: Uint8Array;
  /** The parsed JSON value, once `parse` has run. */
  record?: unknown;
  /** The example in chat format, once `validate` has run; `clean` rewrites its contents. */
  example?: ChatExample;
  /** Scenario label (from --scenario-field, --scenario-by or rules); `unlabeled` when none. */
  scenario: string;
  /** Set by the token-length stage. */
  tokens?: TokenCounts;
  /** The token count, when a front worker made it ahead (pipeline/front-work.ts); token-length reads it. */
  counted?: CountedTokens;
  /** The split unit (pipeline/survivors.ts `splitUnit`), when a front worker computed it. */
  unit?: number;
  /** Whether the conversation starts with a system message (set by validate). */
  hasSystem?: boolean;
  /** The record's `references` when they are an array of strings (set by validate; test.jsonl carries them). */
  references?: string[];
  /** Exact-duplicate signature of the cleaned, canonical conversation. */
  contentKey?: string;
  /**
   * The cleaned example as written to train/validation.jsonl, serialized once by dedupe-exact, or
   * by a front worker, which hands it over as UTF-8 bytes (the main thread only copies them out).
   */
  serialized?: string | Uint8Array;
  /**
   * 96-byte MinHash signature of the user and assistant text for one shingle size, computed once
   * by the first stage that needs it; `value` is undefined when the text has too few shingles.
   */
  signature?: { shingle: number; value: Uint8Array | undefined };
  /** The example's ordinal in the near-duplicate store: its leakage cluster is looked up by it after pass 1. */
  nearOrdinal?: number;
  /** Set by the stage that drops the envelope; later stages skip it. */
  rejection?: Rejection;
}

/** An envelope that passed every per-record stage of prep: what its writer reads. */
export type KeptEnvelope = Envelope & Required<Pick<Envelope, 'contentKey' | 'serialized' | 'hasSystem'>>;

export const UNLABELED = 'unlabeled';

/**
 * A streaming stage. It sees the envelopes in input order, in batches (so a stage can fan a
 * batch out to worker threads), and marks the ones it drops by setting `rejection`.
 * It must skip envelopes that already carry a rejection.
 */
export interface Stage {
  readonly name: string;
  /** Envelope fields the stage reads: an earlier stage must provide them (checked when stages are composed). */
  readonly needs?: ReadonlyArray<keyof Envelope>;
  /** Envelope fields the stage sets on the envelopes it keeps. */
  readonly provides?: ReadonlyArray<keyof Envelope>;
  run(batch: Envelope[]): void | Promise<void>;
  /** Figures for manifest.json, read once the input is exhausted. */
  summary?(): Record<string, unknown>;
  /** Release resources (worker threads). */
  close?(): void | Promise<void>;
}
