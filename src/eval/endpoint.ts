// The one boundary between the evaluator and a model: an `Endpoint`. `createEndpoint` picks a
// backend by the URL's prefix; HTTP URLs speak the OpenAI protocol (src/eval/openai-endpoint.ts),
// other backends (e.g. `gguf:` local models) register themselves.
import type { ChatMessage } from '../core/example.js';
import { PhikitError } from '../core/errors.js';
import type { ErrorKind, PerplexityKind } from './types.js';

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
    /** Seconds the server asked us to wait (retry-after). */
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
   * when its host does not say so (proxies, custom domains); see openai-endpoint.ts.
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

export type EndpointFactory = (spec: EndpointSpec, options: EndpointOptions) => Promise<Endpoint>;

const backends = new Map<string, EndpointFactory>();

/** Lets a backend claim URLs that start with `prefix` (e.g. `gguf:`). */
export function registerEndpointBackend(prefix: string, factory: EndpointFactory): void {
  backends.set(prefix, factory);
}

/** `NAME=URL` from the command line. */
export function parseEndpointSpec(text: string): EndpointSpec {
  const at = text.indexOf('=');
  if (at <= 0 || at === text.length - 1) {
    throw new PhikitError(
      'USAGE',
      `--endpoint must be NAME=URL (got "${text}")`,
      'e.g. --endpoint base=http://127.0.0.1:8000/v1',
    );
  }
  const spec = { name: text.slice(0, at), url: text.slice(at + 1) };
  if (isHttpUrl(spec.url) && !URL.canParse(spec.url)) {
    throw new PhikitError(
      'USAGE',
      `--endpoint ${spec.name}: "${spec.url}" is not a valid URL`,
      'e.g. --endpoint base=http://127.0.0.1:8000/v1',
    );
  }
  return spec;
}

function isHttpUrl(url: string): boolean {
  return /^https?:\/\//i.test(url);
}

export async function createEndpoint(spec: EndpointSpec, options: EndpointOptions): Promise<Endpoint> {
  // The local-model backend registers itself on first use (node-llama-cpp loads only then).
  if (spec.url.startsWith('gguf:') && !backends.has('gguf:')) {
    (await import('../gguf/endpoint.js')).registerGgufEndpoint();
  }
  for (const [prefix, factory] of backends) if (spec.url.startsWith(prefix)) return factory(spec, options);
  if (isHttpUrl(spec.url)) {
    if (!URL.canParse(spec.url)) {
      throw new PhikitError(
        'USAGE',
        `endpoint "${spec.name}": "${spec.url}" is not a valid URL`,
        'give the base URL of an OpenAI-compatible server, e.g. http://127.0.0.1:8000/v1',
      );
    }
    const { OpenAiEndpoint } = await import('./openai-endpoint.js');
    return new OpenAiEndpoint(spec, options);
  }
  throw new PhikitError(
    'USAGE',
    `endpoint "${spec.name}": unsupported URL "${spec.url}"`,
    `use an http(s) URL of an OpenAI-compatible server${backends.size > 0 ? ` or ${[...backends.keys()].join(', ')}PATH` : ''}`,
  );
}
