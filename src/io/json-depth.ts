// Nesting depth of JSON, checked before anything recursive (the JSON error explainer, schema
// validation, cleaning, JSON.stringify) sees a record: past a few thousand levels they overflow the stack.

/** Deepest `[`/`{` nesting a record may have. Real chat examples nest 4-6 levels. */
export const MAX_JSON_DEPTH = 256;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACKET = 0x5b;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACKET = 0x5d;
const CLOSE_BRACE = 0x7d;

/**
 * The 1-based column of the first `[` or `{` (outside strings) that opens level `maxDepth + 1`,
 * or 0 when the text never nests that deep. Valid or not: one linear scan over the characters.
 */
export function nestingTooDeepAt(text: string, maxDepth = MAX_JSON_DEPTH): number {
  // A text with at most `maxDepth` openers cannot exceed it: the usual case, found with indexOf.
  if (text.length <= maxDepth || openersAtMost(text, maxDepth)) return 0;
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === QUOTE) {
      i = closingQuote(text, i + 1);
    } else if (code === OPEN_BRACKET || code === OPEN_BRACE) {
      if (++depth > maxDepth) return i + 1;
    } else if ((code === CLOSE_BRACKET || code === CLOSE_BRACE) && depth > 0) {
      depth--;
    }
  }
  return 0;
}

function openersAtMost(text: string, limit: number): boolean {
  let openers = 0;
  for (const opener of ['[', '{'])
    for (let i = text.indexOf(opener); i !== -1; i = text.indexOf(opener, i + 1))
      if (++openers > limit) return false;
  return true;
}

/** Index of the quote that closes a string starting at `from`, or the text's length. Jumps with indexOf: most of a chat line is string. */
function closingQuote(text: string, from: number): number {
  for (let quote = text.indexOf('"', from); quote !== -1; quote = text.indexOf('"', quote + 1)) {
    let backslashes = 0;
    while (text.charCodeAt(quote - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return quote;
  }
  return text.length;
}

/** Whether a parsed value nests arrays/objects deeper than `maxDepth`; iterative, so any depth is safe. */
export function valueTooDeep(value: unknown, maxDepth = MAX_JSON_DEPTH): boolean {
  const stack: Array<{ value: unknown; depth: number }> = [{ value, depth: 0 }];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    if (typeof item.value !== 'object' || item.value === null) continue;
    const depth = item.depth + 1;
    if (depth > maxDepth) return true;
    const children = Array.isArray(item.value) ? item.value : Object.values(item.value);
    for (const child of children)
      if (typeof child === 'object' && child !== null) stack.push({ value: child, depth });
  }
  return false;
}
