// results.csv: one row per example and endpoint, for spreadsheets (RFC 4180 quoting).
import type { EvalResult } from './types.js';

const COLUMNS = [
  'id',
  'line',
  'scenario',
  'endpoint',
  'model',
  'em',
  'f1',
  'accuracy',
  'logprob_kind',
  'sum_logprob',
  'logprob_tokens',
  'latency_ms',
  'prompt_tokens',
  'completion_tokens',
  'attempts',
  'error_kind',
  'error',
  'prediction',
  'reference',
] as const;

function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function resultsCsv(results: readonly EvalResult[]): string {
  const rows = results.map((r) =>
    [
      r.id,
      r.line,
      r.scenario,
      r.endpoint,
      r.model,
      r.scores?.em,
      r.scores?.f1,
      r.scores?.accuracy,
      r.logprobs?.kind,
      r.logprobs?.sumLogprob,
      r.logprobs?.tokens,
      r.latencyMs,
      r.usage?.promptTokens,
      r.usage?.completionTokens,
      r.attempts,
      r.error?.kind,
      r.error?.message,
      r.prediction,
      r.reference,
    ]
      .map(cell)
      .join(','),
  );
  return `${[COLUMNS.join(','), ...rows].join('\r\n')}\r\n`;
}
