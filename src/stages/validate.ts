// Stage 2, validate: converts the record from its input format to chat messages, reads its
// scenario label, and checks it against schemas/chat.schema.json (tool calling included). All
// errors are kept; the first is shown. Top-level keys phikit does not use are counted, never
// dropped without a word. Memory: one counter per distinct unknown key.
import { usesTools, type ChatExample, type ExampleMessage } from '../core/example.js';
import { UNLABELED, type Envelope, type Rejection, type Stage } from '../core/envelope.js';
import type { InputFormat } from '../core/manifest.js';
import { toChat } from '../formats/convert.js';
import type { FieldMapping } from '../formats/fields.js';
import { checkChatExample } from '../schema/chat.js';
import { scenarioFromMessages, type ScenarioSource } from './scenario.js';

export interface ValidateOptions {
  format: InputFormat;
  /** The mapping of the `fields` format (`--fields user=PATH,assistant=PATH`). */
  fields?: FieldMapping;
  /** Dotted path to the scenario label, e.g. `scenario` or `metadata.category`. */
  scenarioField?: string;
  /** Where the scenario comes from otherwise: the system prompt or rules (see scenario.ts). */
  scenario?: ScenarioSource;
  /**
   * The model whose chat template has no tool calling: examples that use tools are
   * `tools_unsupported`. Unset (the default): tools are allowed.
   */
  toolsUnsupportedBy?: string;
  /** Distinct unknown keys counted at most (default 1000); a front worker's batch instance counts them all. */
  maxUnknownKeys?: number;
}

/** The unknown-key counts of a batch, in order of first appearance (what a front worker hands back). */
export type UnknownKeyCounts = Array<[key: string, count: number]>;

export interface ValidateStage extends Stage {
  unknownKeys(): UnknownKeyCounts;
  /** Counts a batch's unknown keys in, as if its records had run here (batches in input order). */
  absorb(counts: UnknownKeyCounts): void;
}

/** Top-level keys phikit reads (besides the scenario field): never counted as unknown. */
export const KNOWN_KEYS = ['messages', 'tools', 'functions', 'parallel_tool_calls', 'references'];

/** Keys an unknown-key count keeps at most: a file with a new key per line cannot grow it without bound. */
const MAX_UNKNOWN_KEYS = 1000;

export function createValidateStage(options: ValidateOptions): ValidateStage {
  const source = options.scenario;
  const field = options.scenarioField ?? (source?.by === 'field' ? source.path : undefined);
  const scenarioPath = field?.split('.');
  const fromMessages = source && source.by !== 'field' ? source : undefined;
  const known = new Set([...KNOWN_KEYS, ...(scenarioPath ? [scenarioPath[0]!] : [])]);
  const unknownKeys = new Map<string, number>();
  const maxUnknownKeys = options.maxUnknownKeys ?? MAX_UNKNOWN_KEYS;
  const countUnknownKey = (key: string, count: number): void => {
    if (unknownKeys.has(key) || unknownKeys.size < maxUnknownKeys)
      unknownKeys.set(key, (unknownKeys.get(key) ?? 0) + count);
  };
  const countUnknownKeys = (value: unknown): void => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return;
    for (const key of Object.keys(value)) if (!known.has(key)) countUnknownKey(key, 1);
  };
  return {
    name: 'validate',
    needs: ['record'],
    provides: ['example', 'hasSystem'],
    run(batch: Envelope[]) {
      for (const envelope of batch) {
        if (envelope.rejection) continue;
        if (scenarioPath) envelope.scenario = scenarioOf(envelope.record, scenarioPath);
        const converted = toChat(envelope.record, options.format, options.fields);
        if (!converted.ok) {
          const reason = converted.reason ?? 'schema';
          envelope.rejection = { reason, message: converted.error, detail: { errors: [converted.error] } };
          continue;
        }
        countUnknownKeys(converted.value);
        const check = checkChatExample(converted.value);
        if (!check.ok) {
          const errors = check.errors;
          const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : '';
          envelope.rejection = { reason: 'schema', message: `${errors[0]}${more}`, detail: { errors } };
          continue;
        }
        if (options.toolsUnsupportedBy !== undefined && usesTools(check.example)) {
          envelope.rejection = toolsUnsupported(options.toolsUnsupportedBy);
          continue;
        }
        envelope.example = onlyAzureKeys(check.example);
        envelope.hasSystem = envelope.example.messages[0]?.role === 'system';
        const references = referencesOf(envelope.record);
        if (references) envelope.references = references;
        if (fromMessages) envelope.scenario = scenarioFromMessages(envelope.example, fromMessages);
      }
    },
    summary: () => ({ unknownKeys: Object.fromEntries(unknownKeys) }),
    unknownKeys: () => [...unknownKeys],
    absorb(counts) {
      for (const [key, count] of counts) countUnknownKey(key, count);
    },
  };
}

/** The input record's `references`, when it is an array of strings. */
function referencesOf(record: unknown): string[] | undefined {
  if (typeof record !== 'object' || record === null || !('references' in record)) return undefined;
  const { references } = record;
  return Array.isArray(references) && references.every((r) => typeof r === 'string')
    ? (references as string[])
    : undefined;
}

function toolsUnsupported(model: string): Rejection {
  return {
    reason: 'tools_unsupported',
    message: `the example uses tool calling, and ${model} has no tool-calling chat template; use --model phi-4-mini, or --no-tokens to keep it unchecked`,
    detail: { model },
  };
}

/** A label from a dotted path; missing, empty or non-scalar values mean `unlabeled`. */
export function scenarioOf(record: unknown, path: readonly string[]): string {
  let value: unknown = record;
  for (const key of path) {
    if (typeof value !== 'object' || value === null) return UNLABELED;
    value = (value as Record<string, unknown>)[key];
  }
  if (typeof value === 'string' && value.trim() !== '') return value.trim();
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return UNLABELED;
}

/** Message keys written, in this order (as the OpenAI docs show them); tool calls and tools are copied as they came. */
const MESSAGE_KEYS: Record<string, readonly string[]> = {
  tool: ['role', 'tool_call_id', 'content', 'name'],
  function: ['role', 'name', 'content'],
  other: ['role', 'content', 'name', 'weight', 'tool_calls', 'function_call'],
};

/** The written example carries only what the Azure format allows, so it uploads unchanged. */
function onlyAzureKeys(example: ChatExample): ChatExample {
  const kept: ChatExample = {
    messages: example.messages.map((message) => {
      const copy: Record<string, unknown> = {};
      for (const key of MESSAGE_KEYS[message.role] ?? MESSAGE_KEYS.other!) {
        const value = (message as unknown as Record<string, unknown>)[key];
        if (value !== undefined) copy[key] = value;
      }
      return copy as unknown as ExampleMessage;
    }),
  };
  if (example.tools !== undefined) kept.tools = example.tools;
  if (example.functions !== undefined) kept.functions = example.functions;
  if (example.parallel_tool_calls !== undefined) kept.parallel_tool_calls = example.parallel_tool_calls;
  return kept;
}
