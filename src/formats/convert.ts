// Converts records of the dataset formats curators already have into chat messages.
// The mapping is documented in README.md ("Input formats"); it never invents content.
import { describeValue } from '../core/describe.js';
import type { InputFormat } from '../core/manifest.js';
import { withoutKeys, type Conversion } from './conversion.js';
import { fromFields, PAIR_FORMATS, type FieldMapping } from './fields.js';
import { withTextContent } from './parts.js';
import { fromShareGpt } from './sharegpt.js';
import { fromTemplate } from './template.js';

export { SHAREGPT_ROLES } from './sharegpt.js';

/**
 * Returns the record in chat format (`{messages: [...]}`), or why it cannot be converted.
 * `messages` records keep their shape (content parts become text); the chat schema checks them afterwards.
 * `fields` is the mapping of the `fields` format (`--fields`).
 */
export function toChat(record: unknown, format: InputFormat, fields?: FieldMapping): Conversion {
  if (typeof record !== 'object' || record === null || Array.isArray(record)) {
    if (format === 'messages') return { ok: true, value: record };
    return { ok: false, error: `the line must be a JSON object in ${format} format` };
  }
  const object = record as Record<string, unknown>;
  switch (format) {
    case 'messages':
      return 'messages' in object ? withTextContent(object) : noChat(object);
    case 'sharegpt':
      return fromShareGpt(object);
    case 'alpaca':
      return fromAlpaca(object);
    case 'prompt-completion':
      return fromFields(object, { user: 'prompt', assistant: 'completion' }, 'prompt/completion format');
    case 'template':
      return fromTemplate(object);
    case 'fields':
      if (!fields)
        return { ok: false, error: 'the fields format needs a mapping: --fields user=PATH,assistant=PATH' };
      return fromFields(object, fields, '--fields');
    default:
      return fromFields(object, PAIR_FORMATS[format], `${format} format`);
  }
}

/** No format fits: name the keys the record has and the flag that maps them. */
function noChat(record: Record<string, unknown>): Conversion {
  const keys = Object.keys(record);
  if (keys.length === 0)
    return { ok: false, error: 'the record is an empty object: each line needs "messages"' };
  const preference = preferenceData(record);
  if (preference) return { ok: false, error: `missing "messages": ${preference}` };
  const shown = keys.slice(0, 8).map((key) => JSON.stringify(key));
  const found = `${shown.join(', ')}${keys.length > shown.length ? `, … (${keys.length} keys)` : ''}`;
  return {
    ok: false,
    error: `missing "messages" and no known format: the record has ${found}; map them with --fields user=KEY,assistant=KEY[,system=KEY] or pick --format`,
  };
}

/** Preference (DPO) data is named as such, with the way to its preferred answers. */
function preferenceData(record: Record<string, unknown>): string | undefined {
  const sft = 'phikit prepares supervised chat data';
  if ('preferred_output' in record && 'non_preferred_output' in record)
    return `this is preference (DPO) data in Azure OpenAI's format ("input", "preferred_output", "non_preferred_output"); ${sft}: to train on the preferred answers, write each record as {"messages": input.messages followed by preferred_output}`;
  if (!('chosen' in record && 'rejected' in record)) return undefined;
  const what = 'this is preference (DPO) data ("chosen"/"rejected")';
  if (Array.isArray(record.chosen))
    return `${what}; ${sft}: to train on the chosen conversations, write each record as {"messages": chosen}`;
  const prompt = ['prompt', 'question', 'instruction'].find((key) => typeof record[key] === 'string');
  if (prompt === undefined || typeof record.chosen !== 'string') return `${what}; ${sft}`;
  return `${what}; ${sft}: to train on the chosen answers, --fields user=${prompt},assistant=chosen`;
}

function fromAlpaca(fields: Record<string, unknown>): Conversion {
  const { instruction, input, output, system, history } = fields;
  // What was found, so a list of labels or a number in place of the text is plain to see.
  const got = (value: unknown): string => (value === undefined ? 'missing' : `got ${describeValue(value)}`);
  if (typeof instruction !== 'string')
    return { ok: false, error: `instruction must be a string (Alpaca format; ${got(instruction)})` };
  if (typeof output !== 'string')
    return { ok: false, error: `output must be a string (Alpaca format; ${got(output)})` };
  if (input !== undefined && input !== null && typeof input !== 'string') {
    return { ok: false, error: `input must be a string when present (Alpaca format; ${got(input)})` };
  }
  const messages: Array<{ role: string; content: unknown }> = [];
  if (typeof system === 'string' && system.trim() !== '') messages.push({ role: 'system', content: system });
  if (history !== undefined) {
    if (!Array.isArray(history))
      return { ok: false, error: 'history must be an array of [user, assistant] pairs' };
    for (const [index, pair] of history.entries()) {
      if (!Array.isArray(pair) || pair.length !== 2) {
        return { ok: false, error: `history[${index}] must be a [user, assistant] pair` };
      }
      messages.push({ role: 'user', content: pair[0] }, { role: 'assistant', content: pair[1] });
    }
  }
  const user = typeof input === 'string' && input.trim() !== '' ? `${instruction}\n\n${input}` : instruction;
  messages.push({ role: 'user', content: user }, { role: 'assistant', content: output });
  return {
    ok: true,
    value: { ...withoutKeys(fields, ['instruction', 'input', 'output', 'system', 'history']), messages },
  };
}
