// One JSON POST with a timeout, classified into EndpointError kinds; retries are the runner's
// business (src/eval/retry.ts) so every attempt is counted where results are written. Every error
// message is redacted here: servers echo credentials in error bodies (see redact.ts).
import { EndpointError } from '../core/endpoint.js';
import { redactSecrets, secretsOfHeaders } from './redact.js';

export interface PostOptions {
  headers: Record<string, string>;
  timeoutMs: number;
  signal?: AbortSignal;
  fetch: typeof fetch;
}

export async function postJson(url: string, body: unknown, options: PostOptions): Promise<unknown> {
  const secrets = secretsOfHeaders(options.headers);
  const redact = (text: string) => redactSecrets(text, secrets);
  const signals = [AbortSignal.timeout(options.timeoutMs)];
  if (options.signal) signals.push(options.signal);
  let response: Response;
  try {
    response = await options.fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...options.headers },
      body: JSON.stringify(body),
      signal: AbortSignal.any(signals),
    });
  } catch (error) {
    throw classifyFetchError(error, options.timeoutMs, redact);
  }
  let text: string;
  try {
    text = await response.text();
  } catch (error) {
    throw classifyFetchError(error, options.timeoutMs, redact);
  }
  if (!response.ok) {
    const retryAfterMs = parseRetryAfter(response.headers);
    // Redacted before parsing (a cut could split a key) and after (JSON escapes could hide one).
    const detail = redact(errorMessageOf(redact(text)) ?? response.statusText);
    const status = response.status;
    const kind =
      status === 429
        ? 'rate_limited'
        : status >= 500 || status === 408 || status === 409
          ? 'server_error'
          : 'client_error';
    throw new EndpointError(kind, `HTTP ${status}: ${detail}`, status, retryAfterMs);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new EndpointError(
      'invalid_response',
      `the server answered with something that is not JSON: ${redact(text).slice(0, 120)}`,
    );
  }
}

function classifyFetchError(
  error: unknown,
  timeoutMs: number,
  redact: (text: string) => string,
): EndpointError {
  const name = (error as { name?: string }).name;
  if (name === 'TimeoutError') return new EndpointError('timeout', `no answer within ${timeoutMs} ms`);
  if (name === 'AbortError') return new EndpointError('timeout', 'request aborted');
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const detail = cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
  return new EndpointError('connection', `connection failed (${redact(detail)})`);
}

/**
 * Azure AI model inference (serverless) refuses parameters outside its core set, such as
 * `logprobs` and `top_logprobs`, unless the request carries this header.
 */
export const AZURE_PASS_THROUGH_HEADER = { 'extra-parameters': 'pass-through' } as const;

/** Parameters an Azure AI model inference endpoint only takes with AZURE_PASS_THROUGH_HEADER. */
export const AZURE_EXTRA_PARAMETERS = ['logprobs', 'top_logprobs'] as const;

/** A 400 saying an extra parameter (such as logprobs) is not allowed; matched loosely, as Azure words it variously. */
export function isExtraParameterRefusal(error: unknown): boolean {
  if (!(error instanceof EndpointError) || error.status !== 400) return false;
  return /extra[\s_-]*param|logprobs[^.]*not (allowed|permitted|supported)|not (allowed|permitted|supported)[^.]*logprobs/i.test(
    error.message,
  );
}

/** `retry-after-ms`, or `retry-after` in seconds or as an HTTP date. */
export function parseRetryAfter(headers: Headers, now = Date.now()): number | undefined {
  const ms = Number(headers.get('retry-after-ms'));
  if (headers.has('retry-after-ms') && Number.isFinite(ms) && ms >= 0) return ms;
  const value = headers.get('retry-after');
  if (value === null) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** The message of an error body (already redacted: cutting it first could split a key). */
function errorMessageOf(text: string): string | undefined {
  try {
    const body = JSON.parse(text) as { error?: { message?: string } | string; message?: string };
    if (typeof body.error === 'string') return body.error;
    return body.error?.message ?? body.message;
  } catch {
    return text.trim().slice(0, 200) || undefined;
  }
}
