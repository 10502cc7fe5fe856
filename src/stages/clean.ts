// Stage 3, clean: rejects a message that is not valid Unicode (`invalid_unicode`: a lone
// surrogate from a JSON escape, which Python cannot encode on upload), rewrites every message
// with the enabled rules (src/clean/rules.ts), and drops an example whose message became empty
// (`empty_after_clean`). Keeps per rule a few samples with a character diff, and what html kept.
// Memory: per rule at most `samples` windows, plus the first lines of changed assistant text.
import { formatCount } from '../core/describe.js';
import type { Envelope, Rejection, Stage } from '../core/envelope.js';
import { isTextMessage, type ChatExample, type ChatMessage } from '../core/example.js';
import type { CleaningRuleFigures, CleaningSample, Warning } from '../core/manifest.js';
import { charDiff, codePointCount, diffWindow } from '../clean/diff.js';
import { HTML_KEPT_REASONS, talksAboutMarkup, type HtmlKeptReason } from '../clean/html.js';
import {
  CLEAN_RULES,
  cleanText,
  type CleanContext,
  type CleanRule,
  type RuleChange,
} from '../clean/rules.js';
import { SampleCollector, type SampleCollectorState, type UndiffedSample } from '../clean/samples.js';
import { perExample } from './per-example.js';

export interface CleanOptions {
  /** Rules switched off with --no-clean-<rule>. */
  disabled?: readonly CleanRule[];
  /** Samples kept per rule for the report: the first 3, the rest spread over the file (default 8). */
  samples?: number;
}

export interface CleanSummary {
  cleaning: Record<CleanRule, CleaningRuleFigures>;
  cleaningSamples: CleaningSample[];
  warnings: Warning[];
}

const FIRST_SAMPLES = 3;
const WARNING_LINES = 5;
/** Rules that only touch whitespace: their changes never count as changed content. */
const WHITESPACE_RULES: ReadonlySet<CleanRule> = new Set(['nbsp', 'collapse-spaces', 'trim']);
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/** `String.prototype.isWellFormed` (ES2024, in every Node 20; not in TypeScript's ES2023 lib): a scan with no regex. */
const isWellFormed = (text: string): boolean => (text as string & { isWellFormed(): boolean }).isWellFormed();

/** Everything a clean stage has counted and sampled: what a front worker's batch instance hands back. */
export interface CleanState {
  cleaning: Record<CleanRule, CleaningRuleFigures>;
  htmlKept: Record<HtmlKeptReason, number>;
  samples: Array<[CleanRule, SampleCollectorState]>;
  contentChanged: { messages: number; lines: number[] };
}

export interface CleanStage extends Stage {
  cleanSummary(): CleanSummary;
  state(): CleanState;
  /** Counts a batch's state in, as if its examples had been cleaned here (batches in input order). */
  absorb(state: CleanState): void;
}

export function createCleanStage(options: CleanOptions = {}): CleanStage {
  const disabled = new Set(options.disabled ?? []);
  const enabled = CLEAN_RULES.filter((rule) => !disabled.has(rule));
  const perRule = options.samples ?? 8;
  const cleaning = Object.fromEntries(
    CLEAN_RULES.map((rule) => [rule, { enabled: !disabled.has(rule), messages: 0, examples: 0 }]),
  ) as Record<CleanRule, CleaningRuleFigures>;
  const htmlKept = Object.fromEntries(HTML_KEPT_REASONS.map((reason) => [reason, 0])) as Record<
    HtmlKeptReason,
    number
  >;
  const collectors = new Map(
    CLEAN_RULES.map((rule) => [
      rule,
      new SampleCollector(Math.min(FIRST_SAMPLES, perRule), Math.max(0, perRule - FIRST_SAMPLES)),
    ]),
  );
  const contentChanged = { messages: 0, lines: [] as number[] };

  function cleanExample(envelope: Envelope, example: ChatExample): void {
    const rulesInExample = new Set<CleanRule>();
    const context = markupContext(example.messages.filter(isTextMessage));
    for (const [index, message] of example.messages.entries()) {
      // Tool calls and tool answers are kept byte for byte: their text is data, not prose.
      if (!isTextMessage(message)) continue;
      const result = cleanText(message.content, enabled, context);
      if (result.htmlKept) htmlKept[result.htmlKept]++;
      if (result.changes.length === 0) continue;
      for (const change of result.changes) {
        cleaning[change.rule].messages++;
        rulesInExample.add(change.rule);
        collectors
          .get(change.rule)!
          .offer(envelope.line, index, () =>
            sampleOf(envelope.line, index, message, change, result.changedBy),
          );
      }
      if (message.role === 'assistant' && changesContent(result.changes)) {
        contentChanged.messages++;
        if (contentChanged.lines.length < WARNING_LINES && contentChanged.lines.at(-1) !== envelope.line)
          contentChanged.lines.push(envelope.line);
      }
      message.content = result.text;
      if (result.text === '' && !envelope.rejection) {
        envelope.rejection = {
          reason: 'empty_after_clean',
          message: `messages[${index}].content is empty after cleaning (${result.changedBy.join(', ')}); it held only whitespace, markup or invisible characters`,
          detail: { message: index, rules: result.changedBy },
        };
      }
    }
    for (const rule of rulesInExample) cleaning[rule].examples++;
  }

  return perExample({
    name: 'clean',
    needs: ['example'],
    provides: [],
    each(envelope) {
      const invalid = invalidUnicode(envelope.example);
      if (invalid) envelope.rejection = invalid;
      else cleanExample(envelope, envelope.example);
    },
    cleanSummary: () => ({
      // What html kept is a figure only when the rule ran.
      cleaning: cleaning.html.enabled
        ? { ...cleaning, html: { ...cleaning.html, kept: { ...htmlKept } } }
        : cleaning,
      cleaningSamples: CLEAN_RULES.flatMap((rule) => collectors.get(rule)!.samples()).map((sample) => ({
        ...sample,
        diff: charDiff(sample.before, sample.after),
      })),
      warnings: contentWarnings(contentChanged),
    }),
    summary: () => ({ rules: cleaning }),
    state: () => ({
      cleaning,
      htmlKept,
      samples: [...collectors].map(([rule, collector]): [CleanRule, SampleCollectorState] => [
        rule,
        collector.state(),
      ]),
      contentChanged,
    }),
    absorb(state: CleanState) {
      for (const rule of CLEAN_RULES) {
        cleaning[rule].messages += state.cleaning[rule].messages;
        cleaning[rule].examples += state.cleaning[rule].examples;
      }
      for (const reason of HTML_KEPT_REASONS) htmlKept[reason] += state.htmlKept[reason];
      for (const [rule, samples] of state.samples) collectors.get(rule)!.absorb(samples);
      contentChanged.messages += state.contentChanged.messages;
      for (const line of state.contentChanged.lines)
        if (contentChanged.lines.length < WARNING_LINES) contentChanged.lines.push(line);
    },
  });
}

