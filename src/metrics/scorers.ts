// Scorers chosen per run (`--scorer NAME[:ARG]`) next to EM/F1/accuracy: contains, regex, label,
// json, json-schema, rouge-l, or a user's JS module. Each gives a score in [0, 100] per answered
// example (stored in results.jsonl, averaged with a bootstrap interval like EM/F1) and maybe a
// detail (the label scorer's predicted and gold labels, from which summary.ts builds the confusion matrix).
import { PhikitError } from '../core/errors.js';
import type { ScorerOutcome } from '../core/eval-types.js';
import { rougeL } from './rouge.js';
import { maxOverReferences, normalizeAnswer } from './squad.js';

/** What a scorer sees of an example (results.jsonl keeps all of it, so a run can be rescored). */
export interface ScoredExample {
  id: string;
  line: number;
  scenario: string;
  /** The final assistant message. */
  reference: string;
  references?: string[];
}

export type { ScorerOutcome };

/** The label scorer's detail: what it found in the prediction and in the reference (null: none). */
export interface LabelDetail {
  predicted: string | null;
  gold: string | null;
}

export interface Scorer {
  /** As the user wrote it (`contains`, `label:yes|no`, `./my-scorer.mjs`): the key in every output. */
  name: string;
  definition: string;
  /** Label scorers: the allowed labels, lowercased, in the order given. */
  labels?: string[];
  score(prediction: string, example: ScoredExample): Promise<ScorerOutcome> | ScorerOutcome;
}

/** A user's scorer module's default export. */
export type ScorerFunction = (
  prediction: string,
  reference: string,
  example: ScoredExample,
) => number | { score: number; detail?: unknown } | Promise<number | { score: number; detail?: unknown }>;

export const BUILT_IN_SCORERS = ['contains', 'regex', 'label', 'json', 'json-schema', 'rouge-l'] as const;

export interface ScorerSpec {
  name: string;
  kind: (typeof BUILT_IN_SCORERS)[number] | 'module';
  arg?: string;
}

/** `contains`, `regex:^\d+$`, `label:a|b`, `json-schema:FILE`, or a path to a module (./x.mjs). */
export function parseScorerSpec(text: string): ScorerSpec {
  if (/\.(m?js|cjs)$/.test(text) && /[/\\]/.test(text)) return { name: text, kind: 'module', arg: text };
  const colon = text.indexOf(':');
  const kind = colon === -1 ? text : text.slice(0, colon);
  const arg = colon === -1 ? undefined : text.slice(colon + 1);
  const known = BUILT_IN_SCORERS.find((name) => name === kind);
  if (!known) {
    throw new PhikitError(
      'USAGE',
      `unknown scorer "${text}"`,
      `use one of ${BUILT_IN_SCORERS.join(', ')}, or a path to a JS module such as ./my-scorer.mjs`,
    );
  }
  const needsArg = known === 'regex' || known === 'label' || known === 'json-schema';
  if (needsArg && !arg)
    throw new PhikitError('USAGE', `scorer "${text}" needs an argument`, `write it as ${known}:ARG`);
  if (!needsArg && arg !== undefined)
    throw new PhikitError(
      'USAGE',
      `scorer "${known}" takes no argument (got "${text}")`,
      `write it as ${known}`,
    );
  return { name: text, kind: known, ...(arg !== undefined ? { arg } : {}) };
}

const percent = (hit: boolean): ScorerOutcome => ({ score: hit ? 100 : 0 });
const acceptedAnswers = (example: ScoredExample) => [example.reference, ...(example.references ?? [])];

const SPACED_WORD_CHARACTER = /[\p{L}\p{N}_]/u;
const UNSPACED_CHARACTER = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}]/u;
/** Two characters that would join one word: both letters/digits of a script that spaces its words. */
function joins(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined) return false;
  const spaced = (c: string) => SPACED_WORD_CHARACTER.test(c) && !UNSPACED_CHARACTER.test(c);
  return spaced(a) && spaced(b);
}

/**
 * 1 when the normalised reference occurs in the normalised prediction as whole words ("paris" is
 * not contained in "comparisons"; in Chinese or Japanese any position counts). An empty reference
 * is only contained in an empty prediction.
 */
export function containsScore(prediction: string, reference: string): number {
  const haystack = normalizeAnswer(prediction);
  const needle = normalizeAnswer(reference);
  if (needle === '') return haystack === '' ? 1 : 0;
  for (let at = haystack.indexOf(needle); at !== -1; at = haystack.indexOf(needle, at + 1)) {
    const before = [...haystack.slice(0, at)].at(-1);
    const after = [...haystack.slice(at + needle.length, at + needle.length + 2)][0];
    if (!joins(before, [...needle][0]) && !joins([...needle].at(-1), after)) return 1;
  }
  return 0;
}

