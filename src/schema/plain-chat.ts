// A check that accepts, without Ajv, the records most datasets are made of: system, user and
// assistant turns with text content. It only ever says "valid" when chat.schema.json would too
// (test/schema/plain-chat.test.ts checks that on random records); anything else (tools, tool or
// function turns, unknown message keys, non-text content) goes to the schema's validator. Ajv's
// code allocates error objects for every `if` it evaluates on a message, ~5 KB per record.

/** Message keys a plain turn may have. */
const PLAIN_KEYS = new Set(['role', 'content', 'name', 'weight']);
/** Top-level keys the schema constrains beyond `messages`: their records go to Ajv. */
const CHECKED_TOP_KEYS = ['tools', 'functions', 'parallel_tool_calls'];

/** True only when chat.schema.json accepts the record; false means "ask the schema". */
export function isPlainChat(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const record = value as Record<string, unknown>;
  for (const key of CHECKED_TOP_KEYS) if (key in record) return false;
  const messages = record.messages;
  if (!Array.isArray(messages) || messages.length < 2) return false;
  let users = 0;
  let assistants = 0;
  for (let i = 0; i < messages.length; i++) {
    const role = plainTurnRole(messages[i], i === 0);
    if (role === undefined) return false;
    if (role === 'user') users++;
    else if (role === 'assistant') assistants++;
  }
  return users > 0 && assistants > 0;
}

/** The role of a plain turn (system only first), or undefined when it is not one. */
function plainTurnRole(message: unknown, first: boolean): string | undefined {
  if (typeof message !== 'object' || message === null || Array.isArray(message)) return undefined;
  const turn = message as Record<string, unknown>;
  for (const key in turn) if (!PLAIN_KEYS.has(key)) return undefined;
  const { role, content, name, weight } = turn;
  if (role !== 'user' && role !== 'assistant' && !(first && role === 'system')) return undefined;
  if (typeof content !== 'string' || content.length === 0) return undefined;
  if (name !== undefined && typeof name !== 'string') return undefined;
  if (weight !== undefined && (role !== 'assistant' || (weight !== 0 && weight !== 1))) return undefined;
  return role;
}
