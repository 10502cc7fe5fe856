// Tool-calling conversations (OpenAI fine-tuning format) as the plain messages Phi-4-mini's template
// renders. The template writes tool definitions into the system message between <|tool|> and <|/tool|>
// as `json.dumps(tools)` (the Phi cookbook's usage); it has no rule for assistant tool calls, so phikit
// writes them after the assistant's text as <|tool_call|>json.dumps([{name, arguments}])<|/tool_call|>
// (Phi-4-mini's own tool-call markers); `tool` messages go through the template's generic
// `<|ROLE|>CONTENT<|end|>` rule, as apply_chat_template renders them.
import type { ChatMessage, Role } from '../core/example.js';

/** A message as the chat format allows it, tool turns included (a superset of ChatMessage). */
export interface ChatTurn {
  role: string;
  content?: string | null;
  name?: string;
  weight?: number;
  tool_calls?: readonly ToolCall[];
  tool_call_id?: string;
}

export interface ToolCall {
  id?: string;
  type?: string;
  function: { name: string; arguments: string };
}

/** One conversation to count: the messages, and the top-level `tools` when there are any. */
export interface ChatInput {
  messages: readonly ChatTurn[];
  tools?: readonly unknown[];
}

export function hasTools(input: ChatInput): boolean {
  return (
    (input.tools !== undefined && input.tools.length > 0) ||
    input.messages.some((message) => message.role === 'tool' || (message.tool_calls?.length ?? 0) > 0)
  );
}

/** The messages with text only: null content as "", tool calls and definitions left out. */
export function plainMessages(input: ChatInput): ChatMessage[] {
  return input.messages.map((message) => {
    const plain: ChatMessage = { role: message.role as Role, content: message.content ?? '' };
    if (message.name !== undefined) plain.name = message.name;
    if (message.weight === 0 || message.weight === 1) plain.weight = message.weight;
    return plain;
  });
}

/** Phi-4-mini's rendering: definitions in the system message (one is added when missing), calls in the assistant turn. */
export function phi4MiniToolMessages(input: ChatInput): ChatMessage[] {
  const messages = plainMessages(input);
  input.messages.forEach((turn, index) => {
    const calls = turn.tool_calls ?? [];
    if (calls.length === 0) return;
    const payload = calls.map((call) => ({
      name: call.function.name,
      arguments: parseArguments(call.function.arguments),
    }));
    messages[index]!.content += `<|tool_call|>${pythonJsonDumps(payload)}<|/tool_call|>`;
  });
  if (input.tools === undefined || input.tools.length === 0) return messages;
  const definitions = `<|tool|>${pythonJsonDumps(input.tools.map(functionDefinition))}<|/tool|>`;
  const system = messages.find((message) => message.role === 'system');
  if (system !== undefined) system.content += definitions;
  else messages.unshift({ role: 'system', content: definitions });
  return messages;
}

/** OpenAI writes `{type: "function", function: {...}}`; Phi-4-mini's examples list the function objects. */
function functionDefinition(tool: unknown): unknown {
  if (tool !== null && typeof tool === 'object' && 'function' in tool) return tool.function;
  return tool;
}

/** Arguments are a JSON string in OpenAI's format; a string that is not JSON stays a string. */
function parseArguments(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** Python's `json.dumps(value)` with its defaults: `", "` and `": "` separators, non-ASCII as \uXXXX. */
export function pythonJsonDumps(value: unknown): string {
  if (value === null || typeof value !== 'object') return asciiJson(JSON.stringify(value) ?? 'null');
  if (Array.isArray(value)) return `[${value.map(pythonJsonDumps).join(', ')}]`;
  const entries = Object.entries(value).filter(([, item]) => item !== undefined);
  return `{${entries.map(([key, item]) => `${asciiJson(JSON.stringify(key))}: ${pythonJsonDumps(item)}`).join(', ')}}`;
}

function asciiJson(json: string): string {
  return json.replace(/[\u0080-\uffff]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
