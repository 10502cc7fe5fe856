// Dataset text on the terminal: control characters (C0, DEL, C1) and bidirectional controls are
// written as escapes, so a file cannot recolour, retitle or rewrite the terminal, or reorder what it shows.
// Every command's human-readable output passes text that came from the data through `terminalSafe`.

// C0 and C1 controls, ALM, LRM/RLM, line/paragraph separators, bidi embeddings/overrides and isolates.
const UNSAFE_TEXT = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
// The same without C0, which JSON.stringify already escapes (and whose newlines `space` adds).
const UNSAFE_IN_JSON = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const SHORT_ESCAPES: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function unicodeEscape(character: string): string {
  return `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/** `text` with every control and bidi character as a visible escape (`\n`, `\u001b`, `\u202e`). */
export function terminalSafe(text: string): string {
  return text.replace(UNSAFE_TEXT, (character) => SHORT_ESCAPES[character] ?? unicodeEscape(character));
}

/** JSON.stringify whose output has no raw C1 or bidi characters either; it parses to the same value. */
export function terminalJson(value: unknown, space?: number): string {
  return JSON.stringify(value, null, space).replace(UNSAFE_IN_JSON, unicodeEscape);
}
