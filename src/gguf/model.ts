// A local GGUF model behind node-llama-cpp: chat-template rendering, generation, and teacher-forced
// log-probabilities. One context with one sequence per model; requests take turns (memory: one KV cache).
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { ChatHistoryItem, ChatWrapper, LlamaContextSequence, LlamaModel, Token } from 'node-llama-cpp';
import type { ChatMessage } from '../core/example.js';
import { PhikitError } from '../core/errors.js';
import { gpt2PieceBytes, IncrementalDetokenizer, type TokenPieces } from './detokenize.js';
import { getCpuLlama, loadNodeLlamaCpp } from './load.js';
import { logprobFromFilteredLogits, logSoftmax, type TokenLogprob } from './logprobs.js';
import { chooseToken } from './sampling.js';

export interface GgufModelOptions {
  /** Context window in tokens (default: the model's training context, at most 4096). */
  contextSize?: number;
  /** A Jinja chat template that replaces the one in the GGUF metadata (or stands in when it has none). */
  chatTemplate?: string;
  /**
   * CPU threads for llama.cpp. Default: 1 for models under 64 MiB (for them, syncing threads costs more
   * than the math: 20 greedy steps of stories260K took 10 ms on one thread, 1.2 s on two busy cores),
   * otherwise node-llama-cpp's choice (the math cores).
   */
  threads?: number;
}

export interface GenerateOptions {
  /** Most tokens to generate (default: until the context is full). */
  maxTokens?: number;
  /** 0 (default) is greedy decoding. */
  temperature?: number;
  topP?: number;
  seed?: number;
  /** Generation stops before the first occurrence of any of these strings. */
  stop?: readonly string[];
  /** Alternatives to report per generated token; undefined reports no logprobs. */
  topLogprobs?: number;
  /** Stops generation before the next token once aborted (rejecting with its reason): the caller is gone. */
  signal?: AbortSignal;
}

export interface Generation {
  text: string;
  /** The generated tokens, an end-of-generation token left out. */
  tokens: Token[];
  finishReason: 'stop' | 'length';
  promptTokens: number;
  completionTokens: number;
  /** Present when `topLogprobs` was asked for: one entry per generated token (raw model distribution). */
  logprobs?: TokenLogprob[];
}

/** Teacher-forced score of a reference answer given a prompt. */
export interface ContinuationScore {
  /** Σ natural-log probabilities of the reference tokens. */
  sumLogprob: number;
  tokens: number;
  /** UTF-8 bytes of the reference text (for bits per byte). */
  bytes: number;
  /** Tokens before the first scored one: the prompt's, less a last one that merged with the reference's start. */
  promptTokens: number;
  perToken: TokenLogprob[];
}

/** A request this model cannot serve (too long for the context, empty): the caller's data, not a broken run. */
export class GgufRequestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GgufRequestError';
  }
}

const DEFAULT_MAX_CONTEXT = 4096;
const TINY_MODEL_BYTES = 64 * 1024 * 1024;
/** Characters of margin around a cut in the detokenized text (a character may span tokens). */
const TEXT_WINDOW = 8;

export class GgufModel {
  /** A short name for the model: the file name without `.gguf`. */
  readonly name: string;
  readonly contextSize: number;
  /** Which chat wrapper renders prompts (e.g. `JinjaTemplate`, `Llama2Chat`). */
  readonly chatWrapperName: string;
  private queue: Promise<unknown> = Promise.resolve();
  private disposed = false;
  private pieces: TokenPieces | undefined;

  private constructor(
    readonly path: string,
    private readonly model: LlamaModel,
    private readonly sequence: LlamaContextSequence,
    private readonly chatWrapper: ChatWrapper,
  ) {
    this.name = basename(path).replace(/\.gguf$/i, '');
    this.contextSize = sequence.contextSize;
    this.chatWrapperName = chatWrapper.wrapperName;
  }

