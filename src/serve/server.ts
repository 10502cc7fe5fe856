// `phikit serve`: a local GGUF model as an OpenAI-compatible HTTP server (/v1/models, /v1/chat/completions,
// /v1/completions), so any OpenAI client can get logprobs, and teacher-forced prompt logprobs as vLLM gives them.
// Binds 127.0.0.1 unless told otherwise. Memory: at most maxQueue + 1 request bodies of maxBodyBytes each.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Token } from 'node-llama-cpp';
import { PhikitError } from '../core/errors.js';
import type { TokenLogprob } from '../gguf/logprobs.js';
import { GgufRequestError, type GgufModel } from '../gguf/model.js';
import { checkDeclaredLength, readJsonBody } from './body.js';
import {
  BadRequest,
  Forbidden,
  HttpError,
  MethodNotAllowed,
  NotFound,
  ServiceUnavailable,
} from './http-errors.js';
import {
  asBody,
  chatLogprobs,
  type ChatRequest,
  completionLogprobs,
  type CompletionRequest,
  type CompletionToken,
  parseChatRequest,
  parseCompletionRequest,
  promptLogprobs,
} from './openai.js';
import { checkOrigin, corsHeaders, LOOPBACK_NAMES, normalizeOrigin, preflightHeaders } from './origin.js';
import { ClientGone, RequestQueue, type QueueStats } from './queue.js';

export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 8080;
export const DEFAULT_MAX_QUEUE = 64;
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
const RETRY_AFTER_SECONDS = 1;

export interface ServeOptions {
  /** Interface to bind (default 127.0.0.1). Anything else is the caller's explicit choice. */
  host?: string;
  /** Port (default 8080; 0 picks a free one). */
  port?: number;
  /** The model id clients see (default: the file name without .gguf). */
  modelId?: string;
  /** Requests that may wait besides the one being answered (default 64); more get 503 with Retry-After. */
  maxQueue?: number;
  /** Largest request body in bytes (default 1 MiB); a larger one gets 413 before it is read through. */
  maxBodyBytes?: number;
  /** Web origins (`http://localhost:3000`) whose pages may call the server, answered with CORS headers. */
  allowOrigins?: readonly string[];
}

export interface RunningServer {
  /** Base URL for OpenAI clients, ending in /v1. */
  baseUrl: string;
  host: string;
  port: number;
  /** Queue counters: requests in progress, work completed, skipped or aborted for gone clients, refused. */
  stats(): QueueStats;
  close(): Promise<void>;
}

/** Starts serving `model`; the returned server stops with `close()` (the model stays open: the caller owns it). */
export async function serveModel(model: GgufModel, options: ServeOptions = {}): Promise<RunningServer> {
  const host = options.host ?? DEFAULT_HOST;
  const modelId = options.modelId ?? model.name;
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const allowedHostNames = hostNamesFor(host);
  const allowedOrigins = new Set((options.allowOrigins ?? []).map(normalizeOrigin));
  const queue = new RequestQueue(options.maxQueue ?? DEFAULT_MAX_QUEUE);
  const created = Math.floor(Date.now() / 1000);
  let port = 0;
  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => sendError(response, error));
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    // A browser page on another site could reach 127.0.0.1 through a name it controls (DNS rebinding):
    // only names of the bound interface are answered.
    if (allowedHostNames !== undefined && !allowedHostNames.has(hostName(request.headers.host))) {
      throw new Forbidden(`host ${request.headers.host ?? '(none)'} is not served here`, {
        code: 'host_not_allowed',
      });
    }
    const corsOrigin = checkOrigin(request, {
      allowed: allowedOrigins,
      port,
      loopback: allowedHostNames !== undefined,
    });
    if (corsOrigin !== undefined) setHeaders(response, corsHeaders(corsOrigin));
    if (request.method === 'OPTIONS') {
      if (corsOrigin !== undefined) setHeaders(response, preflightHeaders(request));
      response.writeHead(204, { allow: 'GET, POST, OPTIONS' }).end();
      return;
    }
    const path = new URL(request.url ?? '/', 'http://localhost').pathname.replace(/\/+$/, '');
    if (request.method === 'GET' && (path === '/v1/models' || path === '/models')) {
      return sendJson(response, 200, {
        object: 'list',
        data: [
          { id: modelId, object: 'model', created, owned_by: 'phikit', max_model_len: model.contextSize },
        ],
      });
    }
    if (request.method === 'GET' && path === '/health') return sendJson(response, 200, { status: 'ok' });
    const route = ROUTES[path];
    if (route === undefined) throw new NotFound(`no route for ${request.method ?? ''} ${path}`);
    if (request.method !== 'POST') throw new MethodNotAllowed(`${path} takes POST`, ['POST', 'OPTIONS']);
    checkDeclaredLength(request, maxBodyBytes);
    if (!queue.admit()) {
      throw new ServiceUnavailable(
        'phikit serve is busy: too many requests are waiting (phikit serve --max-queue)',
        RETRY_AFTER_SECONDS,
      );
    }
    try {
      const signal = goneSignal(response);
      const work = route(asBody(await readJsonBody(request, maxBodyBytes)));
      const answer = await queue.run(signal, () => work(model, modelId, signal));
      sendJson(response, 200, answer);
    } finally {
      queue.leave();
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? DEFAULT_PORT, host, () => {
      server.off('error', reject);
      resolve();
    });
  }).catch((error: unknown) => {
    throw new PhikitError(
      'ENDPOINT_UNAVAILABLE',
      `cannot listen on ${host}:${options.port ?? DEFAULT_PORT}: ${error instanceof Error ? error.message : String(error)}`,
      'choose another --port (0 picks a free one) or --host',
      { cause: error },
    );
  });
  const address = server.address() as AddressInfo;
  port = address.port;
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    baseUrl: `http://${urlHost}:${address.port}/v1`,
    host: address.address,
    port: address.port,
    stats: () => queue.stats(),
    close: () => closeServer(server),
  };
}

