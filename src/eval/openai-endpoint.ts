// An OpenAI-compatible HTTP endpoint: Azure AI Foundry serverless (https://NAME.REGION.models.ai.azure.com),
// Azure OpenAI (https://RESOURCE.openai.azure.com + deployment + api-version), vLLM, llama.cpp server,
// or any /v1 base URL. Reference perplexity uses /completions with echo + logprobs (as vLLM serves it)
// on the prompt rendered with the chat template. Azure AI model inference endpoints (serverless:
// *.models.ai.azure.com, *.services.ai.azure.com, or `provider: 'azure-ai-inference'`) get the
// `extra-parameters: pass-through` header whenever a request carries logprobs.
import type { ChatMessage } from '../core/example.js';
import { loadTokenizer } from '../tokenize/load.js';
import { renderAroundAnswer, type PromptAround } from '../tokenize/chat.js';
import {
  EndpointError,
  type ChatAnswer,
  type ChatRequest,
  type Endpoint,
  type EndpointOptions,
  type EndpointSpec,
  type ReferenceScore,
} from '../core/endpoint.js';
import {
  AZURE_EXTRA_PARAMETERS,
  AZURE_PASS_THROUGH_HEADER,
  isExtraParameterRefusal,
  postJson,
} from './http.js';
import { EVAL_DEFAULTS } from './limits.js';
import type { PerplexityKind } from '../core/eval-types.js';

interface ChatCompletion {
  choices?: Array<{
    message?: { content?: string | null };
    logprobs?: { content?: Array<{ logprob: number }> | null } | null;
  }>;
  usage?: { prompt_tokens?: number; completion_tokens?: number };
}

interface Completion {
  choices?: Array<{
    logprobs?: { tokens?: string[]; token_logprobs?: Array<number | null>; text_offset?: number[] } | null;
  }>;
}

export class OpenAiEndpoint implements Endpoint {
  readonly name: string;
  readonly model: string;
  readonly location: string;
  private readonly chatUrl: string;
  private readonly completionsUrl: string | undefined;
  private readonly headers: Record<string, string>;
  private readonly options: EndpointOptions;
  /** Azure AI model inference (serverless): extra parameters need the pass-through header. */
  private readonly azureInference: boolean;
  private probeNote: string | undefined;

  constructor(spec: EndpointSpec, options: EndpointOptions) {
    this.name = spec.name;
    this.model = spec.model ?? '';
    this.options = options;
    const url = new URL(spec.url);
    this.location = `${url.origin}${url.pathname}`;
    this.azureInference =
      options.provider === 'azure-ai-inference' || /\.(models|services)\.ai\.azure\.com$/i.test(url.hostname);
    const azureOpenAi =
      url.hostname.endsWith('.openai.azure.com') || url.pathname.includes('/openai/deployments/');
    if (azureOpenAi) {
      const deployment = /\/openai\/deployments\/([^/]+)/.exec(url.pathname)?.[1] ?? this.model;
      const version =
        options.apiVersion ?? url.searchParams.get('api-version') ?? EVAL_DEFAULTS.azureApiVersion;
      const root = `${url.origin}/openai/deployments/${deployment}`;
      this.chatUrl = `${root}/chat/completions?api-version=${version}`;
      this.completionsUrl = undefined;
      this.headers = options.apiKey ? { 'api-key': options.apiKey } : {};
    } else {
      const base = `${url.origin}${url.pathname}`.replace(/\/+$/, '').replace(/\/chat\/completions$/, '');
      this.chatUrl = `${base}/chat/completions`;
      this.completionsUrl = `${base}/completions`;
      this.headers = options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {};
    }
  }

  private post(url: string, body: Record<string, unknown>, signal?: AbortSignal): Promise<unknown> {
    const passThrough = this.azureInference && AZURE_EXTRA_PARAMETERS.some((key) => key in body);
    return postJson(url, body, {
      headers: passThrough ? { ...this.headers, ...AZURE_PASS_THROUGH_HEADER } : this.headers,
      timeoutMs: this.options.timeoutMs ?? EVAL_DEFAULTS.timeoutMs,
      signal,
      fetch: this.options.fetch ?? fetch,
    });
  }

  private withModel(body: Record<string, unknown>): Record<string, unknown> {
    return this.model ? { model: this.model, ...body } : body;
  }

  /** The chat request body, also the basis of the cache key. */
  chatBody(request: ChatRequest): Record<string, unknown> {
    return this.withModel({
      messages: this.options.systemAsUser ? systemAsUser(request.messages) : request.messages,
      temperature: request.temperature,
      ...(request.maxTokens !== undefined ? { max_tokens: request.maxTokens } : {}),
      ...(request.seed !== undefined ? { seed: request.seed } : {}),
      ...(request.logprobs ? { logprobs: true } : {}),
    });
  }

