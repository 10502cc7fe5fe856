// `--format template`: a record whose `text` holds a conversation already rendered with the
// Phi-3 chat template (`<|user|>\n…<|end|>\n<|assistant|>\n…<|end|>`), read back into messages.
import type { Conversion } from './conversion.js';
import { withoutKeys } from './conversion.js';

const ROLE_MARKER = /<\|(system|user|assistant)\|>/g;
/** What may stand around the turns: the BOS and end-of-text markers, and whitespace. */
const FRAME = /^(?:\s|<s>|<\/s>|<\|endoftext\|>)*$/;

export function looksLikeTemplate(record: object): boolean {
  const text = (record as { text?: unknown }).text;
  return typeof text === 'string' && text.includes('<|user|>') && text.includes('<|assistant|>');
}

export function fromTemplate(fields: Record<string, unknown>): Conversion {
  const text = fields.text;
  if (typeof text !== 'string') return { ok: false, error: 'missing "text" string (template format)' };
  const markers = [...text.matchAll(ROLE_MARKER)];
  if (markers.length === 0)
    return { ok: false, error: '"text" holds no <|user|> or <|assistant|> marker (template format)' };
  if (!FRAME.test(text.slice(0, markers[0]!.index)))
    return { ok: false, error: '"text" has text before its first role marker (template format)' };
  const messages: Array<{ role: string; content: string }> = [];
  for (const [index, marker] of markers.entries()) {
    const start = marker.index + marker[0].length;
    const end = markers[index + 1]?.index ?? text.length;
    const turn = text.slice(start, end);
    const close = turn.indexOf('<|end|>');
    if (close >= 0 && !FRAME.test(turn.slice(close + '<|end|>'.length)))
      return { ok: false, error: `"text" has text after <|end|> of turn ${index + 1} (template format)` };
    // The template puts a line break after the role marker; the cookbook's data also has spaces.
    messages.push({ role: marker[1]!, content: (close >= 0 ? turn.slice(0, close) : turn).trim() });
  }
  return { ok: true, value: { ...withoutKeys(fields, ['text']), messages } };
}