/** Aborts when the connection closes before the response is sent: the client has gone. */
function goneSignal(response: ServerResponse): AbortSignal {
  const controller = new AbortController();
  response.once('close', () => {
    if (!response.writableFinished) controller.abort(new ClientGone());
  });
  return controller.signal;
}

function setHeaders(response: ServerResponse, headers: Record<string, string>): void {
  for (const [name, value] of Object.entries(headers)) response.setHeader(name, value);
}

/** The model's part of a request, run at its turn; `signal` aborts when the client has gone. */
type Work = (model: GgufModel, modelId: string, signal: AbortSignal) => Promise<object>;
/** Parses a body (400s come at once, without waiting in the queue) into the work it asks for. */
type Route = (body: Record<string, unknown>) => Work;

const chatRoute: Route = (body) => {
  const request = parseChatRequest(body);
  return (model, modelId, signal) => chatCompletion(model, modelId, request, signal);
};
const completionRoute: Route = (body) => {
  const request = parseCompletionRequest(body);
  return (model, modelId, signal) => completion(model, modelId, request, signal);
};

const ROUTES: Record<string, Route> = {
  '/v1/chat/completions': chatRoute,
  '/chat/completions': chatRoute,
  '/v1/completions': completionRoute,
  '/completions': completionRoute,
};