  async probe(signal?: AbortSignal): Promise<PerplexityKind> {
    if (this.completionsUrl) {
      try {
        const completion = (await this.post(
          this.completionsUrl,
          this.withModel({
            prompt: 'The quick brown fox',
            max_tokens: 1,
            echo: true,
            logprobs: 1,
            temperature: 0,
          }),
          signal,
        )) as Completion;
        const logprobs = completion.choices?.[0]?.logprobs;
        if ((logprobs?.token_logprobs?.length ?? 0) >= 2 && logprobs?.text_offset) return 'reference';
      } catch {
        // No /completions with echo here: try chat logprobs.
      }
    }
    const probe: ChatRequest = {
      messages: [{ role: 'user', content: 'Say OK.' }],
      temperature: 0,
      maxTokens: 1,
      logprobs: true,
    };
    try {
      const answer = await this.chat(probe, signal);
      return answer.tokenLogprobs && answer.tokenLogprobs.length > 0 ? 'own-output' : 'none';
    } catch (error) {
      if (isExtraParameterRefusal(error)) await this.probeWithoutLogprobs(probe, error as Error, signal);
      return 'none';
    }
  }

  /** After a refusal of logprobs: the endpoint answers without them, and the report says why there is no perplexity. */
  private async probeWithoutLogprobs(
    probe: ChatRequest,
    refusal: Error,
    signal?: AbortSignal,
  ): Promise<void> {
    let answers = 'it answers without them';
    try {
      await this.chat({ ...probe, logprobs: false }, signal);
    } catch (error) {
      answers = `without them it failed too (${(error as Error).message})`;
    }
    this.probeNote = `own-output perplexity unavailable: the endpoint refused logprobs (${refusal.message}); ${answers}. Azure AI model inference takes logprobs only with the header extra-parameters: pass-through, which phikit sends to *.models.ai.azure.com and *.services.ai.azure.com, and to any URL with --provider azure-ai-inference`;
  }

  notes(): string[] {
    const notes = this.probeNote ? [this.probeNote] : [];
    if (this.azureInference) {
      notes.push(
        this.options.systemAsUser
          ? 'Azure AI serverless Phi models turn system messages into user messages; prompts were sent that way (--system-as-user: system text merged into the first user message)'
          : 'Azure AI serverless Phi models turn system messages into user messages, so this deployment saw the system prompt as user text; --system-as-user sends prompts that way',
      );
    }
    return notes;
  }

  async chat(request: ChatRequest, signal?: AbortSignal): Promise<ChatAnswer> {
    const completion = (await this.post(this.chatUrl, this.chatBody(request), signal)) as ChatCompletion;
    const choice = completion.choices?.[0];
    const text = choice?.message?.content;
    if (typeof text !== 'string') {
      throw new EndpointError('invalid_response', 'the answer has no choices[0].message.content');
    }
    const answer: ChatAnswer = { text };
    const logprobs = choice?.logprobs?.content;
    if (request.logprobs && Array.isArray(logprobs))
      answer.tokenLogprobs = logprobs.map((entry) => entry.logprob);
    if (completion.usage) {
      answer.usage = {
        promptTokens: completion.usage.prompt_tokens ?? 0,
        completionTokens: completion.usage.completion_tokens ?? 0,
      };
    }
    return answer;
  }

  async scoreReference(
    prompt: ChatMessage[],
    reference: string,
    signal?: AbortSignal,
  ): Promise<ReferenceScore> {
    if (!this.completionsUrl) throw new EndpointError('client_error', 'this endpoint has no /completions');
    const { prefix, suffix } = await renderAround(prompt, this.options.chatTemplate);
    const completion = (await this.post(
      this.completionsUrl,
      this.withModel({
        prompt: prefix + reference + suffix,
        max_tokens: 1,
        echo: true,
        logprobs: 0,
        temperature: 0,
      }),
      signal,
    )) as Completion;
    const logprobs = completion.choices?.[0]?.logprobs;
    const offsets = logprobs?.text_offset;
    const values = logprobs?.token_logprobs;
    if (!offsets || !values)
      throw new EndpointError('invalid_response', 'no prompt logprobs in the echo answer');
    // The reference's tokens: those that start inside it (the template's closing tokens are not scored).
    const start = prefix.length;
    const end = prefix.length + reference.length;
    let sumLogprob = 0;
    let tokens = 0;
    for (let i = 0; i < offsets.length; i++) {
      const offset = offsets[i]!;
      const value = values[i];
      if (offset >= start && offset < end && typeof value === 'number') {
        sumLogprob += value;
        tokens++;
      }
    }
    return { sumLogprob, tokens, bytes: Buffer.byteLength(reference, 'utf8') };
  }
}

/**
 * The prompt as serverless Phi deployments see it: the system messages' contents, in order, joined
 * by a blank line, then a blank line and the first user message's content, as that user message; no
 * system message left. Without a user message, the system text becomes one, where the first system
 * message was.
 */
export function systemAsUser(messages: readonly ChatMessage[]): ChatMessage[] {
  const system = messages.filter((message) => message.role === 'system').map((message) => message.content);
  if (system.length === 0) return [...messages];
  const text = system.join('\n\n');
  const firstUser = messages.findIndex((message) => message.role === 'user');
  const firstSystem = messages.findIndex((message) => message.role === 'system');
  return messages.flatMap((message, index): ChatMessage[] => {
    if (index === firstUser) return [{ ...message, content: `${text}\n\n${message.content}` }];
    if (message.role !== 'system') return [message];
    return firstUser === -1 && index === firstSystem ? [{ role: 'user', content: text }] : [];
  });
}

/** The prompt rendered with the chat template, split around where the assistant's answer goes. */
async function renderAround(prompt: ChatMessage[], chatTemplate?: string): Promise<PromptAround> {
  return renderAroundAnswer(await loadTokenizer(chatTemplate), prompt);
}
