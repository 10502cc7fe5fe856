// The unit of token-counting work, shared by the in-process path and the worker threads so both
// give identical results: count a conversation and look for special-token strings in its text.
import type { TokenCounts } from '../core/envelope.js';
import type { ChatMessage } from '../core/example.js';
import type { ChatTokenizer, SpecialTextHit } from './chat.js';
import { phi4MiniToolMessages, plainMessages, type ChatInput, type ChatTurn } from './tools.js';

export interface ChatCountResult {
  tokens: TokenCounts;
  /** The first message holding a special-token string, if any. */
  special?: SpecialTextHit;
}

/** A conversation as messages, or as messages with top-level `tools` (a chat example). */
export type Conversation = readonly ChatTurn[] | ChatInput;

export function chatInput(conversation: Conversation): ChatInput {
  return isMessageList(conversation) ? { messages: conversation } : conversation;
}

function isMessageList(conversation: Conversation): conversation is readonly ChatTurn[] {
  return Array.isArray(conversation);
}

/**
 * With `allowSpecialText`, special strings in content count as plain text; without it they count
 * as the control tokens a trainer would read (the example is rejected anyway). Tool definitions and
 * calls are counted only by a tokenizer whose template renders them; the validate stage rejects them
 * for the others.
 */
export function countConversation(
  tokenizer: ChatTokenizer,
  conversation: Conversation,
  allowSpecialText: boolean,
): ChatCountResult {
  const input = chatInput(conversation);
  const plain = plainMessages(input);
  const special = tokenizer.findSpecialText(plain);
  const rendered: ChatMessage[] = tokenizer.countsTools === true ? phi4MiniToolMessages(input) : plain;
  const tokens = tokenizer.countChat(rendered, {
    specialTextAsPlain: allowSpecialText && special !== undefined,
  });
  return special === undefined ? { tokens } : { tokens, special };
}
