// Counts a conversation's tokens as training sees them: rendered with the tokenizer's Jinja chat
// template, then tokenized (no BOS/EOS added beyond what the template writes, as
// `apply_chat_template(tokenize=True)` does). Also finds special-token strings inside message text.
import { Template } from '@huggingface/jinja';
import type { Tokenizer as HfTokenizer } from '@huggingface/tokenizers';
import type { TokenCounts } from '../core/envelope.js';
import { PhikitError } from '../core/errors.js';
import type { ChatMessage } from '../core/example.js';
import type { AddedTokenSplitter, TextPiece } from './added-tokens.js';
import type { SpBpeEncoder } from './sp-bpe.js';
import { tokenFieldText, type TokenizerConfig } from './tokenizer-json.js';

export interface CountOptions {
  /** Read special-token strings inside message content as plain text (`--allow-special-text`). */
  specialTextAsPlain?: boolean;
}

export interface SpecialTextHit {
  /** Index in `messages`. */
  message: number;
  token: string;
}

export interface ChatTokenizer {
  /** Where the tokenizer came from: `phi-3` (built in), a folder, or `hf:ORG/NAME`. */
  readonly name: string;
  /** `fast` (phikit's SentencePiece-BPE encoder) or `reference` (@huggingface/tokenizers). */
  readonly engine: 'fast' | 'reference';
  /** Added-token strings (`<|end|>`, `<s>`, ...) that the tokenizer reads as single tokens. */
  readonly specialTokenStrings: readonly string[];
  /** Ids of `text`, added tokens recognised, nothing prepended or appended. */
  encode(text: string): number[];
  /** The conversation as the chat template renders it for training. */
  render(messages: readonly ChatMessage[]): string;
  /** Total tokens, and assistant tokens: content of assistant turns with weight != 0 plus the token that ends each turn. */
  countChat(messages: readonly ChatMessage[], options?: CountOptions): TokenCounts;
  /** The first message whose content holds a special-token string. */
  findSpecialText(messages: readonly ChatMessage[]): SpecialTextHit | undefined;
  /** The template renders tool definitions and calls (Phi-4-mini); otherwise tools are not counted. */
  readonly countsTools?: boolean;
}

/** The encoder behind a ChatTokenizer. */
export interface EncoderBackend {
  readonly engine: 'fast' | 'reference';
  readonly splitter: AddedTokenSplitter;
  encode(text: string): number[];
  /** Total tokens of `text` (split into `pieces`) and those starting inside the sorted, disjoint `ranges`. */
  countRanges(
    text: string,
    pieces: readonly TextPiece[],
    ranges: ReadonlyArray<readonly [number, number]>,
  ): { total: number; inRanges: number };
}

export function fastBackend(encoder: SpBpeEncoder): EncoderBackend {
  return {
    engine: 'fast',
    splitter: encoder.splitter,
    encode: (text) => encoder.encode(text),
    countRanges: (text, pieces, ranges) => encoder.countRanges(text, pieces, ranges),
  };
}

/**
 * @huggingface/tokenizers for tokenizers the fast encoder does not cover. Plain-text pieces run through
 * its normalizer, pre-tokenizer and model directly, so special strings inside them stay plain text.
 * Assistant tokens are counted per piece: exact when content sits between added tokens, as in the
 * Phi templates.
 */
export function referenceBackend(tokenizer: HfTokenizer, splitter: AddedTokenSplitter): EncoderBackend {
  const model = tokenizer.model!;
  const encodePlain = (text: string, sectionIndex: number): number[] => {
    const normalized = tokenizer.normalizer ? tokenizer.normalizer(text) : text;
    if (normalized.length === 0) return [];
    const words = tokenizer.pre_tokenizer
      ? tokenizer.pre_tokenizer(normalized, { section_index: sectionIndex })
      : [normalized];
    return (model(words) as string[]).map(
      (token) => model.tokens_to_ids.get(token) ?? model.unk_token_id ?? 0,
    );
  };
  return {
    engine: 'reference',
    splitter,
    encode: (text) => tokenizer.encode(text, { add_special_tokens: false }).ids,
    countRanges: (text, pieces, ranges) => {
      let total = 0;
      let inRanges = 0;
      let section = 0;
      for (const piece of pieces) {
        const count = piece.id >= 0 ? 1 : encodePlain(text.slice(piece.start, piece.end), section++).length;
        total += count;
        if (ranges.some(([start, end]) => start <= piece.start && piece.start < end)) inRanges += count;
      }
      return { total, inRanges };
    },
  };
}

