// The one boundary between the evaluator and a model: what an `Endpoint` is and how its requests fail.
// A leaf, so backends (HTTP in eval/, local GGUF models in gguf/) implement it without importing each other.
import type { ChatMessage } from './example.js';
import type { ErrorKind, PerplexityKind } from './eval-types.js';

export interface ChatRequest {
  messages: ChatMessage[];
  temperature: number;
  maxTokens?: number;
  /** Ask for the generated tokens' log-probabilities (own-output perplexity). */
  logprobs: boolean;
  seed?: number;
}

export interface ChatAnswer {
  text: string;
  /** Log-probabilities of the generated tokens, when asked for and given. */
  tokenLogprobs?: number[];
  usage?: { promptTokens: number; completionTokens: number };
}

export interface ReferenceScore {
  sumLogprob: number;
  tokens: number;
  bytes: number;
}

export interface Endpoint {
  readonly name: string;
  readonly model: string;
  /** Where it is, for reports: never carries a key. */
  readonly location: string;
  /** Which perplexity the endpoint can give; asked once before a run. */
  probe(signal?: AbortSignal): Promise<PerplexityKind>;
  chat(request: ChatRequest, signal?: AbortSignal): Promise<ChatAnswer>;
  /** Teacher-forced log-probabilities of `reference` after `prompt` (only for `reference` endpoints). */
  scoreReference?(prompt: ChatMessage[], reference: string, signal?: AbortSignal): Promise<ReferenceScore>;
  /** What a reader of the results should know about this endpoint (after the probe), one sentence each. */
  notes?(): string[];
  close?(): Promise<void>;
}

/** A failed request, after or without retries. */
export class EndpointError extends Error {
  constructor(
    readonly kind: ErrorKind,
    message: string,
    readonly status?: number,
    /** Milliseconds the server asked us to wait (its retry-after header). */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'EndpointError';
  }

  get retryable(): boolean {
    return this.kind !== 'client_error' && this.kind !== 'invalid_response';
  }
}

export interface EndpointSpec {
  name: string;
  url: string;
  model?: string;
}

export interface EndpointOptions {
  /** The API key, read from the environment by the caller; never stored in results or reports. */
  apiKey?: string;
  /** Azure OpenAI api-version. */
  apiVersion?: string;
  /**
   * `azure-ai-inference`: treat the URL as an Azure AI model inference endpoint (serverless) even
   * when its host does not say so (proxies, custom domains); see eval/openai-endpoint.ts.
   */
  provider?: EndpointProvider;
  /** Send system content inside the first user message, as serverless Phi deployments see it. */
  systemAsUser?: boolean;
  /** Tokenizer/chat template spec used to render prompts for reference scoring over /completions. */
  chatTemplate?: string;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

export const ENDPOINT_PROVIDERS = ['azure-ai-inference'] as const;
export type EndpointProvider = (typeof ENDPOINT_PROVIDERS)[number];
