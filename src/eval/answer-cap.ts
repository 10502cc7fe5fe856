// Answers are stored up to maxAnswerBytes of UTF-8, cut on a character boundary.
import type { ChatAnswer } from '../core/endpoint.js';

/** The answer's text cut to at most `maxBytes` of UTF-8 on a character boundary, and its size if cut. */
export function capAnswer(answer: ChatAnswer, maxBytes: number): { text: string; originalBytes?: number } {
  // A UTF-16 unit is at most 3 UTF-8 bytes: short answers need no encoding.
  if (answer.text.length * 3 <= maxBytes) return { text: answer.text };
  const bytes = Buffer.from(answer.text, 'utf8');
  if (bytes.length <= maxBytes) return { text: answer.text };
  let end = maxBytes;
  // Back off continuation bytes (10xxxxxx) so the cut falls before a character's first byte.
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--;
  return { text: bytes.subarray(0, end).toString('utf8'), originalBytes: bytes.length };
}