/** The JSON value in a prediction, bare or in a ```json fence; undefined when it does not parse. */
export function parseJsonPrediction(prediction: string): { value: unknown } | undefined {
  const trimmed = prediction.trim();
  const fenced = /^```(?:json)?[ \t]*\r?\n([\s\S]*?)\r?\n?```$/i.exec(trimmed);
  try {
    return { value: JSON.parse(fenced ? fenced[1]! : trimmed) as unknown };
  } catch {
    return undefined;
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A letter, digit or underscore of a script that puts spaces between words. */
const SPACED_WORD =
  '(?![\\p{Script=Han}\\p{Script=Hiragana}\\p{Script=Katakana}\\p{Script=Thai}])[\\p{L}\\p{N}_]';

/** A label as a whole word: a neighbour only counts when both it and the label's edge are spaced-script word characters. */
function wholeWord(label: string): string {
  const edge = (c: string | undefined) => c !== undefined && joins(c, 'a');
  const characters = [...label];
  const before = edge(characters[0]) ? `(?<!${SPACED_WORD})` : '';
  const after = edge(characters.at(-1)) ? `(?!${SPACED_WORD})` : '';
  return `${before}${escapeRegExp(label)}${after}`;
}

/** The first allowed label found in `text` (whole words, any case), or null. */
export function labelFinder(labels: readonly string[]): (text: string) => string | null {
  // Longest first so "very positive" wins over "positive" at the same position.
  const alternatives = [...labels].sort((a, b) => b.length - a.length).map(wholeWord);
  const pattern = new RegExp(alternatives.join('|'), 'iu');
  return (text) => {
    const found = pattern.exec(text);
    return found ? found[0].toLowerCase() : null;
  };
}

function labelScorer(name: string, arg: string): Scorer {
  const labels = [...new Set(arg.split('|').map((label) => label.trim().toLowerCase()))].filter(
    (l) => l !== '',
  );
  if (labels.length < 2)
    throw new PhikitError('USAGE', `scorer "${name}" needs at least two labels`, 'write it as label:a|b|c');
  const find = labelFinder(labels);
  return {
    name,
    labels,
    definition: `label accuracy: the first of ${labels.join(', ')} (whole word, any case) in the prediction equals the first found in the reference (else in "references"), 0-100; per-label precision/recall/F1, macro-F1 and confusion matrix under "classification"`,
    score(prediction, example) {
      const gold =
        acceptedAnswers(example)
          .map(find)
          .find((label) => label !== null) ?? null;
      const predicted = find(prediction);
      const detail: LabelDetail = { predicted, gold };
      return { score: predicted !== null && predicted === gold ? 100 : 0, detail };
    },
  };
}

function regexScorer(name: string, pattern: string): Scorer {
  let regex: RegExp;
  try {
    regex = new RegExp(pattern, 'u');
  } catch (error) {
    throw new PhikitError(
      'USAGE',
      `scorer "${name}": ${(error as Error).message}`,
      'write a JavaScript regular expression (u flag) after regex:',
    );
  }
  return {
    name,
    definition: `100 when the prediction matches the regular expression /${pattern}/u (anywhere unless anchored), else 0`,
    score: (prediction) => percent(regex.test(prediction)),
  };
}

/** The built-in scorers that need nothing from outside (json-schema and modules are loaded in eval/). */
export function builtInScorer(spec: ScorerSpec): Scorer {
  const { name } = spec;
  switch (spec.kind) {
    case 'contains':
      return {
        name,
        definition:
          'a reference (SQuAD-normalised) occurs as whole words in the normalised prediction, max over references, 0-100',
        score: (prediction, example) =>
          percent(maxOverReferences(containsScore, prediction, acceptedAnswers(example)) === 1),
      };
    case 'regex':
      return regexScorer(name, spec.arg!);
    case 'label':
      return labelScorer(name, spec.arg!);
    case 'json':
      return {
        name,
        definition: '100 when the prediction parses as JSON (bare or in a ```json fence), else 0',
        score: (prediction) => percent(parseJsonPrediction(prediction) !== undefined),
      };
    case 'rouge-l':
      return {
        name,
        definition:
          'ROUGE-L F-measure (longest common subsequence, β = 1) over SQuAD-normalised tokens (Han/Kana/Thai: one token per character), max over references, 0-100',
        score: (prediction, example) => ({
          score: 100 * maxOverReferences(rougeL, prediction, acceptedAnswers(example)),
        }),
      };
    default:
      throw new PhikitError('INTERNAL', `scorer "${name}" is not built in`, 'load it with loadScorers');
  }
}

/** A json-schema scorer around a compiled validator (compiled once by the caller). */
export function jsonSchemaScorer(name: string, file: string, validates: (value: unknown) => boolean): Scorer {
  return {
    name,
    definition: `100 when the prediction parses as JSON (bare or in a \`\`\`json fence) and is valid against the JSON Schema ${file}, else 0`,
    score(prediction) {
      const parsed = parseJsonPrediction(prediction);
      return percent(parsed !== undefined && validates(parsed.value));
    },
  };
}

/** A user's module as a scorer: its score in [0, 1] becomes 0-100; anything else stops the run. */
export function moduleScorer(name: string, score: ScorerFunction): Scorer {
  return {
    name,
    definition: `the module ${name}: default export (prediction, reference, example) => score in [0, 1], × 100`,
    async score(prediction, example) {
      const returned = await score(prediction, example.reference, example);
      const value = typeof returned === 'number' ? returned : returned?.score;
      if (typeof value !== 'number' || !(value >= 0 && value <= 1)) {
        throw new PhikitError(
          'CONFIG_INVALID',
          `scorer ${name} returned ${JSON.stringify(value) ?? String(value)} for the example on line ${example.line}`,
          'return a number in [0, 1], or { score, detail } with score in [0, 1]',
        );
      }
      const detail = typeof returned === 'object' ? returned.detail : undefined;
      return { score: 100 * value, ...(detail !== undefined ? { detail } : {}) };
    },
  };
}

/** What a scorer sees of an example: the same from the examples file and from a stored result. */
export function scoredExample(source: ScoredExample): ScoredExample {
  return {
    id: source.id,
    line: source.line,
    scenario: source.scenario,
    reference: source.reference,
    ...(source.references ? { references: source.references } : {}),
  };
}

/** Every scorer's outcome for one answer, keyed by scorer name. */
export async function scoreWith(
  scorers: readonly Scorer[],
  prediction: string,
  example: ScoredExample,
): Promise<Record<string, ScorerOutcome>> {
  const outcomes: Record<string, ScorerOutcome> = {};
  for (const scorer of scorers) outcomes[scorer.name] = await scorer.score(prediction, example);
  return outcomes;
}
