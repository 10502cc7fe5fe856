// Held-out examples for evaluation, read with the prep reader and checks: the prompt is every
// message before the final assistant message, the reference is that message.
import { createHash } from 'node:crypto';
import { usesTools, type ChatMessage } from '../core/example.js';
import { readEnvelopes, type FormatOption } from '../pipeline/read.js';
import { StageRunner } from '../pipeline/stages.js';
import { createParseStage } from '../stages/parse.js';
import { createValidateStage } from '../stages/validate.js';
import type { EvalExample } from '../core/eval-types.js';

export interface LoadedExamples {
  examples: EvalExample[];
  /** Lines that are not chat examples, with why (they are not evaluated). */
  skipped: Array<{ line: number; message: string }>;
}

export async function loadExamples(
  path: string,
  options: { scenarioField?: string; format?: FormatOption; limit?: number } = {},
): Promise<LoadedExamples> {
  const source = await readEnvelopes(path, options.format ?? 'auto');
  const runner = new StageRunner([
    createParseStage(),
    createValidateStage({ format: source.decision.format, scenarioField: options.scenarioField }),
  ]);
  const examples: EvalExample[] = [];
  const skipped: LoadedExamples['skipped'] = [];
  for await (const batch of source.batches) {
    await runner.run(batch);
    for (const envelope of batch) {
      if (envelope.rejection) {
        skipped.push({ line: envelope.line, message: envelope.rejection.message });
        continue;
      }
      if (options.limit !== undefined && examples.length >= options.limit) continue;
      const example = envelope.example!;
      // Endpoints are asked text turns; a tool-calling example has no text reference to score.
      if (usesTools(example)) {
        skipped.push({ line: envelope.line, message: 'tool-calling example: eval scores text answers only' });
        continue;
      }
      const messages = example.messages as ChatMessage[];
      const prompt = messages.slice(0, -1);
      const reference = messages[messages.length - 1]!.content;
      examples.push({
        id: exampleId(prompt, reference),
        line: envelope.line,
        scenario: envelope.scenario,
        prompt,
        reference,
      });
    }
  }
  return { examples, skipped };
}

export function exampleId(prompt: unknown, reference: string): string {
  return createHash('sha256')
    .update(JSON.stringify([prompt, reference]))
    .digest('hex')
    .slice(0, 16);
}