/** Whether the conversation's user or system turns talk about markup, asked once and only if needed. */
function markupContext(messages: readonly ChatMessage[]): CleanContext {
  let topic: boolean | undefined;
  return {
    talksAboutMarkup: () =>
      (topic ??= messages.some(
        (message) => message.role !== 'assistant' && talksAboutMarkup(message.content),
      )),
  };
}

/** A lone surrogate in any message text, with where it is. */
function invalidUnicode(example: ChatExample): Rejection | undefined {
  for (const [index, message] of example.messages.entries()) {
    for (const field of ['content', 'name'] as const) {
      const text = (message as { content?: unknown; name?: unknown })[field];
      if (typeof text !== 'string' || isWellFormed(text)) continue;
      const match = LONE_SURROGATE.exec(text);
      if (!match) continue;
      const character = Array.from(text.slice(0, match.index)).length + 1;
      const hex = match[0].charCodeAt(0).toString(16);
      const codeUnit = `U+${hex.toUpperCase()}`;
      return {
        reason: 'invalid_unicode',
        message: `messages[${index}].${field} has a lone surrogate ${codeUnit} at character ${character}: not valid Unicode, Python's .encode('utf-8') fails on it; fix the \\u${hex} escape in the source`,
        detail: { message: index, field, character, codeUnit },
      };
    }
  }
  return undefined;
}

/** Whether a change went beyond whitespace: the text without any whitespace differs. */
function changesContent(changes: readonly RuleChange[]): boolean {
  if (changes.every((change) => WHITESPACE_RULES.has(change.rule))) return false;
  const first = changes[0]!.before;
  const last = changes.at(-1)!.after;
  return first.replace(/\s+/g, '') !== last.replace(/\s+/g, '');
}

function sampleOf(
  line: number,
  index: number,
  message: ChatMessage,
  change: RuleChange,
  rules: readonly CleanRule[],
): UndiffedSample {
  const window = diffWindow(change.before, change.after);
  return {
    line,
    message: index,
    role: message.role,
    rule: change.rule,
    rules: [...rules],
    at: window.at,
    beforeLength: codePointCount(change.before),
    afterLength: codePointCount(change.after),
    before: window.before,
    after: window.after,
  };
}

function contentWarnings(changed: { messages: number; lines: number[] }): Warning[] {
  if (changed.messages === 0) return [];
  const noun = changed.messages === 1 ? 'message' : 'messages';
  return [
    {
      code: 'cleaning_changed_content',
      message: `cleaning changed the text (not only whitespace) of ${formatCount(changed.messages)} assistant ${noun}, first on ${changed.lines.length === 1 ? 'line' : 'lines'} ${changed.lines.join(', ')}: check the cleaning samples in report.html, or switch a rule off with --no-clean-<rule>`,
      count: changed.messages,
      lines: [...changed.lines],
    },
  ];
}
