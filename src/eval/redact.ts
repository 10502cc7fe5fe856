// Keeps API keys out of everything phikit stores or prints. Gateways echo the Authorization or
// api-key header in error bodies, and Node quotes a bad header value in its error message, so
// every error message is redacted where it is created (http.ts) and again where it is recorded.

export const REDACTED = '[redacted]';

// A credential after `Bearer`, or the value of an api-key style header, in text, JSON or HTML.
const BEARER_VALUE = /\b(bearer\s+)[^\s"'<>,;]+/gi;
const KEY_HEADER_VALUE = /\b((?:x-)?api[-_]?key["']?\s*[:=]\s*["']?)[^\s"'<>,;&]+/gi;
// OpenAI-style secret keys, for results written before redaction existed.
const SECRET_KEY = /\bsk-[A-Za-z0-9_-]{8,}/g;

/** `text` with every given secret and every header-shaped credential replaced by [redacted]. */
export function redactSecrets(text: string, secrets: readonly string[] = []): string {
  let redacted = text;
  // Longest first, so a key inside a longer header value does not leave the rest behind.
  for (const secret of [...secrets].sort((a, b) => b.length - a.length)) {
    if (secret.length > 0) redacted = redacted.split(secret).join(REDACTED);
  }
  return redacted
    .replace(BEARER_VALUE, `$1${REDACTED}`)
    .replace(KEY_HEADER_VALUE, `$1${REDACTED}`)
    .replace(SECRET_KEY, REDACTED);
}

/** The credentials among request headers: the value, or for `Bearer X` the X (so "Bearer" stays readable). */
export function secretsOfHeaders(headers: Record<string, string>): string[] {
  return Object.entries(headers)
    .filter(([name]) => /^(authorization|(x-)?api-key)$/i.test(name))
    .map(([, value]) => /^\s*bearer\s+(.+)$/is.exec(value)?.[1] ?? value);
}

/** True when the key holds a character no HTTP header may carry (a newline, a tab, ...). */
export function hasControlCharacter(key: string): boolean {
  return /[\u0000-\u001f\u007f-\u009f]/.test(key);
}
