// Stage 3, clean: rewrites every message with the enabled rules (src/clean/rules.ts) and drops
// an example whose message became empty (`empty_after_clean`). Keeps a few before/after samples.
import type { Envelope, Stage } from '../core/envelope.js';
import { CLEAN_RULES, cleanText, type CleanRule } from '../clean/rules.js';

export interface CleanOptions {
  /** Rules switched off with --no-clean-<rule>. */
  disabled?: readonly CleanRule[];
  /** Before/after samples kept for the report. */
  samples?: number;
}

export interface CleanSummary {
  cleaning: Record<CleanRule, { enabled: boolean; messages: number; examples: number }>;
  cleaningSamples: Array<{ line: number; rules: string[]; before: string; after: string }>;
}

const SAMPLE_CHARS = 400;

export function createCleanStage(options: CleanOptions = {}): Stage & { cleanSummary(): CleanSummary } {
  const disabled = new Set(options.disabled ?? []);
  const enabled = CLEAN_RULES.filter((rule) => !disabled.has(rule));
  const maxSamples = options.samples ?? 5;
  const cleaning = Object.fromEntries(
    CLEAN_RULES.map((rule) => [rule, { enabled: !disabled.has(rule), messages: 0, examples: 0 }]),
  ) as CleanSummary['cleaning'];
  const cleaningSamples: CleanSummary['cleaningSamples'] = [];

  return {
    name: 'clean',
    needs: ['example'],
    provides: [],
    run(batch: Envelope[]) {
      for (const envelope of batch) {
        if (envelope.rejection || !envelope.example) continue;
        const rulesInExample = new Set<CleanRule>();
        for (const [index, message] of envelope.example.messages.entries()) {
          const { text, changedBy } = cleanText(message.content, enabled);
          if (changedBy.length === 0) continue;
          for (const rule of changedBy) {
            cleaning[rule].messages++;
            rulesInExample.add(rule);
          }
          if (cleaningSamples.length < maxSamples && changedBy.some((rule) => rule !== 'trim')) {
            cleaningSamples.push({
              line: envelope.line,
              rules: changedBy,
              before: message.content.slice(0, SAMPLE_CHARS),
              after: text.slice(0, SAMPLE_CHARS),
            });
          }
          message.content = text;
          if (text === '' && !envelope.rejection) {
            envelope.rejection = {
              reason: 'empty_after_clean',
              message: `messages[${index}].content is empty after cleaning (${changedBy.join(', ')}); it held only whitespace, markup or invisible characters`,
              detail: { message: index, rules: changedBy },
            };
          }
        }
        for (const rule of rulesInExample) cleaning[rule].examples++;
      }
    },
    cleanSummary: () => ({ cleaning, cleaningSamples }),
    summary: () => ({ rules: cleaning }),
  };
}
