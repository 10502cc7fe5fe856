// A differential between phikit's counting tokenizer (built in by default) and a Hugging Face
// tokenizer.json run by @huggingface/tokenizers: every message text and every rendered conversation is
// encoded by both, and the chat templates' renders are compared. Memory: the first few differences only.
import type { ChatMessage } from '../core/example.js';
import type { ChatTokenizer } from './chat.js';
import { chatInput, type Conversation } from './count-job.js';
import { phi4MiniToolMessages, plainMessages } from './tools.js';

/** How many differences are kept with their ids; the rest are only counted. */
export const DIFFERENCES_SHOWN = 5;
/** Ids (or characters) shown from the first position where the two sides part. */
const WINDOW = 8;

/** Where two encodings of the same text part: `messages[1].content` or `rendered`. */
export interface IdsDifference {
  kind: 'ids';
  line: number;
  where: string;
  /** Index of the first differing id; both id lists are shown from there. */
  at: number;
  tokenizer: number[];
  reference: number[];
  /** Lengths of both whole encodings. */
  lengths: [number, number];
}

/** The two chat templates render the conversation differently (ids are compared on phikit's render). */
export interface TemplateDifference {
  kind: 'template';
  line: number;
  where: 'template';
  /** Index of the first differing character; both texts are shown from there. */
  at: number;
  tokenizer: string;
  reference: string;
}

export type TokenizerDifference = IdsDifference | TemplateDifference;

export interface DifferentialSummary {
  /** The tokenizer.json folder compared against. */
  against: string;
  /** phikit's tokenizer (`phi-4`, `phi-4-mini`, `phi-3`, ...). */
  tokenizer: string;
  examples: number;
  /** Message texts plus rendered conversations encoded by both sides. */
  texts: number;
  /** Examples with at least one difference of ids or of template. */
  differingExamples: number;
  differingTexts: number;
  differingTemplates: number;
  /** The first DIFFERENCES_SHOWN differences, in input order. */
  first: TokenizerDifference[];
}

export interface TokenizerDifferential {
  /** Compares one example and returns its differences (empty when both sides agree). */
  compare(line: number, conversation: Conversation): TokenizerDifference[];
  summary(): DifferentialSummary;
}

/** `reference` is the folder loaded with `engine: 'reference'` (@huggingface/tokenizers). */
export function createTokenizerDifferential(
  tokenizer: ChatTokenizer,
  reference: ChatTokenizer,
  against: string,
): TokenizerDifferential {
  const totals = { examples: 0, texts: 0, differingExamples: 0, differingTexts: 0, differingTemplates: 0 };
  const first: TokenizerDifference[] = [];
  return {
    compare(line, conversation) {
      const messages = textsOf(conversation, tokenizer);
      const differences = compareExample(tokenizer, reference, line, messages);
      totals.examples++;
      totals.texts += messages.length + 1;
      if (differences.length > 0) totals.differingExamples++;
      for (const difference of differences) {
        if (difference.kind === 'ids') totals.differingTexts++;
        else totals.differingTemplates++;
        if (first.length < DIFFERENCES_SHOWN) first.push(difference);
      }
      return differences;
    },
    summary: () => ({ against, tokenizer: tokenizer.name, ...totals, first: [...first] }),
  };
}

/** The messages as phikit's tokenizer renders them (Phi-4-mini writes tool definitions and calls in). */
function textsOf(conversation: Conversation, tokenizer: ChatTokenizer): ChatMessage[] {
  const input = chatInput(conversation);
  return tokenizer.countsTools === true ? phi4MiniToolMessages(input) : plainMessages(input);
}

function compareExample(
  tokenizer: ChatTokenizer,
  reference: ChatTokenizer,
  line: number,
  messages: readonly ChatMessage[],
): TokenizerDifference[] {
  const differences: TokenizerDifference[] = [];
  messages.forEach((message, index) => {
    const difference = idsDifference(
      tokenizer,
      reference,
      message.content,
      line,
      `messages[${index}].content`,
    );
    if (difference !== undefined) differences.push(difference);
  });
  const rendered = tokenizer.render(messages);
  const template = templateDifference(rendered, renderOrError(reference, messages), line);
  if (template !== undefined) differences.push(template);
  const ids = idsDifference(tokenizer, reference, rendered, line, 'rendered');
  if (ids !== undefined) differences.push(ids);
  return differences;
}

function idsDifference(
  tokenizer: ChatTokenizer,
  reference: ChatTokenizer,
  text: string,
  line: number,
  where: string,
): IdsDifference | undefined {
  const ours = tokenizer.encode(text);
  const theirs = reference.encode(text);
  const at = firstMismatch(ours, theirs);
  if (at === undefined) return undefined;
  return {
    kind: 'ids',
    line,
    where,
    at,
    tokenizer: ours.slice(at, at + WINDOW),
    reference: theirs.slice(at, at + WINDOW),
    lengths: [ours.length, theirs.length],
  };
}

/** A template that refuses the conversation (raise_exception) renders as its error message. */
function renderOrError(reference: ChatTokenizer, messages: readonly ChatMessage[]): string {
  try {
    return reference.render(messages);
  } catch (error) {
    return `(template error: ${(error as Error).message})`;
  }
}

function templateDifference(ours: string, theirs: string, line: number): TemplateDifference | undefined {
  const at = firstMismatch(ours, theirs);
  if (at === undefined) return undefined;
  return {
    kind: 'template',
    line,
    where: 'template',
    at,
    tokenizer: ours.slice(at, at + 4 * WINDOW),
    reference: theirs.slice(at, at + 4 * WINDOW),
  };
}

/** First index where the sequences differ, counting a shorter one's end; undefined when equal. */
function firstMismatch<T>(a: ArrayLike<T>, b: ArrayLike<T>): number | undefined {
  const shorter = Math.min(a.length, b.length);
  for (let index = 0; index < shorter; index++) if (a[index] !== b[index]) return index;
  return a.length === b.length ? undefined : shorter;
}