async function chatCompletion(
  model: GgufModel,
  modelId: string,
  request: ChatRequest,
  signal: AbortSignal,
): Promise<object> {
  const last = request.messages[request.messages.length - 1]!;
  const prompt = request.continueFinalMessage
    ? model.renderChat(request.messages.slice(0, -1), last.content)
    : model.renderChat(request.messages);
  const scoredPrompt =
    request.promptLogprobs === undefined
      ? undefined
      : await model.scoreTokens(prompt, 1, request.promptLogprobs);
  signal.throwIfAborted();
  const generation = await model.generate(prompt, {
    maxTokens: request.maxTokens,
    temperature: request.temperature,
    topP: request.topP,
    seed: request.seed,
    stop: request.stop,
    topLogprobs: request.topLogprobs,
    signal,
  });
  return {
    id: `chatcmpl-${randomUUID()}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: modelId,
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: generation.text },
        logprobs: generation.logprobs === undefined ? null : chatLogprobs(generation.logprobs),
        finish_reason: generation.finishReason,
      },
    ],
    usage: usage(generation.promptTokens, generation.completionTokens),
    ...(scoredPrompt === undefined ? {} : { prompt_logprobs: promptLogprobs(scoredPrompt) }),
  };
}

async function completion(
  model: GgufModel,
  modelId: string,
  request: CompletionRequest,
  signal: AbortSignal,
): Promise<object> {
  const prompt = typeof request.prompt === 'string' ? model.tokenizeText(request.prompt) : request.prompt;
  if (prompt.some((token) => token < 0 || token >= model.vocabularySize)) {
    throw new BadRequest(`token ids must be from 0 to ${model.vocabularySize - 1}`, 'prompt');
  }
  const promptTokens = prompt as Token[];
  // Teacher-forced prompt logprobs are needed for echo + logprobs (vLLM) and for prompt_logprobs.
  const alternatives = Math.max(request.logprobs ?? -1, request.promptLogprobs ?? -1);
  const needPromptScores = alternatives >= 0 && (request.echo || request.promptLogprobs !== undefined);
  const scoredPrompt = needPromptScores ? await model.scoreTokens(promptTokens, 1, alternatives) : undefined;
  signal.throwIfAborted();
  const generation = await model.generate(promptTokens, {
    maxTokens: request.maxTokens,
    temperature: request.temperature,
    topP: request.topP,
    seed: request.seed,
    stop: request.stop,
    topLogprobs: request.logprobs,
    signal,
  });
  const top = request.logprobs ?? 0;
  const promptScores = trimTop(scoredPrompt ?? [], top);
  const generatedScores = trimTop(generation.logprobs ?? [], top);
  const texts = completionTexts(model, request.prompt, promptTokens, generation.tokens, (index) =>
    index < promptTokens.length ? promptScores[index - 1] : generatedScores[index - promptTokens.length],
  );
  const promptText =
    typeof request.prompt === 'string' ? request.prompt : joinTexts(texts.slice(0, promptTokens.length));
  const generatedText = cutAtStop(joinTexts(texts.slice(promptTokens.length)), request.stop);
  const logprobs =
    request.logprobs === undefined
      ? null
      : completionLogprobs(request.echo ? texts : texts.slice(promptTokens.length));
  return {
    id: `cmpl-${randomUUID()}`,
    object: 'text_completion',
    created: Math.floor(Date.now() / 1000),
    model: modelId,
    choices: [
      {
        index: 0,
        text: request.echo ? promptText + generatedText : generatedText,
        logprobs,
        finish_reason: generation.finishReason,
        ...(request.promptLogprobs === undefined
          ? {}
          : { prompt_logprobs: promptLogprobs(trimTop(scoredPrompt ?? [], request.promptLogprobs)) }),
      },
    ],
    usage: usage(generation.promptTokens, generation.completionTokens),
  };
}

/**
 * Each token's text in the returned text, by incremental detokenization over bytes, and its score (`scoreAt(i)`,
 * none for token 0) with the alternatives' texts in the same place. A leading BOS the text leaves out (the server
 * added it, or the prompt is token ids) and generated special tokens add no text, as in vLLM.
 */
function completionTexts(
  model: GgufModel,
  prompt: string | number[],
  promptTokens: readonly Token[],
  generatedTokens: readonly Token[],
  scoreAt: (index: number) => TokenLogprob | undefined,
): CompletionToken[] {
  const bos = model.bosToken;
  const bosHidden =
    bos !== undefined &&
    promptTokens[0] === bos &&
    !(typeof prompt === 'string' && prompt.startsWith(model.tokenText(bos)));
  const detokenizer = model.detokenizer();
  const entries = [...promptTokens, ...generatedTokens].map((token, index): CompletionToken => {
    const hidden = index === 0 ? bosHidden : index >= promptTokens.length && detokenizer.isSpecial(token);
    const scored = scoreAt(index);
    const top = scored?.top.map((alternative) => ({
      text: detokenizer.peek(alternative.token),
      logprob: alternative.logprob,
    }));
    const text = detokenizer.push(token, hidden);
    return scored === undefined || top === undefined
      ? { text }
      : { text, scored: { logprob: scored.logprob, top } };
  });
  const last = entries[entries.length - 1];
  if (last !== undefined) last.text += detokenizer.finish();
  return entries;
}

function joinTexts(entries: readonly CompletionToken[]): string {
  return entries.map((entry) => entry.text).join('');
}

/** The text before the first stop string (generation stopped at the token that completed it). */
function cutAtStop(text: string, stop: readonly string[]): string {
  const cuts = stop.filter((candidate) => candidate.length > 0).map((candidate) => text.indexOf(candidate));
  const found = cuts.filter((at) => at !== -1);
  return found.length === 0 ? text : text.slice(0, Math.min(...found));
}

function trimTop(entries: readonly TokenLogprob[], top: number): TokenLogprob[] {
  return entries.map((entry) => ({ ...entry, top: entry.top.slice(0, top) }));
}

function usage(promptTokens: number, completionTokens: number): object {
  return {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
  };
}

/** Host names a loopback-bound server answers to; undefined (any) when bound to another interface. */
function hostNamesFor(host: string): Set<string> | undefined {
  const name = host.toLowerCase();
  if (LOOPBACK_NAMES.has(name) || /^127\.\d+\.\d+\.\d+$/.test(name))
    return new Set([...LOOPBACK_NAMES, name]);
  return undefined;
}

/** The name part of a Host header (`[::1]:8080` -> `[::1]`, `localhost:80` -> `localhost`). */
function hostName(header: string | undefined): string {
  if (header === undefined) return '';
  const name = header.startsWith('[') ? header.slice(0, header.indexOf(']') + 1) : header.split(':')[0]!;
  return name.toLowerCase();
}

function sendJson(response: ServerResponse, status: number, body: object): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
}

function sendError(response: ServerResponse, error: unknown): void {
  if (response.headersSent || response.destroyed) {
    response.destroy();
    return;
  }
  if (error instanceof HttpError) {
    setHeaders(response, error.headers);
    return sendJson(response, error.status, error.body());
  }
  if (error instanceof GgufRequestError) return sendError(response, new BadRequest(error.message));
  sendJson(response, 500, {
    error: {
      message: error instanceof Error ? error.message : String(error),
      type: 'server_error',
      param: null,
      code: null,
    },
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeAllConnections();
  });
}
