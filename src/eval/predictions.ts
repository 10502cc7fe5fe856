// `evaluate({ predictions })`: answers made elsewhere, one JSONL line each ({"id": ..., "prediction":
// ...} or {"line": N, "prediction": ...}), matched to the examples by example id or line and turned
// into results of a pseudo-endpoint, so they get the same metrics, scorers and reports.
// Lines that match no example, and examples that get no prediction, are counted and said.
// Memory: one result per matched example.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { access } from 'node:fs/promises';
import { basename } from 'node:path';
import { PhikitError } from '../core/errors.js';
import type { EvalExample, EvalResult } from '../core/eval-types.js';
import { readLines } from '../io/line-reader.js';
import { scoredExample, scoreWith, type Scorer } from '../metrics/scorers.js';
import { scorePrediction } from '../metrics/squad.js';
import { capAnswer } from './answer-cap.js';
import type { EvalWarning } from './examples.js';

/** How the predictions file matched the examples (in metrics.json). */
export interface PredictionsMatch {
  file: string;
  /** The pseudo-endpoint's name. */
  name: string;
  matched: number;
  /** Lines that match no example (or are not a prediction, or repeat an example), with why: the first 20. */
  unmatched: number;
  unmatchedLines: Array<{ line: number; message: string }>;
  /** Examples that no line predicts: left out of the metrics. */
  examplesWithoutPrediction: number;
  warnings: EvalWarning[];
}

const SHOWN_UNMATCHED = 20;

export async function readPredictions(
  path: string,
  examples: readonly EvalExample[],
  options: { name?: string; maxAnswerBytes: number; scorers: readonly Scorer[] },
): Promise<{ results: EvalResult[]; match: PredictionsMatch }> {
  await checkReadable(path);
  const name = options.name ?? basename(path).replace(/\.jsonl$/i, '');
  const byId = new Map(examples.map((e) => [e.id, e]));
  const byLine = new Map(examples.map((e) => [e.line, e]));
  const predicted = new Map<EvalExample, { text: string; originalBytes?: number }>();
  const unmatchedLines: PredictionsMatch['unmatchedLines'] = [];
  let unmatched = 0;
  for await (const line of readLines(createReadStream(path))) {
    if (line.text.trim() === '') continue;
    const found = matchLine(line.text, byId, byLine);
    const problem =
      typeof found === 'string'
        ? found
        : predicted.has(found.example)
          ? `a second prediction for the example on line ${found.example.line}`
          : undefined;
    if (problem !== undefined || typeof found === 'string') {
      unmatched++;
      if (unmatchedLines.length < SHOWN_UNMATCHED)
        unmatchedLines.push({ line: line.line, message: problem ?? '' });
      continue;
    }
    predicted.set(found.example, capAnswer({ text: found.prediction }, options.maxAnswerBytes));
  }
  const results: EvalResult[] = [];
  for (const example of examples) {
    const answer = predicted.get(example);
    if (answer) results.push(await resultOf(example, answer, name, options.scorers));
  }
  const examplesWithoutPrediction = examples.length - results.length;
  const match = {
    file: path,
    name,
    matched: results.length,
    unmatched,
    unmatchedLines,
    examplesWithoutPrediction,
  };
  return { results, match: { ...match, warnings: matchWarnings(match) } };
}

async function checkReadable(path: string): Promise<void> {
  try {
    await access(path);
  } catch {
    throw new PhikitError(
      'INPUT_NOT_FOUND',
      `predictions file ${path} not found`,
      'give the path of a JSONL file of {"id" or "line", "prediction"} lines',
    );
  }
}

/** The example a line predicts and its text, or why the line predicts none. */
function matchLine(
  text: string,
  byId: ReadonlyMap<string, EvalExample>,
  byLine: ReadonlyMap<number, EvalExample>,
): { example: EvalExample; prediction: string } | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return 'not JSON';
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not a JSON object';
  const record = value as { id?: unknown; line?: unknown; prediction?: unknown };
  if (typeof record.prediction !== 'string') return 'no "prediction" string';
  if (typeof record.id === 'string') {
    const example = byId.get(record.id);
    return example
      ? { example, prediction: record.prediction }
      : `no example has id "${record.id.slice(0, 80)}"`;
  }
  if (typeof record.line === 'number') {
    const example = byLine.get(record.line);
    return example ? { example, prediction: record.prediction } : `no example on line ${record.line}`;
  }
  return 'neither an "id" string nor a "line" number';
}

async function resultOf(
  example: EvalExample,
  answer: { text: string; originalBytes?: number },
  name: string,
  scorers: readonly Scorer[],
): Promise<EvalResult> {
  const accepted = [example.reference, ...(example.references ?? [])];
  return {
    id: example.id,
    line: example.line,
    scenario: example.scenario,
    endpoint: name,
    model: name,
    promptHash: createHash('sha256').update(JSON.stringify(example.prompt)).digest('hex'),
    requestKey: createHash('sha256')
      .update(JSON.stringify({ predictions: name, id: example.id, line: example.line }))
      .digest('hex'),
    prediction: answer.text,
    ...(answer.originalBytes !== undefined ? { answerTruncated: { bytes: answer.originalBytes } } : {}),
    reference: example.reference,
    ...(example.references ? { references: example.references } : {}),
    scores: scorePrediction(answer.text, accepted),
    ...(scorers.length > 0 ? { scorers: await scoreWith(scorers, answer.text, scoredExample(example)) } : {}),
    logprobs: null,
    latencyMs: 0,
    usage: null,
    attempts: 0,
    error: null,
  };
}

function matchWarnings(match: Omit<PredictionsMatch, 'warnings'>): EvalWarning[] {
  const warnings: EvalWarning[] = [];
  if (match.unmatched > 0) {
    const first = match.unmatchedLines[0]!;
    warnings.push({
      code: 'predictions_unmatched',
      message: `${match.unmatched} line${match.unmatched === 1 ? '' : 's'} of ${match.file} match no example (first: line ${first.line}, ${first.message}); see predictions.unmatchedLines in metrics.json`,
      count: match.unmatched,
    });
  }
  if (match.examplesWithoutPrediction > 0) {
    warnings.push({
      code: 'examples_without_prediction',
      message: `${match.examplesWithoutPrediction} example${match.examplesWithoutPrediction === 1 ? ' has' : 's have'} no prediction in ${match.file} and ${match.examplesWithoutPrediction === 1 ? 'is' : 'are'} left out of the metrics`,
      count: match.examplesWithoutPrediction,
    });
  }
  return warnings;
}
