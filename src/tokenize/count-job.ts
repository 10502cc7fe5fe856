// The unit of token-counting work, shared by the in-process path and the worker threads so both
// give identical results: count a conversation and look for special-token strings in its text.
import type { TokenCounts } from '../core/envelope.js';
import type { ChatMessage } from '../core/example.js';
import type { ChatTokenizer, SpecialTextHit } from './chat.js';

export interface ChatCountResult {
  tokens: TokenCounts;
  /** The first message holding a special-token string, if any. */
  special?: SpecialTextHit;
}

/**
 * With `allowSpecialText`, special strings in content count as plain text; without it they count
 * as the control tokens a trainer would read (the example is rejected anyway).
 */
export function countConversation(
  tokenizer: ChatTokenizer,
  messages: readonly ChatMessage[],
  allowSpecialText: boolean,
): ChatCountResult {
  const special = tokenizer.findSpecialText(messages);
  const tokens = tokenizer.countChat(messages, {
    specialTextAsPlain: allowSpecialText && special !== undefined,
  });
  return special === undefined ? { tokens } : { tokens, special };
}
