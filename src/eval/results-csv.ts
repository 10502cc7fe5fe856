// results.csv: one row per example and endpoint, for spreadsheets (RFC 4180 quoting). Text cells
// that a spreadsheet would run as a formula get a leading quote (OWASP CSV injection guidance).
// Each `--scorer` adds a column of its scores (named by the scorer), a label scorer also one of
// the label it found ("NAME predicted"), after the fixed columns.
import type { EvalResult } from '../core/eval-types.js';
import type { LabelDetail, Scorer } from '../metrics/scorers.js';

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
  'perplexity_not_scored',
  'latency_ms',
  'prompt_tokens',
  'completion_tokens',
  'attempts',
  'error_kind',
  'error',
  'prediction',
  'reference',
  'references',
  'answer_truncated_bytes',
] as const;

/** Starts that make Excel, LibreOffice or Sheets read a cell as a formula. */
const FORMULA_START = /^[=+\-@\t\r]/;

function quoted(text: string): string {
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A number phikit computed (a negative log-probability stays a number). */
function numberCell(value: number | null | undefined): string {
  return value === null || value === undefined ? '' : String(value);
}

/** Text from a model, a dataset or a user: never a formula. */
export function textCell(value: string | null | undefined): string {
  if (value === null || value === undefined) return '';
  return quoted(FORMULA_START.test(value) ? `'${value}` : value);
}

type ScorerColumns = Pick<Scorer, 'name' | 'labels'>;

function scorerHeader(scorers: readonly ScorerColumns[]): string[] {
  return scorers.flatMap((s) => (s.labels ? [s.name, `${s.name} predicted`] : [s.name])).map(textCell);
}

function scorerCells(result: EvalResult, scorers: readonly ScorerColumns[]): string[] {
  return scorers.flatMap((s) => {
    const outcome = result.scorers?.[s.name];
    const score = numberCell(outcome?.score);
    if (!s.labels) return [score];
    return [
      score,
      textCell(outcome ? ((outcome.detail as LabelDetail | undefined)?.predicted ?? '') : undefined),
    ];
  });
}

export function resultsCsv(results: readonly EvalResult[], scorers: readonly ScorerColumns[] = []): string {
  const rows = results.map((r) =>
    [
      textCell(r.id),
      numberCell(r.line),
      textCell(r.scenario),
      textCell(r.endpoint),
      textCell(r.model),
      numberCell(r.scores?.em),
      numberCell(r.scores?.f1),
      numberCell(r.scores?.accuracy),
      textCell(r.logprobs?.kind),
      numberCell(r.logprobs?.sumLogprob),
      numberCell(r.logprobs?.tokens),
      textCell(r.perplexityNotScored?.message),
      numberCell(r.latencyMs),
      numberCell(r.usage?.promptTokens),
      numberCell(r.usage?.completionTokens),
      numberCell(r.attempts),
      textCell(r.error?.kind),
      textCell(r.error?.message),
      textCell(r.prediction),
      textCell(r.reference),
      // Further accepted answers as a JSON array of strings: unambiguous whatever they contain.
      textCell(r.references === undefined ? undefined : JSON.stringify(r.references)),
      numberCell(r.answerTruncated?.bytes),
      ...scorerCells(r, scorers),
    ].join(','),
  );
  const header = [...COLUMNS, ...scorerHeader(scorers)].join(',');
  return `${[header, ...rows].join('\r\n')}\r\n`;
}
