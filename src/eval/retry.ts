// Retries with exponential backoff and full jitter, honouring the server's retry-after.
// Retried: 408, 409, 429, 5xx, timeouts and dropped connections. Not retried: other 4xx.
import { EndpointError } from '../core/endpoint.js';

export interface RetryPolicy {
  /** Retries after the first attempt (default 4). */
  retries: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** For jitter; seeded so test runs wait the same. */
  random: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export const DEFAULT_RETRY = { retries: 4, baseDelayMs: 500, maxDelayMs: 30_000 };

export interface Attempted<T> {
  value?: T;
  error?: EndpointError;
  attempts: number;
}

export async function withRetries<T>(policy: RetryPolicy, attempt: () => Promise<T>): Promise<Attempted<T>> {
  const sleep = policy.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  for (let attempts = 1; ; attempts++) {
    try {
      return { value: await attempt(), attempts };
    } catch (caught) {
      const error =
        caught instanceof EndpointError
          ? caught
          : new EndpointError('invalid_response', caught instanceof Error ? caught.message : String(caught));
      if (!error.retryable || attempts > policy.retries) return { error, attempts };
      const backoff = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempts - 1)) * policy.random();
      await sleep(Math.min(policy.maxDelayMs, Math.max(backoff, error.retryAfterMs ?? 0)));
    }
  }
}

/** Keeps request starts at least 60 s / rpm apart (no limit when rpm is undefined). */
export class RateLimiter {
  private next = 0;
  constructor(private readonly rpm?: number) {}

  async wait(): Promise<void> {
    if (!this.rpm) return;
    const now = Date.now();
    const at = Math.max(now, this.next);
    this.next = at + 60_000 / this.rpm;
    if (at > now) await new Promise((resolve) => setTimeout(resolve, at - now));
  }
}
