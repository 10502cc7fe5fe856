// Hostile inputs built as text (JSON.stringify itself overflows on deep values) and written to temp files.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A user/assistant chat as one JSONL line; `fields` (a scenario, extra keys) come before `messages`. */
export function chatLine(
  user: string,
  assistant = `Answer to ${user}.`,
  fields: Record<string, unknown> = {},
): string {
  return JSON.stringify({
    ...fields,
    messages: [
      { role: 'user', content: user },
      { role: 'assistant', content: assistant },
    ],
  });
}

/** `depth` nested arrays, as JSON text. */
export function nestedArrays(depth: number): string {
  return '['.repeat(depth) + ']'.repeat(depth);
}

/** A chat example with valid JSON nested `depth` levels deep in an extra key of its first message. */
export function deepValidChatLine(depth: number): string {
  return `{"messages":[{"role":"user","content":"deep","extra":${nestedArrays(depth)}},{"role":"assistant","content":"x"}]}`;
}

export function tempFile(name: string, content: string | Buffer): string {
  const path = join(mkdtempSync(join(tmpdir(), 'phikit-hostile-')), name);
  writeFileSync(path, content);
  return path;
}
