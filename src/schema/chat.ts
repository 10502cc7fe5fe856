// Checks one record against schemas/chat.schema.json and turns Ajv's errors into messages a
// person can act on: "messages[2].role must be one of system, user, assistant (got "bot")".
import type { ErrorObject } from 'ajv';
import type { ChatExample } from '../core/example.js';
import { describeValue } from '../core/describe.js';
import { readablePath, schemaValidator } from './registry.js';
import { isPlainChat } from './plain-chat.js';
import { checkToolUse } from './tools.js';

export type ChatCheck = { ok: true; example: ChatExample } | { ok: false; errors: string[] };

const MESSAGE_KEYS = 'role, content, name, weight, tool_calls, tool_call_id, function_call';
const ROLES = ['system', 'user', 'assistant', 'tool', 'function'];

export function checkChatExample(value: unknown): ChatCheck {
  const errors: string[] = [];
  if (!isPlainChat(value) && !schemaValidator('chat.schema.json', 'fast')(value)) {
    const validate = schemaValidator<ChatExample>('chat.schema.json');
    validate(value);
    for (const error of validate.errors ?? []) {
      // Failures inside `contains` only say why one item was not the one looked for.
      if (/\/contains\/./.test(error.schemaPath)) continue;
      const message = explain(error);
      if (message !== undefined && !errors.includes(message)) errors.push(message);
    }
  }
  // Not expressible in JSON Schema: the conversation must end with the assistant's answer.
  const messages = (value as { messages?: unknown } | null)?.messages;
  if (Array.isArray(messages) && messages.length > 0) {
    const last = messages[messages.length - 1] as { role?: unknown } | null;
    const role = typeof last === 'object' && last !== null ? last.role : undefined;
    if (role !== 'assistant' && ROLES.includes(String(role))) {
      errors.push(
        `messages[${messages.length - 1}].role: the last message must be from the assistant (got ${describeValue(role)})${answerBeside(value)}`,
      );
    }
  }
  if (errors.length === 0) errors.push(...checkToolUse(value as ChatExample));
  if (errors.length === 0) return { ok: true, example: value as ChatExample };
  // A message-level error names what to fix more precisely than a whole-array one ("no assistant").
  // A wrong role explains the other errors of its message, so it comes first.
  const rank = (error: string) =>
    Number(!error.startsWith('messages[')) * 2 + Number(!/^messages\[\d+\]\.role/.test(error));
  const specificFirst = [...errors].sort((a, b) => rank(a) - rank(b));
  return { ok: false, errors: specificFirst };
}

/** Keys datasets keep an answer under, beside `messages` rather than in it. */
const ANSWER_KEYS = ['response', 'completion', 'output', 'answer', 'assistant', 'target'];

/** Names a top-level text that may be the missing answer (it is never moved there silently). */
function answerBeside(record: unknown): string {
  const key = ANSWER_KEYS.find((name) => typeof (record as Record<string, unknown>)[name] === 'string');
  if (key === undefined) return '';
  return `; the record's top-level "${key}" may be the answer: phikit reads answers only from messages, so add it as the last message {"role": "assistant", "content": …}`;
}

function explain(error: ErrorObject): string | undefined {
  const path = readablePath(error.instancePath);
  const where = path === '' ? 'the record' : path;
  const got = describeValue(error.data);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'type':
      if (path === '') return `the line must be a JSON object with a "messages" array (got ${got})`;
      if (path.endsWith('.arguments'))
        return `${where} must be a string holding JSON (got ${got}): encode the arguments with JSON.stringify`;
      if (path.endsWith('.content') && error.data === null)
        return `${where} is null: only an assistant message with tool_calls may have no content`;
      if (Array.isArray(params.type))
        return `${where} must be ${params.type.map(String).join(' or ')} (got ${got})`;
      return `${where} must be ${article(String(params.type))} (got ${got})`;
    case 'required':
      if (path === '')
        return 'missing "messages": each line must be {"messages": [{"role": ..., "content": ...}, ...]}';
      return `${where} is missing "${String(params.missingProperty)}"`;
    case 'additionalProperties':
      return `${where} has an unknown key "${String(params.additionalProperty)}" (allowed: ${MESSAGE_KEYS})`;
    case 'minItems':
      if (path !== 'messages') return `${where} is empty`;
      return `messages needs at least a user and an assistant message (got ${(error.data as unknown[]).length})`;
    case 'minLength':
      return `${where} is empty`;
    case 'contains':
      return error.schemaPath.includes('allOf/0')
        ? 'messages has no user message'
        : 'messages has no assistant message';
    case 'enum': {
      if (path.endsWith('.role')) {
        if (error.data === 'system' && !path.startsWith('messages[0]')) {
          return `${where}: a system message may only come first`;
        }
        if (error.schemaPath.includes('turn') && ROLES.includes(String(error.data))) return undefined;
        // OpenAI's newer name for the system role, common in exported data: say so.
        if (error.data === 'developer')
          return `${where} must be one of ${ROLES.join(', ')} (got "developer": OpenAI's name for the system role; rename it "system")`;
        return `${where} must be one of ${ROLES.join(', ')} (got ${got})`;
      }
      if (path.endsWith('.weight')) return `${where} must be 0 or 1 (got ${got})`;
      return `${where} must be one of ${(params.allowedValues as unknown[]).map(String).join(', ')} (got ${got})`;
    }
    case 'const':
      if (path.endsWith('.role') && error.schemaPath.includes('/then/')) {
        const message = where.slice(0, -'.role'.length);
        if (error.schemaPath.includes('allOf/1/'))
          return `${message}: tool_calls and function_call are only allowed on assistant messages`;
        return `${message}.weight is only allowed on assistant messages`;
      }
      return `${where} must be ${describeValue(params.allowedValue)} (got ${got})`;
    case 'not':
      return `${where}: tool_call_id is only allowed on tool messages`;
    case 'if':
    case 'anyOf':
      return undefined;
    default:
      return `${where} ${error.message ?? 'is invalid'}`;
  }
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}
