// Tool-calling rules JSON Schema cannot say, checked on a record that passed the schema: every
// call names an offered tool and carries JSON arguments; every call id is unique and answered by
// a tool message before the conversation goes on (calls in the final message are the answer
// being trained, so they stand alone); every tool message answers a call made before it.
import type { ChatExample, ExampleMessage } from '../core/example.js';

/** Whether a message calls or answers a tool or function: a conversation with none has nothing to check. */
const usesTools = (message: ExampleMessage): boolean =>
  message.role === 'tool' ||
  message.role === 'function' ||
  'tool_calls' in message ||
  'function_call' in message;

export function checkToolUse(example: ChatExample): string[] {
  if (!example.messages.some(usesTools)) return [];
  const errors: string[] = [];
  const offered = new Set(example.tools?.map((tool) => tool.function.name));
  const functions = new Set(example.functions?.map((fn) => fn.name));
  const seen = new Set<string>();
  let pending: string[] = [];
  const last = example.messages.length - 1;
  for (const [index, message] of example.messages.entries()) {
    const where = `messages[${index}]`;
    if (message.role !== 'tool' && pending.length > 0) {
      errors.push(unanswered(pending, where));
      pending = [];
    }
    if (message.role === 'tool') {
      if (pending.includes(message.tool_call_id))
        pending = pending.filter((id) => id !== message.tool_call_id);
      else
        errors.push(
          `${where}.tool_call_id ${JSON.stringify(message.tool_call_id)} answers no pending tool call`,
        );
      continue;
    }
    if (message.role === 'function') {
      if (!callsFunction(example.messages[index - 1]))
        errors.push(`${where} (function) does not follow an assistant function_call`);
      continue;
    }
    if (message.role !== 'assistant') continue;
    for (const [at, call] of ('tool_calls' in message ? (message.tool_calls ?? []) : []).entries()) {
      const callWhere = `${where}.tool_calls[${at}]`;
      if (seen.has(call.id)) errors.push(`${callWhere}.id ${JSON.stringify(call.id)} is used twice`);
      seen.add(call.id);
      if (index < last) pending.push(call.id);
      if (!offered.has(call.function.name))
        errors.push(notOffered(callWhere, call.function.name, 'tools', offered));
      errors.push(...jsonProblem(`${callWhere}.function.arguments`, call.function.arguments));
    }
    const call = 'function_call' in message ? message.function_call : undefined;
    if (call) {
      if (!functions.has(call.name))
        errors.push(notOffered(`${where}.function_call`, call.name, 'functions', functions));
      errors.push(...jsonProblem(`${where}.function_call.arguments`, call.arguments));
    }
  }
  return errors;
}

function callsFunction(message: ExampleMessage | undefined): boolean {
  return message?.role === 'assistant' && 'function_call' in message && message.function_call !== undefined;
}

function unanswered(ids: string[], where: string): string {
  const list = ids.map((id) => JSON.stringify(id)).join(', ');
  return `tool call ${list} has no tool message answering it before ${where}`;
}

function notOffered(where: string, name: string, list: 'tools' | 'functions', offered: Set<string>): string {
  if (offered.size === 0) return `${where} calls ${JSON.stringify(name)} but the record has no "${list}"`;
  const names = [...offered].map((offer) => JSON.stringify(offer)).join(', ');
  return `${where} calls ${JSON.stringify(name)}, which is not in "${list}" (${names})`;
}

function jsonProblem(where: string, text: string): string[] {
  try {
    JSON.parse(text);
    return [];
  } catch (error) {
    return [`${where} is not valid JSON (${(error as Error).message}): ${JSON.stringify(text.slice(0, 60))}`];
  }
}