  static async open(path: string, options: GgufModelOptions = {}): Promise<GgufModel> {
    const info = await stat(path).catch(() => undefined);
    if (!info?.isFile()) {
      throw new PhikitError(
        'INPUT_NOT_FOUND',
        `GGUF model not found: ${path}`,
        'pass the path of a .gguf file',
      );
    }
    const nodeLlamaCpp = await loadNodeLlamaCpp();
    const llama = await getCpuLlama();
    let model: LlamaModel;
    try {
      model = await llama.loadModel({ modelPath: path, gpuLayers: 0 });
    } catch (error) {
      throw new PhikitError(
        'INPUT_UNREADABLE',
        `llama.cpp could not load ${path}: ${error instanceof Error ? error.message : String(error)}`,
        'check that the file is a complete GGUF model (v2 or v3) of an architecture llama.cpp supports',
        { cause: error },
      );
    }
    const contextSize = Math.min(options.contextSize ?? DEFAULT_MAX_CONTEXT, model.trainContextSize);
    const threads = options.threads ?? (info.size < TINY_MODEL_BYTES ? 1 : undefined);
    const context = await model.createContext({
      contextSize,
      sequences: 1,
      ...(threads === undefined ? {} : { threads }),
    });
    const chatWrapper =
      options.chatTemplate === undefined
        ? nodeLlamaCpp.resolveChatWrapper(model, { warningLogs: false })
        : new nodeLlamaCpp.JinjaTemplateChatWrapper({ template: options.chatTemplate });
    return new GgufModel(path, model, context.getSequence(), chatWrapper);
  }

  /** The vocabulary's beginning-of-sequence token, when the model wants it prepended. */
  get bosToken(): Token | undefined {
    const bos = this.model.tokens.bos;
    return this.model.tokens.shouldPrependBosToken && bos !== null ? bos : undefined;
  }

  get vocabularySize(): number {
    return this.model.fileInfo.metadata.tokenizer.ggml.tokens.length;
  }

  /**
   * Tokens of raw text, as llama.cpp's server reads a prompt: special-token strings are parsed, and BOS is
   * prepended when the model asks for it (`model.tokenize()` never adds it: scores without it are wrong).
   */
  tokenizeText(text: string): Token[] {
    return this.withBos(this.model.tokenize(text, true));
  }

  /** A token's text, special tokens shown as their strings. */
  tokenText(token: Token): string {
    return this.model.detokenize([token], true);
  }

  /** Text of generated tokens, special tokens left out. */
  detokenize(tokens: readonly Token[]): string {
    return this.model.detokenize(tokens, false);
  }

  /**
   * The chat rendered with the model's template, ending where the assistant's answer starts (or, with
   * `answer`, followed by that answer), as tokens of the whole rendered string: training and servers
   * (vLLM, llama.cpp) tokenize the rendered text in one piece, special-token strings parsed. BOS as for
   * `tokenizeText`.
   */
  renderChat(messages: readonly ChatMessage[], answer?: string): Token[] {
    return this.tokenizeText(this.renderChatText(messages) + (answer ?? ''));
  }

  /** The rendered chat prompt as text, special tokens as their strings (BOS left to `tokenizeText`). */
  renderChatText(messages: readonly ChatMessage[]): string {
    const history: ChatHistoryItem[] = messages.map((message) =>
      message.role === 'assistant'
        ? { type: 'model', response: [message.content] }
        : { type: message.role, text: message.content },
    );
    history.push({ type: 'model', response: [] });
    const { contextText } = this.chatWrapper.generateContextState({ chatHistory: history });
    const bos = this.model.tokens.bos;
    return contextText.values
      .map((value, index) => {
        if (typeof value === 'string') return value;
        const tokens = value.tokenize(this.model.tokenizer);
        // A leading BOS is added (once) by tokenizeText when the model wants it.
        if (index === 0 && tokens.length === 1 && tokens[0] === bos) return '';
        return this.model.detokenize(tokens, true);
      })
      .join('');
  }

