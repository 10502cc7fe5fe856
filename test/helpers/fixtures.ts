// Paths to fixtures and a helper that reads a file through the validate checks by line.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { validate } from '../../src/pipeline/validate.js';
import type { FormatOption } from '../../src/pipeline/read.js';
import { repoRoot } from './shared.js';

export function fixture(name: string): string {
  return join(repoRoot, 'fixtures', name);
}

/** line -> [reason, message] of every problem in the file. */
export async function problemsByLine(
  name: string,
  format: FormatOption = 'auto',
): Promise<Record<number, [string, string]>> {
  const result = await validate(fixture(name), { format, maxErrors: 1000 });
  return Object.fromEntries(result.problems.map((p) => [p.line, [p.reason, p.message]]));
}

/** fixtures/eval-examples.jsonl as user question -> reference answer, for fake endpoints to answer from. */
export function evalAnswers(): Record<string, string> {
  return Object.fromEntries(
    readFileSync(fixture('eval-examples.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => {
        const messages = (JSON.parse(line) as { messages: Array<{ content: string }> }).messages;
        return [messages[1]!.content, messages[2]!.content];
      }),
  );
}