const MARKER_OPEN = '\uE000';
const MARKER_CLOSE = '\uE001';

/** Where each message's content sits in the rendered text, for one shape of conversation. */
interface Layout {
  /** Text before, between and after contents; `glue.length === withContent.length + 1`. */
  glue: string[];
  /** Indices of the messages whose content the template writes out (non-empty ones). */
  withContent: number[];
}

/** A conversation's prompt rendered with the chat template, split where the assistant's answer goes. */
export interface PromptAround {
  /** Everything before the answer: the prompt as the model sees it. */
  prefix: string;
  /** What the template writes after the answer (its end-of-turn tokens). */
  suffix: string;
}

const ANSWER_MARKER = `${MARKER_OPEN}answer${MARKER_CLOSE}`;

/**
 * The one routine that splits a rendered prompt around the answer (reference scoring over HTTP, and
 * a GGUF model prompted with phikit's template): render with a marker as the answer, cut there.
 */
export function renderAroundAnswer(
  tokenizer: Pick<ChatTokenizer, 'render'>,
  prompt: readonly ChatMessage[],
): PromptAround {
  const rendered = tokenizer.render([...prompt, { role: 'assistant', content: ANSWER_MARKER }]);
  const at = rendered.indexOf(ANSWER_MARKER);
  return { prefix: rendered.slice(0, at), suffix: rendered.slice(at + ANSWER_MARKER.length) };
}

/**
 * The layout with each message's content in place, and each content's span. Joined, not
 * concatenated: `+=` makes a cons string, which the encoder reads ~10% slower than a flat one.
 */
function fillLayout(
  layout: Layout,
  messages: readonly ChatMessage[],
  spans: Array<readonly [number, number] | undefined>,
): string {
  const parts = [layout.glue[0]!];
  let length = parts[0]!.length;
  layout.withContent.forEach((index, k) => {
    const content = messages[index]!.content;
    const glue = layout.glue[k + 1]!;
    spans[index] = [length, length + content.length];
    parts.push(content, glue);
    length += content.length + glue.length;
  });
  return parts.join('');
}

export interface ChatTokenizerInit {
  name: string;
  backend: EncoderBackend;
  config: TokenizerConfig;
  /**
   * The template writes each message's content verbatim and its other output depends only on the
   * roles and on which contents are empty (true for the built-in Phi-3 templates, proven by tests),
   * so a layout rendered once per shape serves every conversation of that shape. Otherwise every
   * conversation is rendered for real and checked against the layout.
   */
  trustedTemplate: boolean;
}

