// Token counts for OpenAI's GPT-4o-class fine-tuning targets (o200k_base). The server-side chat format
// is not public, so the overhead is the OpenAI cookbook's estimate (num_tokens_from_messages): 3 tokens
// per message, the tokens of role, content and name, 1 more per name, and 3 priming the reply.
import type { TokenCounts } from '../core/envelope.js';
import type { ChatMessage } from '../core/example.js';
import type { ChatTokenizer } from './chat.js';
import { AddedTokenSplitter } from './added-tokens.js';
import type { PlainEncoder } from './tiktoken-bpe.js';

export const OPENAI_TOKENS_PER_MESSAGE = 3;
export const OPENAI_TOKENS_PER_NAME = 1;
export const OPENAI_REPLY_PRIMING = 3;

/** o200k_base's special tokens: a trainer reading them from text would see control tokens. */
const O200K_SPECIALS = [
  { id: 199999, content: '<|endoftext|>' },
  { id: 200018, content: '<|endofprompt|>' },
].map((token) => ({
  ...token,
  single_word: false,
  lstrip: false,
  rstrip: false,
  normalized: false,
  special: true,
}));

export function createOpenAiChatTokenizer(name: string, encodePlain: PlainEncoder): ChatTokenizer {
  const splitter = new AddedTokenSplitter(O200K_SPECIALS);
  const encode = (text: string): number[] =>
    splitter
      .split(text)
      .flatMap((piece) => (piece.id >= 0 ? [piece.id] : encodePlain(text.slice(piece.start, piece.end))));
  const count = (text: string, asPlain: boolean): number =>
    (asPlain ? encodePlain(text) : encode(text)).length;
  return {
    name,
    engine: 'fast',
    specialTokenStrings: O200K_SPECIALS.map((token) => token.content),
    encode,
    /** A ChatML-like picture of the format; the counts do not come from it. */
    render: (messages) =>
      messages.map(({ role, content }) => `<|im_start|>${role}<|im_sep|>${content}<|im_end|>`).join(''),
    countChat(messages, options = {}): TokenCounts {
      const asPlain = options.specialTextAsPlain === true;
      let total = OPENAI_REPLY_PRIMING;
      let assistant = 0;
      for (const message of messages) {
        const content = count(message.content, asPlain);
        total += OPENAI_TOKENS_PER_MESSAGE + encodePlain(message.role).length + content;
        if (message.name !== undefined) total += encodePlain(message.name).length + OPENAI_TOKENS_PER_NAME;
        // The content and the token that ends the message are what training learns from.
        if (isTrained(message)) assistant += content + 1;
      }
      return { total, assistant };
    },
    findSpecialText(messages) {
      for (let index = 0; index < messages.length; index++) {
        const token = splitter.firstIn(messages[index]!.content);
        if (token !== undefined) return { message: index, token };
      }
      return undefined;
    },
  };
}

function isTrained(message: ChatMessage): boolean {
  return message.role === 'assistant' && message.weight !== 0;
}
