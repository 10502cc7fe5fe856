// The token-length stage of `phikit prep`: counts each conversation with the chat template and the
// model's tokenizer (fanned out over worker threads), sets `envelope.tokens`, and rejects examples
// over --max-tokens (`too_long`) or with special-token strings in their text (`special_token_in_text`).
// Memory: one batch of conversations in flight, plus a few counters.
import { formatCount } from '../core/describe.js';
import type { CountedTokens, Envelope, Stage } from '../core/envelope.js';
import { PhikitError } from '../core/errors.js';
import type { ChatCountResult } from '../tokenize/count-job.js';
import { inPlay } from './per-example.js';
import { createTokenCountPool, type TokenCountPool } from '../tokenize/pool.js';

export interface TokenLengthOptions {
  /** Tokenizer spec for loadTokenizer (default: the built-in Phi-3 tokenizer). */
  tokenizer?: string;
  maxTokens: number;
  /** Keep examples whose text holds special-token strings, counting those strings as plain text. */
  allowSpecialText: boolean;
  /** Worker threads; default every core. Results do not depend on it. */
  threads?: number;
  /** Front workers count every example ahead (tokenizer name and their thread count): no pool here. */
  precounted?: { tokenizer: string; threads: number };
}

export async function createTokenLengthStage(options: TokenLengthOptions): Promise<Stage> {
  const pool = options.precounted
    ? precountedOnly(options.precounted)
    : await createTokenCountPool({
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

  /** Sets the envelope's tokens and rejects it when the count says so. */
  function judge(envelope: Envelope, { tokens, special }: CountedTokens): void {
    envelope.tokens = tokens;
    figures.counted++;
    figures.totalTokens += tokens.total;
    figures.assistantTokens += tokens.assistant;
    figures.maxTotal = Math.max(figures.maxTotal, tokens.total);
    if (special !== undefined) {
      figures.specialTokens[special.token] = (figures.specialTokens[special.token] ?? 0) + 1;
      if (!options.allowSpecialText) {
        figures.specialTokenInText++;
        envelope.rejection = {
          reason: 'special_token_in_text',
          message:
            `messages[${special.message}] (${special.role}) contains "${special.token}", which ${pool.tokenizer} reads as a control token; ` +
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
        message: `conversation is ${formatCount(tokens.total)} tokens, over --max-tokens ${options.maxTokens}`,
        detail: { tokens: tokens.total, assistantTokens: tokens.assistant, maxTokens: options.maxTokens },
      };
    }
  }

  return {
    name: 'token-length',
    needs: ['example'],
    provides: ['tokens'],
    async run(batch: Envelope[]) {
      const pending = batch.filter(inPlay);
      const uncounted = pending.filter((envelope) => envelope.counted === undefined);
      if (uncounted.length > 0) {
        const results = await pool.count(uncounted.map((envelope) => envelope.example!));
        uncounted.forEach((envelope, index) => (envelope.counted = withRole(results[index]!, envelope)));
      }
      for (const envelope of pending) {
        judge(envelope, envelope.counted!);
        envelope.counted = undefined;
      }
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

/** A count with the role of the message holding a special-token string, for the rejection message. */
export function withRole(result: ChatCountResult, envelope: Pick<Envelope, 'example'>): CountedTokens {
  if (result.special === undefined) return { tokens: result.tokens };
  const role = envelope.example!.messages[result.special.message]?.role ?? 'message';
  return { tokens: result.tokens, special: { ...result.special, role } };
}

/** When front workers count every example ahead, the stage only judges: it never counts itself. */
function precountedOnly(precounted: { tokenizer: string; threads: number }): TokenCountPool {
  return {
    ...precounted,
    count: () => Promise.reject(new PhikitError('INTERNAL', 'an example reached token-length uncounted')),
    close: async () => {},
  };
}
