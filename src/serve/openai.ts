// OpenAI-compatible request parsing and response shapes for a local model (pure functions, no I/O).
// Chat logprobs follow OpenAI; completion logprobs and prompt logprobs follow vLLM (echo, prompt_logprobs).
import type { ChatMessage, Role } from '../core/example.js';
import type { TokenLogprob } from '../gguf/logprobs.js';
import { BadRequest } from './http-errors.js';

export const MAX_TOP_LOGPROBS = 20;

export interface SamplingParams {
  maxTokens: number | undefined;
  temperature: number;
  topP: number;
  seed: number;
  stop: string[];
}

export interface ChatRequest extends SamplingParams {
  messages: ChatMessage[];
  /** Alternatives per generated token; undefined when `logprobs` is not true. */
  topLogprobs: number | undefined;
  /** vLLM: teacher-forced logprobs of every prompt token, with this many alternatives. */
  promptLogprobs: number | undefined;
  /** vLLM: the last (assistant) message is continued rather than answered. */
  continueFinalMessage: boolean;
}

export interface CompletionRequest extends SamplingParams {
  prompt: string | number[];
  echo: boolean;
  /** Alternatives per token (OpenAI legacy `logprobs: N`); undefined for none. */
  logprobs: number | undefined;
  promptLogprobs: number | undefined;
}

type Body = Record<string, unknown>;

export function asBody(value: unknown): Body {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new BadRequest('the request body must be a JSON object');
  }
  return value as Body;
}

export function parseChatRequest(body: Body): ChatRequest {
  rejectUnsupported(body);
  if (!Array.isArray(body.messages) || body.messages.length === 0) {
    throw new BadRequest('messages must be a non-empty array', 'messages');
  }
  const messages = body.messages.map((message: unknown, index) => parseMessage(message, index));
  const continueFinalMessage = optionalBoolean(body, 'continue_final_message') ?? false;
  if (continueFinalMessage && messages[messages.length - 1]?.role !== 'assistant') {
    throw new BadRequest('continue_final_message needs an assistant message last', 'continue_final_message');
  }
  const logprobs = optionalBoolean(body, 'logprobs') ?? false;
  const topLogprobs = optionalCount(body, 'top_logprobs');
  if (topLogprobs !== undefined && !logprobs) {
    throw new BadRequest('top_logprobs needs logprobs: true', 'top_logprobs');
  }
  return {
    ...parseSampling(body, optionalCount(body, 'max_completion_tokens', Infinity)),
    messages,
    topLogprobs: logprobs ? (topLogprobs ?? 0) : undefined,
    promptLogprobs: optionalCount(body, 'prompt_logprobs'),
    continueFinalMessage,
  };
}

export function parseCompletionRequest(body: Body): CompletionRequest {
  rejectUnsupported(body);
  return {
    ...parseSampling(body, undefined, 16),
    prompt: parsePrompt(body.prompt),
    echo: optionalBoolean(body, 'echo') ?? false,
    logprobs: optionalCount(body, 'logprobs'),
    promptLogprobs: optionalCount(body, 'prompt_logprobs'),
  };
}

/** OpenAI chat `logprobs.content` entries. */
export function chatLogprobs(entries: readonly TokenLogprob[]): object {
  const item = (text: string, logprob: number) => ({
    token: text,
    logprob,
    bytes: [...Buffer.from(text, 'utf8')],
  });
  return {
    content: entries.map((entry) => ({
      ...item(entry.text, entry.logprob),
      top_logprobs: entry.top.map((alternative) => item(alternative.text, alternative.logprob)),
    })),
  };
}

/** A token in a completion's logprobs: the text it adds, its score unless it has no context (the first one). */
export interface CompletionToken {
  /** "" for a token the text leaves out (an added BOS) or that starts a character a later token ends. */
  text: string;
  /** Alternatives' texts are what each would add in the same place. */
  scored?: { logprob: number; top: Array<{ text: string; logprob: number }> };
}

/**
 * OpenAI legacy completion logprobs as vLLM fills them: `null` for a token without context (the first prompt
 * token), `top_logprobs` keyed by token text holding the top alternatives plus the token itself, `text_offset`
 * the offset of each token in the returned text in UTF-16 code units (the texts before it, joined).
 */
export function completionLogprobs(entries: readonly CompletionToken[]): object {
  const tokens: string[] = [];
  const tokenLogprobs: Array<number | null> = [];
  const topLogprobs: Array<Record<string, number> | null> = [];
  const textOffset: number[] = [];
  let offset = 0;
  for (const entry of entries) {
    tokens.push(entry.text);
    textOffset.push(offset);
    offset += entry.text.length;
    if (entry.scored === undefined) {
      tokenLogprobs.push(null);
      topLogprobs.push(null);
      continue;
    }
    tokenLogprobs.push(entry.scored.logprob);
    // Two tokens with one text share a key: the more likely one keeps it, the token itself always does.
    const top = new Map<string, number>();
    for (const alternative of entry.scored.top) {
      if (!top.has(alternative.text)) top.set(alternative.text, alternative.logprob);
    }
    top.set(entry.text, entry.scored.logprob);
    topLogprobs.push(Object.fromEntries(top));
  }
  return { tokens, token_logprobs: tokenLogprobs, top_logprobs: topLogprobs, text_offset: textOffset };
}

