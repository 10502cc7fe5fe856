// The token-length stage of `phikit prep`: counts each conversation with the chat template and the
// model's tokenizer (fanned out over worker threads), sets `envelope.tokens`, and rejects examples
// over --max-tokens (`too_long`) or with special-token strings in their text (`special_token_in_text`).
// Memory: one batch of conversations in flight, plus a few counters.
import type { Envelope, Stage } from '../core/envelope.js';
import { textTurns, type ChatMessage } from '../core/example.js';
import { createTokenCountPool } from '../tokenize/pool.js';

export interface TokenLengthOptions {
  /** Tokenizer spec for loadTokenizer (default: the built-in Phi-3 tokenizer). */
  tokenizer?: string;
  maxTokens: number;
  /** Keep examples whose text holds special-token strings, counting those strings as plain text. */
  allowSpecialText: boolean;
  /** Worker threads; default every core. Results do not depend on it. */
  threads?: number;
}

export async function createTokenLengthStage(options: TokenLengthOptions): Promise<Stage> {
  const pool = await createTokenCountPool({
    tokenizer: options.tokenizer,
    allowSpecialText: options.allowSpecialText,
    threads: options.threads,
  });
  const figures = {
    counted: 0,
    totalTokens: 0,
    assistantTokens: 0,
    maxTotal: 0,
    tooLong: 0,
    specialTokenInText: 0,
    /** Examples kept with special-token strings counted as text (--allow-special-text). */
    specialTextKept: 0,
    specialTokens: {} as Record<string, number>,
  };

  return {
    name: 'token-length',
    needs: ['example'],
    provides: ['tokens'],
    async run(batch: Envelope[]) {
      const pending = batch.filter(
        (envelope) => envelope.rejection === undefined && envelope.example !== undefined,
      );
      if (pending.length === 0) return;
      const conversations: ChatMessage[][] = pending.map((envelope) => textTurns(envelope.example!));
      const results = await pool.count(conversations);
      pending.forEach((envelope, index) => {
        const { tokens, special } = results[index]!;
        envelope.tokens = tokens;
        figures.counted++;
        figures.totalTokens += tokens.total;
        figures.assistantTokens += tokens.assistant;
        figures.maxTotal = Math.max(figures.maxTotal, tokens.total);
        if (special !== undefined) {
          figures.specialTokens[special.token] = (figures.specialTokens[special.token] ?? 0) + 1;
          if (!options.allowSpecialText) {
            const role = envelope.example!.messages[special.message]?.role ?? 'message';
            figures.specialTokenInText++;
            envelope.rejection = {
              reason: 'special_token_in_text',
              message:
                `messages[${special.message}] (${role}) contains "${special.token}", which ${pool.tokenizer} reads as a control token; ` +
                'remove it, or pass --allow-special-text to keep it and count it as plain text',
              detail: { message: special.message, token: special.token, tokens: tokens.total },
            };
            return;
          }
          figures.specialTextKept++;
        }
        if (tokens.total > options.maxTokens) {
          figures.tooLong++;
          envelope.rejection = {
            reason: 'too_long',
            message: `conversation is ${tokens.total.toLocaleString('en-US')} tokens, over --max-tokens ${options.maxTokens}`,
            detail: { tokens: tokens.total, assistantTokens: tokens.assistant, maxTokens: options.maxTokens },
          };
        }
      });
    },
    summary() {
      return {
        tokenizer: pool.tokenizer,
        maxTokens: options.maxTokens,
        allowSpecialText: options.allowSpecialText,
        threads: pool.threads,
        ...figures,
      };
    },
    close: () => pool.close(),
  };
}
