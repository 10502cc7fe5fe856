// Held-out examples for evaluation, read with the prep reader and checks: the prompt is every
// message before the final assistant message, the reference is that message; a record's
// `references` (strings) are further accepted answers. The scenario comes from one source:
// a field, the system prompt, rules, prep's index.jsonl (labels), or else a top-level string
// `scenario` in the record (what prep writes to test.jsonl).
import { createHash } from 'node:crypto';
import { usesTools, type ChatMessage } from '../core/example.js';
import { UNLABELED, type Envelope } from '../core/envelope.js';
import { PhikitError } from '../core/errors.js';
import { resolveScenarioSource, type PrepOptions } from '../pipeline/prep-config.js';
import { readChatExamples } from '../pipeline/chat-examples.js';
import type { FormatOption } from '../pipeline/read.js';
import type { ScenarioSource } from '../stages/scenario.js';
import type { EvalExample } from '../core/eval-types.js';
import { readScenarioLabels, type ScenarioLabels } from './labels.js';

export interface ExampleOptions extends Pick<PrepOptions, 'scenarioField' | 'scenarioBy' | 'scenarioRules'> {
  /** prep's index.jsonl: scenarios of the evaluated file's rows, matched by its basename. */
  labels?: string;
  format?: FormatOption;
  limit?: number;
}

/** Something about the examples a user should know, with how many examples it concerns. */
export interface EvalWarning {
  code:
    'scenario_field_missing' | 'labels_unmatched' | 'predictions_unmatched' | 'examples_without_prediction';
  message: string;
  count: number;
}

export interface LoadedExamples {
  examples: EvalExample[];
  /** Lines that are not chat examples, with why (they are not evaluated). */
  skipped: Array<{ line: number; message: string }>;
  /** Where the scenario labels came from, in words (for metrics.json). */
  scenarioSource: string;
  warnings: EvalWarning[];
}

export async function loadExamples(path: string, options: ExampleOptions = {}): Promise<LoadedExamples> {
  const scenario = await scenarioSourceOf(options);
  const labels = options.labels === undefined ? undefined : await readScenarioLabels(options.labels, path);
  const source = await readChatExamples(path, { format: options.format, scenario });
  const examples: EvalExample[] = [];
  const skipped: LoadedExamples['skipped'] = [];
  for await (const batch of source.batches) {
    for (const envelope of batch) {
      if (envelope.rejection) {
        skipped.push({ line: envelope.line, message: envelope.rejection.message });
        continue;
      }
      const references = referencesOf(envelope.record);
      if (typeof references === 'string') {
        skipped.push({ line: envelope.line, message: references });
        continue;
      }
      if (options.limit !== undefined && examples.length >= options.limit) continue;
      // Endpoints are asked text turns; a tool-calling example has no text reference to score.
      if (usesTools(envelope.example!)) {
        skipped.push({ line: envelope.line, message: 'tool-calling example: eval scores text answers only' });
        continue;
      }
      examples.push(toExample(envelope, scenarioOf(envelope, scenario, labels), references));
    }
  }
  return {
    examples,
    skipped,
    scenarioSource: describeSource(scenario, labels),
    warnings: scenarioWarnings(examples, scenario, labels),
  };
}

async function scenarioSourceOf(options: ExampleOptions): Promise<ScenarioSource | undefined> {
  const others = (['scenarioField', 'scenarioBy', 'scenarioRules'] as const).filter(
    (option) => options[option] !== undefined,
  );
  if (options.labels !== undefined && others.length > 0) {
    throw new PhikitError(
      'USAGE',
      `labels and ${others.join(' and ')} both name the scenario; give one`,
      undefined,
      {
        options: ['labels', ...others],
      },
    );
  }
  return resolveScenarioSource(options);
}

function toExample(envelope: Envelope, scenario: string, references: string[] | undefined): EvalExample {
  // loadExamples skipped tool-calling examples: every turn left is text.
  const messages = envelope.example!.messages as ChatMessage[];
  const prompt = messages.slice(0, -1);
  const reference = messages[messages.length - 1]!.content;
  return {
    id: exampleId(prompt, reference),
    line: envelope.line,
    scenario,
    prompt,
    reference,
    ...(references === undefined ? {} : { references }),
  };
}

/** The validate stage's label, the index label of this row, or the record's own `scenario` string. */
function scenarioOf(
  envelope: Envelope,
  source: ScenarioSource | undefined,
  labels: ScenarioLabels | undefined,
): string {
  if (labels !== undefined) return labels.byRow.get(envelope.line) ?? UNLABELED;
  if (source !== undefined) return envelope.scenario;
  const own = fieldOf(envelope.record, 'scenario');
  return typeof own === 'string' && own.trim() !== '' ? own.trim() : UNLABELED;
}

/** The record's further accepted answers; a string says why they cannot be used. */
function referencesOf(record: unknown): string[] | undefined | string {
  const value = fieldOf(record, 'references');
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    return `references must be an array of strings (got ${JSON.stringify(value).slice(0, 60)})`;
  }
  return value as string[];
}

function fieldOf(record: unknown, key: string): unknown {
  return typeof record === 'object' && record !== null ? (record as Record<string, unknown>)[key] : undefined;
}

function describeSource(source: ScenarioSource | undefined, labels: ScenarioLabels | undefined): string {
  if (labels !== undefined) return `labels: ${labels.path} (rows of ${labels.file})`;
  if (source === undefined) return 'the record\'s "scenario" string, where present';
  if (source.by === 'field') return `field: ${source.path}`;
  return source.by === 'system' ? 'the system prompt' : 'scenario rules';
}

function scenarioWarnings(
  examples: readonly EvalExample[],
  source: ScenarioSource | undefined,
  labels: ScenarioLabels | undefined,
): EvalWarning[] {
  const unlabeled = examples.filter((example) => example.scenario === UNLABELED).length;
  if (labels !== undefined && unlabeled > 0) {
    return [
      {
        code: 'labels_unmatched',
        message: `${unlabeled} of ${examples.length} examples have no line for their row of ${labels.file} in ${labels.path}: they are "${UNLABELED}"`,
        count: unlabeled,
      },
    ];
  }
  if (source?.by === 'field' && examples.length > 0 && unlabeled === examples.length) {
    return [
      {
        code: 'scenario_field_missing',
        message: `scenario field "${source.path}" is absent from all ${examples.length} examples: they are "${UNLABELED}"`,
        count: unlabeled,
      },
    ];
  }
  return [];
}

export function exampleId(prompt: unknown, reference: string): string {
  return createHash('sha256')
    .update(JSON.stringify([prompt, reference]))
    .digest('hex')
    .slice(0, 16);
}