/**
 * vLLM `prompt_logprobs`: one entry per prompt token, `null` for the first, otherwise a map from token id
 * to `{logprob, rank, decoded_token}` holding the prompt token and the top alternatives.
 */
export function promptLogprobs(
  scored: readonly TokenLogprob[],
): Array<Record<string, { logprob: number; rank: number; decoded_token: string }> | null> {
  return [
    null,
    ...scored.map((entry) => {
      const ranked: Record<string, { logprob: number; rank: number; decoded_token: string }> = {};
      entry.top.forEach((alternative, index) => {
        ranked[String(alternative.token)] = {
          logprob: alternative.logprob,
          rank: index + 1,
          decoded_token: alternative.text,
        };
      });
      const known = ranked[String(entry.token)];
      // The token's own rank is only known when it is among the alternatives; otherwise "below them".
      ranked[String(entry.token)] = known ?? {
        logprob: entry.logprob,
        rank: entry.top.length + 1,
        decoded_token: entry.text,
      };
      return ranked;
    }),
  ];
}

function parseMessage(value: unknown, index: number): ChatMessage {
  const param = `messages[${index}]`;
  if (typeof value !== 'object' || value === null) throw new BadRequest(`${param} must be an object`, param);
  const { role, content } = value as { role?: unknown; content?: unknown };
  if (role !== 'system' && role !== 'user' && role !== 'assistant' && role !== 'developer') {
    throw new BadRequest(`${param}.role must be system, developer, user or assistant`, `${param}.role`);
  }
  return {
    role: role === 'developer' ? 'system' : (role satisfies Role),
    content: contentText(content, param),
  };
}

function contentText(content: unknown, param: string): string {
  if (typeof content === 'string') return content;
  // The array form: only text parts can reach a text model.
  if (Array.isArray(content)) {
    return content
      .map((part: unknown) => {
        const { type, text } = (part ?? {}) as { type?: unknown; text?: unknown };
        if (type !== 'text' || typeof text !== 'string') {
          throw new BadRequest(`${param}.content: only text parts are supported`, `${param}.content`);
        }
        return text;
      })
      .join('');
  }
  throw new BadRequest(`${param}.content must be a string or an array of text parts`, `${param}.content`);
}

function parsePrompt(prompt: unknown): string | number[] {
  const single = Array.isArray(prompt) && prompt.length === 1 ? prompt[0] : prompt;
  if (typeof single === 'string') return single;
  if (Array.isArray(single) && single.length > 0 && single.every((token) => Number.isInteger(token))) {
    return single as number[];
  }
  throw new BadRequest('prompt must be a string or an array of token ids (one prompt per request)', 'prompt');
}

function parseSampling(
  body: Body,
  maxCompletionTokens: number | undefined,
  defaultMax?: number,
): SamplingParams {
  const maxTokens = optionalCount(body, 'max_tokens', Infinity) ?? maxCompletionTokens ?? defaultMax;
  const temperature = optionalNumber(body, 'temperature') ?? 0;
  const topP = optionalNumber(body, 'top_p') ?? 1;
  if (temperature < 0 || temperature > 2)
    throw new BadRequest('temperature must be from 0 to 2', 'temperature');
  if (!(topP > 0 && topP <= 1)) throw new BadRequest('top_p must be in (0, 1]', 'top_p');
  const seed = optionalNumber(body, 'seed') ?? 0;
  if (!Number.isInteger(seed)) throw new BadRequest('seed must be an integer', 'seed');
  return { maxTokens, temperature, topP, seed, stop: parseStop(body.stop) };
}

function parseStop(stop: unknown): string[] {
  if (stop === undefined || stop === null) return [];
  if (typeof stop === 'string') return [stop];
  if (Array.isArray(stop) && stop.every((item) => typeof item === 'string')) return stop as string[];
  throw new BadRequest('stop must be a string or an array of strings', 'stop');
}

function rejectUnsupported(body: Body): void {
  if (body.stream === true) throw new BadRequest('stream is not supported by phikit serve', 'stream');
  const n = body.n;
  if (n !== undefined && n !== null && n !== 1) throw new BadRequest('only n = 1 is supported', 'n');
}

function optionalBoolean(body: Body, key: string): boolean | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw new BadRequest(`${key} must be true or false`, key);
  return value;
}

function optionalNumber(body: Body, key: string): number | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value))
    throw new BadRequest(`${key} must be a number`, key);
  return value;
}

/** A whole number >= 0, at most `limit` (MAX_TOP_LOGPROBS unless told). */
function optionalCount(body: Body, key: string, limit = MAX_TOP_LOGPROBS): number | undefined {
  const value = optionalNumber(body, key);
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || value < 0 || value > limit) {
    throw new BadRequest(`${key} must be a whole number from 0 to ${limit}`, key);
  }
  return value;
}
