// Who may call the server from a browser. A web page on any site can POST to 127.0.0.1 ("simple" requests
// with text/plain need no CORS preflight), so requests from another origin and POSTs that are not JSON are
// refused, unless the origin was allowed (--allow-origin), which then gets CORS headers.
import type { IncomingMessage } from 'node:http';
import { PhikitError } from '../core/errors.js';
import { Forbidden } from './http-errors.js';

export const LOOPBACK_NAMES: ReadonlySet<string> = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);
const PREFLIGHT_MAX_AGE_SECONDS = 600;

/** `scheme://host[:port]` of an --allow-origin value, as browsers send it in `Origin`. */
export function normalizeOrigin(value: string): string {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (url === undefined || !/^https?:$/.test(url.protocol) || url.origin !== value.replace(/\/$/, '')) {
    throw new PhikitError(
      'USAGE',
      `not an origin: ${JSON.stringify(value)}`,
      'give scheme, host and port only, e.g. --allow-origin http://localhost:3000',
    );
  }
  return url.origin;
}

export interface OriginPolicy {
  /** Origins answered with CORS headers (normalized). */
  allowed: ReadonlySet<string>;
  /** The server's port, for its own loopback origins. */
  port: number;
  /** Bound to a loopback address: http://127.0.0.1:PORT, http://localhost:PORT, … are the server's own. */
  loopback: boolean;
}

/**
 * The request's allowed cross-origin `Origin`, or undefined when it has none or it is the server's own.
 * Throws Forbidden for any other origin, and for a POST that is not JSON unless its origin is allowed.
 */
export function checkOrigin(request: IncomingMessage, policy: OriginPolicy): string | undefined {
  const origin = request.headers.origin;
  const allowed = origin !== undefined && policy.allowed.has(origin);
  if (origin !== undefined && !allowed && !isOwnOrigin(origin, request.headers.host, policy)) {
    throw new Forbidden(
      `requests from origin ${origin} are refused (phikit serve --allow-origin ${origin} lets its pages call)`,
      { code: 'origin_not_allowed' },
    );
  }
  if (request.method === 'POST' && !allowed && !isJson(request.headers['content-type'])) {
    throw new Forbidden(
      `content-type ${request.headers['content-type'] ?? '(none)'} is refused: send application/json`,
      { code: 'content_type_not_allowed' },
    );
  }
  return allowed ? origin : undefined;
}

/** Headers that let an allowed origin read the response. */
export function corsHeaders(origin: string): Record<string, string> {
  return {
    'access-control-allow-origin': origin,
    'access-control-expose-headers': 'retry-after',
    vary: 'origin',
  };
}

/** The answer to a CORS preflight (OPTIONS) from an allowed origin. */
export function preflightHeaders(request: IncomingMessage): Record<string, string> {
  return {
    'access-control-allow-methods': 'GET, POST, OPTIONS',
    'access-control-allow-headers': request.headers['access-control-request-headers'] ?? 'content-type',
    'access-control-max-age': String(PREFLIGHT_MAX_AGE_SECONDS),
  };
}

function isOwnOrigin(origin: string, host: string | undefined, policy: OriginPolicy): boolean {
  if (host !== undefined && origin.toLowerCase() === `http://${host.toLowerCase()}`) return true;
  if (!policy.loopback) return false;
  try {
    const url = new URL(origin);
    return (
      url.protocol === 'http:' && LOOPBACK_NAMES.has(url.hostname) && Number(url.port || 80) === policy.port
    );
  } catch {
    return false;
  }
}

function isJson(contentType: string | undefined): boolean {
  return contentType?.split(';')[0]!.trim().toLowerCase() === 'application/json';
}