  /**
   * A detokenizer that gives the text each token adds, computed over bytes: the texts of a token sequence join
   * to its text, and a character split over byte tokens goes to the token that completes it.
   */
  detokenizer(): IncrementalDetokenizer {
    this.pieces ??= this.readPieces();
    return new IncrementalDetokenizer(this.pieces);
  }

  /**
   * Teacher-forced log-probabilities of `tokens[from..]`, each given every token before it, with the
   * `top` most likely alternatives at each position. `from` must be at least 1 (the first token has no context).
   */
  async scoreTokens(tokens: readonly Token[], from: number, top = 0): Promise<TokenLogprob[]> {
    if (from < 1) throw new RangeError('scoreTokens: from must be >= 1');
    this.assertFits(tokens.length);
    return this.exclusive(async () => {
      await this.sequence.clearHistory();
      const results = await this.sequence.controlledEvaluate(
        tokens.map((token, index) => {
          const next = tokens[index + 1];
          if (index < from - 1 || next === undefined) return token;
          return [token, { generateNext: scoringRequest(next, top) }];
        }),
      );
      const scored: TokenLogprob[] = [];
      for (let index = from; index < tokens.length; index += 1) {
        const output = results[index - 1]?.next;
        const token = tokens[index]!;
        if (output?.logits === undefined || output.totalLogitWeight === undefined) {
          throw new PhikitError('INTERNAL', `llama.cpp returned no logits for position ${index}`);
        }
        scored.push(this.describe(token, output.logits, output.totalLogitWeight, top));
      }
      return scored;
    });
  }

  /** Teacher-forced score of `reference` as the assistant's answer to `prompt` (every message before it). */
  scoreReference(prompt: readonly ChatMessage[], reference: string, top = 0): Promise<ContinuationScore> {
    return this.scoreContinuation(this.renderChatText(prompt), reference, top);
  }

  /** Teacher-forced score of `reference` as the continuation of an already rendered prompt text. */
  async scoreContinuation(promptText: string, reference: string, top = 0): Promise<ContinuationScore> {
    const promptTokens = this.tokenizeText(promptText);
    const fullTokens = this.tokenizeText(promptText + reference);
    // The reference's tokens are those after the longest common prefix with the prompt alone
    // (a token that straddles the boundary counts as the reference's: it holds reference bytes).
    const from = Math.max(1, commonPrefixLength(promptTokens, fullTokens));
    const bytes = Buffer.byteLength(reference, 'utf8');
    if (from >= fullTokens.length)
      return { sumLogprob: 0, tokens: 0, bytes, promptTokens: from, perToken: [] };
    const perToken = await this.scoreTokens(fullTokens, from, top);
    const sumLogprob = perToken.reduce((sum, entry) => sum + entry.logprob, 0);
    return { sumLogprob, tokens: perToken.length, bytes, promptTokens: from, perToken };
  }

  /** The assistant's answer to a chat, rendered with the model's template. */
  chat(messages: readonly ChatMessage[], options: GenerateOptions = {}): Promise<Generation> {
    return this.generate(this.renderChat(messages), options);
  }

