// Converts records of the dataset formats curators already have into chat messages.
// The mapping is documented in README.md ("Input formats"); it never invents content.
import type { ChatMessage } from '../core/example.js';
import type { InputFormat } from '../core/manifest.js';

export type Conversion = { ok: true; value: unknown } | { ok: false; error: string };

/** ShareGPT speaker names and the chat role each maps to. */
export const SHAREGPT_ROLES: Record<string, ChatMessage['role']> = {
  system: 'system',
  human: 'user',
  user: 'user',
  gpt: 'assistant',
  assistant: 'assistant',
  chatgpt: 'assistant',
  bard: 'assistant',
  bing: 'assistant',
  model: 'assistant',
};

/**
 * Returns the record in chat format (`{messages: [...]}`), or why it cannot be converted.
 * `messages` records pass through unchanged; the chat schema checks them afterwards.
 */
export function toChat(record: unknown, format: InputFormat): Conversion {
  if (format === 'messages') return { ok: true, value: record };
  if (typeof record !== 'object' || record === null || Array.isArray(record)) {
    return { ok: false, error: `the line must be a JSON object in ${format} format` };
  }
  const fields = record as Record<string, unknown>;
  switch (format) {
    case 'sharegpt':
      return fromShareGpt(fields);
    case 'alpaca':
      return fromAlpaca(fields);
    case 'prompt-completion':
      return fromPromptCompletion(fields);
  }
}

function fromShareGpt(fields: Record<string, unknown>): Conversion {
  const turns = fields.conversations;
  if (!Array.isArray(turns)) return { ok: false, error: 'missing "conversations" array (ShareGPT format)' };
  const messages: Array<{ role: string; content: unknown }> = [];
  if (typeof fields.system === 'string' && fields.system.trim() !== '') {
    messages.push({ role: 'system', content: fields.system });
  }
  for (const [index, turn] of turns.entries()) {
    const from = (turn as { from?: unknown } | null)?.from;
    const role = typeof from === 'string' ? SHAREGPT_ROLES[from.toLowerCase()] : undefined;
    if (role === undefined) {
      return {
        ok: false,
        error: `conversations[${index}].from must be one of ${Object.keys(SHAREGPT_ROLES).join(', ')} (got ${JSON.stringify(from ?? null)})`,
      };
    }
    messages.push({ role, content: (turn as { value?: unknown }).value });
  }
  return { ok: true, value: { ...withoutKeys(fields, ['conversations', 'system']), messages } };
}

function fromAlpaca(fields: Record<string, unknown>): Conversion {
  const { instruction, input, output, system, history } = fields;
  if (typeof instruction !== 'string')
    return { ok: false, error: 'instruction must be a string (Alpaca format)' };
  if (typeof output !== 'string') return { ok: false, error: 'output must be a string (Alpaca format)' };
  if (input !== undefined && input !== null && typeof input !== 'string') {
    return { ok: false, error: 'input must be a string when present (Alpaca format)' };
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

function fromPromptCompletion(fields: Record<string, unknown>): Conversion {
  const { prompt, completion } = fields;
  if (typeof prompt !== 'string')
    return { ok: false, error: 'prompt must be a string (prompt/completion format)' };
  if (typeof completion !== 'string') {
    return { ok: false, error: 'completion must be a string (prompt/completion format)' };
  }
  return {
    ok: true,
    value: {
      ...withoutKeys(fields, ['prompt', 'completion']),
      messages: [
        { role: 'user', content: prompt },
        { role: 'assistant', content: completion },
      ],
    },
  };
}

/** Other top-level keys stay, so --scenario-field can still find a label in them. */
function withoutKeys(fields: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  const rest: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) if (!keys.includes(key)) rest[key] = value;
  return rest;
}
