// Records that are not chats but obvious pairs (prompt/response, question/answer, Dolly's
// instruction/context/response, ...) and `--fields user=PATH,assistant=PATH,system=PATH`.
import { PhikitError } from '../core/errors.js';
import { describeValue } from '../core/describe.js';
import { withoutKeys, type Conversion } from './conversion.js';

/** Dotted paths of the fields that hold each turn; `context` is appended to the user turn. */
export interface FieldMapping {
  user: string;
  assistant: string;
  system?: string;
  context?: string;
}

/** The pair formats `--format auto` recognises, by the keys that name them. */
export const PAIR_FORMATS = {
  'prompt-response': { user: 'prompt', assistant: 'response', system: 'system' },
  'question-answer': { user: 'question', context: 'context', assistant: 'answer', system: 'system' },
  dolly: { user: 'instruction', context: 'context', assistant: 'response', system: 'system' },
  'query-response': { user: 'query', assistant: 'response', system: 'system' },
  'input-output': { user: 'input', assistant: 'output', system: 'system' },
} as const satisfies Record<string, FieldMapping>;

export type PairFormat = keyof typeof PAIR_FORMATS;

const TURNS = ['user', 'assistant', 'system', 'context'] as const;

/** `user=q,assistant=a.text,system=sys` -> a mapping; a bad spec is a usage error. */
export function parseFieldMapping(spec: string | FieldMapping): FieldMapping {
  const entries =
    typeof spec === 'string'
      ? spec.split(',').map((pair) => {
          const at = pair.indexOf('=');
          return at < 0 ? [pair.trim(), ''] : [pair.slice(0, at).trim(), pair.slice(at + 1).trim()];
        })
      : Object.entries(spec);
  const mapping: Partial<Record<(typeof TURNS)[number], string>> = {};
  for (const [turn, path] of entries) {
    if (!(TURNS as readonly unknown[]).includes(turn) || typeof path !== 'string' || path === '')
      throw fieldsUsage(`bad --fields entry "${String(turn)}=${String(path)}"`);
    mapping[turn as (typeof TURNS)[number]] = path;
  }
  if (mapping.user === undefined || mapping.assistant === undefined)
    throw fieldsUsage('--fields needs user=PATH and assistant=PATH');
  return mapping as FieldMapping;
}

function fieldsUsage(message: string): PhikitError {
  return new PhikitError(
    'USAGE',
    message,
    'e.g. --fields user=question,assistant=answer.text,system=instructions (dotted paths)',
    { options: ['fields'] },
  );
}

export function formatFieldMapping(mapping: FieldMapping): string {
  return TURNS.filter((turn) => mapping[turn] !== undefined)
    .map((turn) => `${turn}=${mapping[turn]}`)
    .join(',');
}

/** One user and one assistant turn (and a system prompt) read from the mapped fields. */
export function fromFields(
  fields: Record<string, unknown>,
  mapping: FieldMapping,
  label: string,
): Conversion {
  const read = (turn: (typeof TURNS)[number]): { text?: string; error?: string } => {
    const path = mapping[turn];
    if (path === undefined) return {};
    const value = valueAt(fields, path);
    if (value === undefined || value === null) {
      if (turn === 'user' || turn === 'assistant')
        return { error: `missing "${path}" (${label}: ${turn} turn)` };
      return {};
    }
    if (typeof value !== 'string') {
      const error = `"${path}" must be a string (${label}: ${turn} turn; got ${describeValue(value)})`;
      // An optional turn in another shape (a list of passages, say): name the mapping that leaves it out.
      const without = `--fields user=${mapping.user},assistant=${mapping.assistant}`;
      return {
        error: turn === 'user' || turn === 'assistant' ? error : `${error}; to leave it out, ${without}`,
      };
    }
    return { text: value };
  };
  const [user, assistant, system, context] = TURNS.map(read);
  const error = [user, assistant, system, context].find((field) => field?.error)?.error;
  if (error !== undefined) return { ok: false, error };
  const messages: Array<{ role: string; content: string }> = [];
  if (system?.text !== undefined && system.text.trim() !== '')
    messages.push({ role: 'system', content: system.text });
  const extra = context?.text !== undefined && context.text.trim() !== '' ? `\n\n${context.text}` : '';
  messages.push(
    { role: 'user', content: `${user!.text}${extra}` },
    { role: 'assistant', content: assistant!.text! },
  );
  const used = TURNS.flatMap((turn) => (mapping[turn]?.includes('.') ? [] : (mapping[turn] ?? [])));
  return { ok: true, value: { ...withoutKeys(fields, used), messages } };
}

function valueAt(record: Record<string, unknown>, path: string): unknown {
  let value: unknown = record;
  for (const key of path.split('.')) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/** Other top-level keys stay, so --scenario-field can still find a label in them. */
