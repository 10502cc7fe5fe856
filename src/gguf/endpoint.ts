// The `gguf:PATH` evaluation backend: a local GGUF model as an `Endpoint` for `phikit eval`, with
// `reference` perplexity (teacher-forced scores of the reference answer). The model opens when the endpoint is made.
import { basename, resolve } from 'node:path';
import type { ChatMessage } from '../core/example.js';
import {
  EndpointError,
  type ChatAnswer,
  type ChatRequest,
  type Endpoint,
  type EndpointOptions,
  type EndpointSpec,
  type ReferenceScore,
} from '../core/endpoint.js';
import type { PerplexityKind } from '../core/eval-types.js';
import { loadTokenizer } from '../tokenize/load.js';
import { renderAroundAnswer } from '../tokenize/chat.js';
import { GgufModel, GgufRequestError, type GgufModelOptions } from './model.js';

export const GGUF_PREFIX = 'gguf:';

/** The backend of `--endpoint NAME=gguf:PATH.gguf` (see eval/endpoint.ts). */
export async function createGgufEndpoint(
  spec: EndpointSpec,
  options: EndpointOptions,
  modelOptions: GgufModelOptions = {},
): Promise<Endpoint> {
  const path = resolve(spec.url.slice(GGUF_PREFIX.length));
  const model = await GgufModel.open(path, modelOptions);
  // With --chat-template, prompts are rendered as the HTTP endpoints render them for reference scoring;
  // otherwise with the template in the GGUF file.
  const render = options.chatTemplate === undefined ? undefined : await phikitRenderer(options.chatTemplate);
  return new GgufEndpoint(spec, model, path, render);
}

type PromptRenderer = (prompt: ChatMessage[]) => string;

async function phikitRenderer(chatTemplate: string): Promise<PromptRenderer> {
  const tokenizer = await loadTokenizer(chatTemplate);
  return (prompt) => renderAroundAnswer(tokenizer, prompt).prefix;
}

class GgufEndpoint implements Endpoint {
  readonly name: string;
  readonly model: string;
  readonly location: string;

  constructor(
    spec: EndpointSpec,
    private readonly gguf: GgufModel,
    path: string,
    private readonly render: PromptRenderer | undefined,
  ) {
    this.name = spec.name;
    this.model = spec.model ?? basename(path).replace(/\.gguf$/i, '');
    this.location = `${GGUF_PREFIX}${path}`;
  }

  probe(): Promise<PerplexityKind> {
    return Promise.resolve('reference');
  }

  async chat(request: ChatRequest, signal?: AbortSignal): Promise<ChatAnswer> {
    signal?.throwIfAborted();
    const prompt = this.promptText(request.messages);
    const generation = await this.guard(() =>
      this.gguf.generate(this.gguf.tokenizeText(prompt), {
        maxTokens: request.maxTokens,
        temperature: request.temperature,
        seed: request.seed,
        ...(request.logprobs ? { topLogprobs: 0 } : {}),
      }),
    );
    return {
      text: generation.text,
      ...(generation.logprobs === undefined
        ? {}
        : { tokenLogprobs: generation.logprobs.map((entry) => entry.logprob) }),
      usage: { promptTokens: generation.promptTokens, completionTokens: generation.completionTokens },
    };
  }

  async scoreReference(
    prompt: ChatMessage[],
    reference: string,
    signal?: AbortSignal,
  ): Promise<ReferenceScore> {
    signal?.throwIfAborted();
    const score = await this.guard(() => this.gguf.scoreContinuation(this.promptText(prompt), reference));
    return { sumLogprob: score.sumLogprob, tokens: score.tokens, bytes: score.bytes };
  }

  close(): Promise<void> {
    return this.gguf.dispose();
  }

  private promptText(messages: ChatMessage[]): string {
    return this.render === undefined ? this.gguf.renderChatText(messages) : this.render(messages);
  }

  /** A request the model cannot take (too long) is that example's error; the run goes on. */
  private async guard<T>(task: () => Promise<T>): Promise<T> {
    try {
      return await task();
    } catch (error) {
      if (error instanceof GgufRequestError) throw new EndpointError('client_error', error.message);
      throw error;
    }
  }
}
