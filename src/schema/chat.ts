// Checks one record against schemas/chat.schema.json and turns Ajv's errors into messages a
// person can act on: "messages[2].role must be one of system, user, assistant (got "bot")".
import type { ErrorObject } from 'ajv';
import type { ChatExample } from '../core/example.js';
import { describeValue, readablePath, schemaValidator } from './registry.js';

export type ChatCheck = { ok: true; example: ChatExample } | { ok: false; errors: string[] };

const MESSAGE_KEYS = 'role, content, name, weight';

export function checkChatExample(value: unknown): ChatCheck {
  const errors: string[] = [];
  if (!schemaValidator('chat.schema.json', 'fast')(value)) {
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
    if (role !== 'assistant' && (role === 'user' || role === 'system')) {
      errors.push(
        `messages[${messages.length - 1}].role: the last message must be from the assistant (got ${describeValue(role)})`,
      );
    }
  }
  if (errors.length === 0) return { ok: true, example: value as ChatExample };
  // A message-level error names what to fix more precisely than a whole-array one ("no assistant").
  const specificFirst = [...errors].sort(
    (a, b) => Number(!a.startsWith('messages[')) - Number(!b.startsWith('messages[')),
  );
  return { ok: false, errors: specificFirst };
}

function explain(error: ErrorObject): string | undefined {
  const path = readablePath(error.instancePath);
  const where = path === '' ? 'the record' : path;
  const got = describeValue(error.data);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'type':
      if (path === '') return `the line must be a JSON object with a "messages" array (got ${got})`;
      return `${where} must be ${article(String(params.type))} (got ${got})`;
    case 'required':
      if (path === '')
        return 'missing "messages": each line must be {"messages": [{"role": ..., "content": ...}, ...]}';
      return `${where} is missing "${String(params.missingProperty)}"`;
    case 'additionalProperties':
      return `${where} has an unknown key "${String(params.additionalProperty)}" (allowed: ${MESSAGE_KEYS})`;
    case 'minItems':
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
        if (
          error.schemaPath.includes('turn') &&
          ['system', 'user', 'assistant'].includes(String(error.data))
        ) {
          return undefined;
        }
        return `${where} must be one of system, user, assistant (got ${got})`;
      }
      if (path.endsWith('.weight')) return `${where} must be 0 or 1 (got ${got})`;
      return `${where} must be one of ${(params.allowedValues as unknown[]).map(String).join(', ')} (got ${got})`;
    }
    case 'const':
      if (path.endsWith('.role') && error.schemaPath.includes('/then/'))
        return `${where.slice(0, -'.role'.length)}.weight is only allowed on assistant messages`;
      return `${where} must be ${describeValue(params.allowedValue)} (got ${got})`;
    case 'if':
      return undefined;
    default:
      return `${where} ${error.message ?? 'is invalid'}`;
  }
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}
