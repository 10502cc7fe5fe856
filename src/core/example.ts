// The chat fine-tuning example as Azure AI Foundry / OpenAI accept it, tool calling included.

export type Role = 'system' | 'user' | 'assistant';

/** A text turn: what every model's chat template renders. */
export interface ChatMessage {
  role: Role;
  content: string;
  /** Optional speaker name (OpenAI format). */
  name?: string;
  /** Only on assistant messages: 0 excludes the turn from the loss. */
  weight?: 0 | 1;
}

/** One call in an assistant's `tool_calls`; `arguments` is a string holding JSON. */
export interface ToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

/** An assistant turn that calls tools (`tool_calls`) or, in the legacy format, one function. */
export interface ToolCallMessage {
  role: 'assistant';
  /** Absent or null when the turn only calls tools. */
  content?: string | null;
  tool_calls?: ToolCall[];
  function_call?: { name: string; arguments: string };
  name?: string;
  weight?: 0 | 1;
}

/** The answer to one tool call. */
export interface ToolMessage {
  role: 'tool';
  tool_call_id: string;
  content: string;
  name?: string;
}

/** Legacy: the answer to an assistant's `function_call`. */
export interface FunctionMessage {
  role: 'function';
  name: string;
  content: string;
}

export type ExampleMessage = ChatMessage | ToolCallMessage | ToolMessage | FunctionMessage;

/** A function the model may call: `{type: "function", function: {name, description, parameters}}`. */
export interface ToolDefinition {
  type: 'function';
  function: FunctionDefinition;
}

export interface FunctionDefinition {
  name: string;
  description?: string;
  parameters?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface ChatExample {
  messages: ExampleMessage[];
  tools?: ToolDefinition[];
  /** Legacy function calling. */
  functions?: FunctionDefinition[];
  parallel_tool_calls?: boolean;
}

/** A turn with text content only (no tool call, no tool answer). */
export function isTextMessage(message: ExampleMessage): message is ChatMessage {
  return (
    (message.role === 'system' || message.role === 'user' || message.role === 'assistant') &&
    typeof message.content === 'string' &&
    !('tool_calls' in message) &&
    !('function_call' in message)
  );
}

/** Whether the example needs a tool-calling template: tools offered, called or answered. */
export function usesTools(example: ChatExample): boolean {
  return (
    example.tools !== undefined ||
    example.functions !== undefined ||
    example.messages.some((message) => !isTextMessage(message))
  );
}

/**
 * The text turns as a text-only template sees them: a tool call keeps its role with its text
 * (or none), tool answers are left out. Real tool counting needs the model's tool template.
 */
export function textTurns(example: ChatExample): ChatMessage[] {
  const turns: ChatMessage[] = [];
  for (const message of example.messages) {
    if (message.role === 'tool' || message.role === 'function') continue;
    if (isTextMessage(message)) turns.push(message);
    else turns.push({ role: 'assistant', content: message.content ?? '' });
  }
  return turns;
}
