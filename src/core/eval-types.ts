// What an evaluation reads (examples) and writes (one results.jsonl line per example and endpoint).
// A leaf: eval writes these, and metrics, report and compare read them.
import type { ChatMessage } from './example.js';

export type PerplexityKind = 'reference' | 'own-output' | 'none';

export interface EvalExample {
  /** Stable across files and runs: a hash of the prompt and the reference. */
  id: string;
  /** 1-based line in the examples file. */
  line: number;
  scenario: string;
  /** Every message before the final assistant message. */
  prompt: ChatMessage[];
  /** The final assistant message. */
  reference: string;
  /** Further accepted answers (the record's `references`); EM/F1/accuracy take the max over all. */
  references?: string[];
}

export interface LogprobData {
  kind: Exclude<PerplexityKind, 'none'>;
  /** Sum of natural-log probabilities of the scored tokens. */
  sumLogprob: number;
  tokens: number;
  /** UTF-8 bytes of the scored text (for bits per byte). */
  bytes: number;
}

export type ErrorKind =
  'rate_limited' | 'server_error' | 'client_error' | 'timeout' | 'connection' | 'invalid_response';

/** One scorer's verdict on one answer. */
export interface ScorerOutcome {
  /** 0-100. */
  score: number;
  /** What the scorer found (the label scorer: `{ predicted, gold }`; a module: anything JSON). */
  detail?: unknown;
}

export interface EvalResult {
  id: string;
  line: number;
  scenario: string;
  endpoint: string;
  model: string;
  /** sha256 of the prompt messages. */
  promptHash: string;
  /** sha256 of endpoint URL, model and request body: the cache and resume key. */
  requestKey: string;
  /** The answer as stored: cut at maxAnswerBytes when longer (see answerTruncated). */
  prediction: string | null;
  /** Present when the answer was cut: its size before the cut, in UTF-8 bytes. */
  answerTruncated?: { bytes: number };
  reference: string;
  /** The example's further accepted answers, when it has some (scores are the max over all). */
  references?: string[];
  /** 0-100, max over the reference and `references`; null when the request failed. */
  scores: { em: number; f1: number; accuracy: number } | null;
  /** Scores of the run's `--scorer`s (0-100, keyed by scorer name); present when some were asked and the request succeeded. */
  scorers?: Record<string, ScorerOutcome>;
  logprobs: LogprobData | null;
  /** Present when the answer is kept but the endpoint could not score the reference (e.g. it does not fit the context). */
  perplexityNotScored?: { message: string };
  latencyMs: number;
  usage: { promptTokens: number; completionTokens: number } | null;
  attempts: number;
  error: { kind: ErrorKind; message: string; status?: number } | null;
}

/** A results.jsonl line that is not a result: skipped, and reported with where it is. */
export interface DamagedLine {
  file: string;
  /** 1-based. */
  line: number;
  message: string;
}