  /** Continues `prompt` token by token until an end-of-generation token, a stop string or the limit. */
  async generate(prompt: readonly Token[], options: GenerateOptions = {}): Promise<Generation> {
    if (prompt.length === 0) throw new GgufRequestError('the prompt is empty');
    this.assertFits(prompt.length + 1);
    const room = this.contextSize - prompt.length;
    const maxTokens = Math.min(options.maxTokens ?? room, room);
    const temperature = options.temperature ?? 0;
    const stop = (options.stop ?? []).filter((text) => text.length > 0);
    const top = options.topLogprobs ?? 0;
    return this.exclusive(async () => {
      await this.sequence.clearHistory();
      const generated: Token[] = [];
      const logprobs: TokenLogprob[] = [];
      let finishReason: Generation['finishReason'] = 'length';
      let stopAt: number | undefined;
      let input: Token[] = [...prompt];
      while (generated.length < maxTokens) {
        options.signal?.throwIfAborted();
        const last = input.length - 1;
        // Greedy needs only the chosen token's logit; sampling needs the whole distribution.
        const generateNext = temperature > 0 ? { logits: true as const } : scoringRequest(undefined, top);
        const results = await this.sequence.controlledEvaluate(
          input.map((token, index) => (index === last ? [token, { generateNext }] : token)),
        );
        const output = results[last]?.next;
        if (output?.logits === undefined) throw new PhikitError('INTERNAL', 'llama.cpp returned no logits');
        let token: Token;
        let entry: TokenLogprob;
        if (temperature > 0) {
          const distribution = logSoftmax(output.logits);
          token = chooseToken(
            distribution,
            { temperature, topP: options.topP ?? 1, seed: options.seed ?? 0 },
            generated.length,
          ) as Token;
          entry = this.describeDistribution(token, distribution, top);
        } else {
          token = output.token ?? (output.logits.keys().next().value as Token);
          entry = this.describe(token, output.logits, output.totalLogitWeight ?? Number.NaN, top);
        }
        if (this.model.isEogToken(token)) {
          finishReason = 'stop';
          break;
        }
        generated.push(token);
        logprobs.push(entry);
        stopAt = this.stopInText(generated, stop);
        if (stopAt !== undefined) {
          finishReason = 'stop';
          break;
        }
        input = [token];
      }
      const text = this.detokenize(generated);
      return {
        text: stopAt === undefined ? text : text.slice(0, stopAt),
        tokens: generated,
        finishReason,
        promptTokens: prompt.length,
        completionTokens: generated.length,
        ...(options.topLogprobs === undefined ? {} : { logprobs }),
      };
    });
  }

  /**
   * Where the first stop string starts in the text of `generated`, once the newest token completes one.
   * A new occurrence overlaps the newest token's text, so only a tail is detokenized each step (the
   * whole text only when the tail holds a stop string): linear in the answer, not quadratic.
   */
  private stopInText(generated: readonly Token[], stop: readonly string[]): number | undefined {
    if (stop.length === 0) return undefined;
    const longest = Math.max(...stop.map((text) => text.length));
    const newest = this.detokenize(generated.slice(-1)).length;
    // The tail's first characters can differ from the whole text's (a leading space dropped, a
    // character split across the cut): TEXT_WINDOW characters of margin.
    const tailChars = longest + newest + TEXT_WINDOW;
    let count = Math.min(generated.length, tailChars);
    let tail = this.detokenize(generated.slice(-count));
    while (tail.length < tailChars && count < generated.length) {
      count = Math.min(generated.length, count * 2);
      tail = this.detokenize(generated.slice(-count));
    }
    return firstStop(tail, stop) === undefined ? undefined : firstStop(this.detokenize(generated), stop);
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.queue.catch(() => undefined);
    await this.model.dispose();
  }

  private describe(
    token: Token,
    logits: ReadonlyMap<Token, number>,
    totalLogitWeight: number,
    top: number,
  ): TokenLogprob {
    const alternatives = [...logits.keys()].slice(0, top).map((candidate) => ({
      token: candidate,
      text: this.tokenText(candidate),
      logprob: logprobFromFilteredLogits(logits, candidate, totalLogitWeight),
    }));
    return {
      token,
      text: this.tokenText(token),
      logprob: logprobFromFilteredLogits(logits, token, totalLogitWeight),
      top: alternatives,
    };
  }

