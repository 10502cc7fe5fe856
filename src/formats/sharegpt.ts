// ShareGPT (FastChat, LLaMA-Factory): `conversations: [{from, value}]`, with glaive-style tool
// calling: `function_call` turns become assistant `tool_calls`, `observation` turns the `tool`
// messages that answer them, and the record's `tools` (a JSON string) the top-level `tools`.
// `conversations` of OpenAI messages (`{role, content}`, LLaMA-Factory's role/content tags) are
// the messages as they are.
import type { ChatMessage, ToolCall, ToolDefinition } from '../core/example.js';
import { describeValue } from '../core/describe.js';
import type { Conversion } from './conversion.js';
import { withoutKeys } from './conversion.js';
import { withTextContent } from './parts.js';

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

const TOOL_SPEAKERS = ['function_call', 'observation'];

type Turn = Record<string, unknown>;

export function fromShareGpt(fields: Record<string, unknown>): Conversion {
  const turns = fields.conversations;
  if (!Array.isArray(turns)) return { ok: false, error: 'missing "conversations" array (ShareGPT format)' };
  const messages: Turn[] = [];
  if (typeof fields.system === 'string' && fields.system.trim() !== '') {
    messages.push({ role: 'system', content: fields.system });
  }
  if (turns.length > 0 && turns.every(isOpenAiMessage)) messages.push(...(turns as Turn[]));
  else {
    const converted = fromSpeakerTurns(turns, messages);
    if (converted) return converted;
  }
  const tools = toolsOf(fields.tools);
  if ('error' in tools) return { ok: false, error: tools.error };
  // Content parts become text, as in the messages format.
  return withTextContent({
    ...withoutKeys(fields, ['conversations', 'system', 'tools']),
    messages,
    ...(tools.tools ? { tools: tools.tools } : {}),
  });
}

/** A turn written as an OpenAI message: a `role`, and no ShareGPT `from`/`value`. */
function isOpenAiMessage(turn: unknown): boolean {
  if (typeof turn !== 'object' || turn === null || Array.isArray(turn)) return false;
  return 'role' in turn && !('from' in turn) && !('value' in turn);
}

/** Appends `{from, value}` turns to `messages`; returns the failure, if one. */
function fromSpeakerTurns(turns: unknown[], messages: Turn[]): Conversion | undefined {
  const calls = { next: 1, pending: [] as string[] };
  for (const [index, turn] of turns.entries()) {
    const from = (turn as { from?: unknown } | null)?.from;
    const speaker = typeof from === 'string' ? from.toLowerCase() : undefined;
    const value = (turn as { value?: unknown }).value;
    const where = `conversations[${index}]`;
    if (speaker === 'function_call') {
      const call = toolCalls(value, where, calls);
      if ('error' in call) return { ok: false, error: call.error };
      messages.push({ role: 'assistant', content: null, tool_calls: call.calls });
      continue;
    }
    if (speaker === 'observation') {
      const id = calls.pending.shift();
      if (id === undefined)
        return {
          ok: false,
          error: `${where} is an observation that answers no function_call (ShareGPT format)`,
        };
      messages.push({ role: 'tool', tool_call_id: id, content: value });
      continue;
    }
    const role = speaker === undefined ? undefined : SHAREGPT_ROLES[speaker];
    if (role === undefined) {
      const speakers = [...Object.keys(SHAREGPT_ROLES), ...TOOL_SPEAKERS].join(', ');
      // A {role, content} turn among {from, value} ones: the record mixes the two ways.
      const mixed = isOpenAiMessage(turn)
        ? '; it is written {role, content}, others {from, value}: write every turn one way'
        : '';
      return {
        ok: false,
        error: `${where}.from must be one of ${speakers} (got ${JSON.stringify(from ?? null)})${mixed}`,
      };
    }
    messages.push({ role, content: value });
  }
  return undefined;
}

/** `{"name", "arguments": {...}}` or a list of them; arguments become the JSON string OpenAI uses. */
function toolCalls(
  value: unknown,
  where: string,
  calls: { next: number; pending: string[] },
): { calls: ToolCall[] } | { error: string } {
  let parsed: unknown;
  try {
    parsed = typeof value === 'string' ? JSON.parse(value) : value;
  } catch {
    return {
      error: `${where}.value of a function_call must be JSON {"name", "arguments"} (got ${describeValue(value)})`,
    };
  }
  const list = Array.isArray(parsed) ? parsed : [parsed];
  const result: ToolCall[] = [];
  for (const item of list) {
    const { name, arguments: args } = (item ?? {}) as { name?: unknown; arguments?: unknown };
    if (typeof name !== 'string' || name === '')
      return { error: `${where}.value of a function_call needs a "name" (got ${describeValue(item)})` };
    const id = `call_${calls.next++}`;
    calls.pending.push(id);
    const text = typeof args === 'string' ? args : JSON.stringify(args ?? {});
    result.push({ id, type: 'function', function: { name, arguments: text } });
  }
  return { calls: result };
}

/** The record's `tools`: a JSON string (LLaMA-Factory) or a list, of functions or OpenAI tools. */
function toolsOf(value: unknown): { tools?: ToolDefinition[] } | { error: string } {
  if (value === undefined || value === null || value === '') return {};
  let parsed: unknown;
  try {
    parsed = typeof value === 'string' ? JSON.parse(value) : value;
  } catch {
    return { error: `"tools" must be a JSON list of functions (got ${describeValue(value)})` };
  }
  if (!Array.isArray(parsed))
    return { error: `"tools" must be a list of functions (got ${describeValue(parsed)})` };
  if (parsed.length === 0) return {};
  return {
    tools: parsed.map((tool: unknown) =>
      (tool as { type?: unknown } | null)?.type === 'function' && 'function' in (tool as object)
        ? (tool as ToolDefinition)
        : ({ type: 'function', function: tool } as ToolDefinition),
    ),
  };
}