export function createChatTokenizer(init: ChatTokenizerInit): ChatTokenizer {
  const { backend, config } = init;
  const source = chatTemplateSource(config, init.name);
  const template = new Template(source);
  const context = {
    bos_token: tokenFieldText(config.bos_token) ?? '',
    eos_token: tokenFieldText(config.eos_token) ?? '',
    unk_token: tokenFieldText(config.unk_token) ?? '',
    pad_token: tokenFieldText(config.pad_token) ?? '',
    add_generation_prompt: false,
  };
  const renderMessages = (messages: ReadonlyArray<{ role: string; content: string }>): string => {
    try {
      return template.render({
        ...context,
        messages: messages.map(({ role, content }) => ({ role, content })),
      });
    } catch (error) {
      // raise_exception() in a template, e.g. "roles must alternate user/assistant".
      throw new PhikitError(
        'CONFIG_INVALID',
        `the chat template of ${init.name} failed on a conversation: ${(error as Error).message}`,
        "this tokenizer's template does not accept the conversation; use the built-in phi-3 or another template",
        { cause: error },
      );
    }
  };
  const renderReal = (messages: readonly ChatMessage[]): string => renderMessages(messages);
  const layouts = new Map<string, Layout | null>();
  const specialTokenStrings = backend.splitter.tokens
    .map((token) => token.content)
    .filter((content) => content !== '');

  function layoutFor(messages: readonly ChatMessage[]): Layout | null {
    const key = messages.map((message) => message.role + (message.content === '' ? '0' : '1')).join(',');
    let layout = layouts.get(key);
    if (layout === undefined) {
      const marked = messages.map(({ role, content }, index) => ({
        role,
        content: content === '' ? '' : `${MARKER_OPEN}${index}${MARKER_CLOSE}`,
      }));
      layout = splitLayout(renderMessages(marked), messages);
      layouts.set(key, layout);
    }
    return layout;
  }

  /** The rendered text and each message's content span (undefined when the template hides it). */
  function renderWithSpans(messages: readonly ChatMessage[]): {
    text: string;
    spans: Array<readonly [number, number] | undefined>;
  } {
    const layout = messages.some((message) => message.content.includes(MARKER_OPEN))
      ? null
      : layoutFor(messages);
    const spans: Array<readonly [number, number] | undefined> = messages.map(() => undefined);
    if (layout !== null) {
      const text = fillLayout(layout, messages, spans);
      if (init.trustedTemplate || text === renderReal(messages)) return { text, spans };
      spans.fill(undefined);
    }
    // A template that rewrites content: find each content in order; one it changed gets no span.
    const text = renderReal(messages);
    let cursor = 0;
    messages.forEach((message, index) => {
      if (message.content === '') return;
      const at = text.indexOf(message.content, cursor);
      if (at === -1) return;
      spans[index] = [at, at + message.content.length];
      cursor = at + message.content.length;
    });
    return { text, spans };
  }

  return {
    name: init.name,
    engine: backend.engine,
    specialTokenStrings,
    encode: (text) => backend.encode(text),
    render: (messages) => renderReal(messages),
    countChat(messages, options = {}) {
      const { text, spans } = renderWithSpans(messages);
      const plainRanges = options.specialTextAsPlain
        ? spans.filter((span): span is readonly [number, number] => span !== undefined)
        : undefined;
      const pieces = backend.splitter.split(text, plainRanges);
      const assistantRanges: Array<readonly [number, number]> = [];
      let pieceIndex = 0;
      messages.forEach((message, index) => {
        const span = spans[index];
        if (message.role !== 'assistant' || message.weight === 0 || span === undefined) return;
        // The turn's closing token (<|end|>) is learned too: the first added token after the
        // content, when only whitespace separates them.
        while (pieceIndex < pieces.length && pieces[pieceIndex]!.start < span[1]) pieceIndex++;
        const closing = pieces[pieceIndex];
        const closes =
          closing !== undefined && closing.id >= 0 && text.slice(span[1], closing.start).trim() === '';
        assistantRanges.push([span[0], closes ? closing.start + 1 : span[1]]);
      });
      const { total, inRanges } = backend.countRanges(text, pieces, assistantRanges);
      return { total, assistant: inRanges };
    },
    findSpecialText(messages) {
      for (let index = 0; index < messages.length; index++) {
        const token = backend.splitter.firstIn(messages[index]!.content);
        if (token !== undefined) return { message: index, token };
      }
      return undefined;
    },
  };
}

function splitLayout(rendered: string, messages: readonly ChatMessage[]): Layout | null {
  const glue: string[] = [];
  const withContent: number[] = [];
  let cursor = 0;
  for (let index = 0; index < messages.length; index++) {
    if (messages[index]!.content === '') continue;
    const marker = `${MARKER_OPEN}${index}${MARKER_CLOSE}`;
    const at = rendered.indexOf(marker, cursor);
    // Missing, or written twice: this template does not lay content out once, in order.
    if (at === -1 || rendered.indexOf(marker, at + marker.length) !== -1) return null;
    glue.push(rendered.slice(cursor, at));
    withContent.push(index);
    cursor = at + marker.length;
  }
  glue.push(rendered.slice(cursor));
  return { glue, withContent };
}

function chatTemplateSource(config: TokenizerConfig, name: string): string {
  const template = config.chat_template;
  if (typeof template === 'string') return template;
  if (Array.isArray(template)) {
    const chosen = template.find((entry) => entry.name === 'default') ?? template[0];
    if (chosen !== undefined) return chosen.template;
  }
  throw new PhikitError(
    'TOKENIZER_UNAVAILABLE',
    `${name} has no chat_template in tokenizer_config.json`,
    'use a chat model\'s tokenizer folder (tokenizer.json + tokenizer_config.json with "chat_template")',
  );
}