  private describeDistribution(
    token: Token,
    logprobs: ReadonlyMap<number, number>,
    top: number,
  ): TokenLogprob {
    const ranked = top > 0 ? [...logprobs].sort((a, b) => b[1] - a[1]).slice(0, top) : [];
    return {
      token,
      text: this.tokenText(token),
      logprob: logprobs.get(token) ?? Number.NEGATIVE_INFINITY,
      top: ranked.map(([candidate, logprob]) => ({
        token: candidate,
        text: this.tokenText(candidate as Token),
        logprob,
      })),
    };
  }

  /** Token bytes from the vocabulary: llama.cpp's strings lose the bytes of a split character (U+FFFD). */
  private readPieces(): TokenPieces {
    const vocabulary = this.model.fileInfo.metadata.tokenizer.ggml;
    const cache = new Map<number, Uint8Array>();
    const pieceBytes = (token: number): Uint8Array => {
      const attributes = this.model.getTokenAttributes(token as Token);
      const piece = vocabulary.tokens[token] ?? '';
      const byte = /^<0x([0-9A-Fa-f]{2})>$/.exec(piece);
      if (attributes.byte && byte !== null) return Uint8Array.of(Number.parseInt(byte[1]!, 16));
      if (attributes.normal && vocabulary.model === 'llama') {
        return Buffer.from(piece.replaceAll('\u2581', ' '), 'utf8');
      }
      if (attributes.normal && vocabulary.model === 'gpt2') return gpt2PieceBytes(piece);
      // Control, user-defined and unknown tokens, and other vocabularies: llama.cpp's own text.
      return Buffer.from(this.tokenText(token as Token), 'utf8');
    };
    const probe = this.model.tokenize('a');
    return {
      bytes: (token) => {
        let bytes = cache.get(token);
        if (bytes === undefined) cache.set(token, (bytes = pieceBytes(token)));
        return bytes;
      },
      isSpecial: (token) => {
        const attributes = this.model.getTokenAttributes(token as Token);
        return attributes.control || attributes.userDefined;
      },
      // A tokenizer that adds a space prefix turns "a" into " a".
      spacePrefix: probe.length > 0 && pieceBytes(probe[0]!)[0] === 0x20,
    };
  }

  private withBos(tokens: Token[]): Token[] {
    const bos = this.bosToken;
    return bos === undefined || tokens[0] === bos ? tokens : [bos, ...tokens];
  }

  private assertFits(length: number): void {
    if (length > this.contextSize) {
      throw new GgufRequestError(
        `${length} tokens do not fit the ${this.contextSize}-token context of ${this.name}`,
      );
    }
  }

  /** Runs `task` after every earlier one: the single sequence serves one request at a time. */
  private exclusive<T>(task: () => Promise<T>): Promise<T> {
    if (this.disposed) return Promise.reject(new PhikitError('INTERNAL', `${this.name} is disposed`));
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => undefined);
    return run;
  }
}

/**
 * What controlledEvaluate returns at a scored position: the logits of `next` and of the greedy choice (the
 * argmax: its logit is the max), plus `totalLogitWeight` to normalize, without copying the vocabulary into JS.
 * `includeTop` sorts the whole vocabulary (5x slower on a 32,000-token one), so it is asked only for
 * alternatives; `includeMax` is not used: in 3.22.1 it leaves the max token out of the map.
 */
function scoringRequest(next: Token | undefined, top: number) {
  return {
    token: true,
    logits: {
      filter: { tokens: next === undefined ? [] : [next], includeSelected: true, includeTop: top },
    },
    totalLogitWeight: true,
  };
}

export function commonPrefixLength<T>(a: readonly T[], b: readonly T[]): number {
  let index = 0;
  while (index < a.length && index < b.length && a[index] === b[index]) index += 1;
  return index;
}

function firstStop(text: string, stop: readonly string[]): number | undefined {
  let cut: number | undefined;
  for (const candidate of stop) {
    const at = text.indexOf(candidate);
    if (at !== -1 && (cut === undefined || at < cut)) cut = at;
  }
  return cut;
}
