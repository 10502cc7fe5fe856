// Requests the server refuses, each HTTP status its own class, answered with OpenAI's error body
// `{error: {message, type, param, code}}` and the headers the status calls for (Allow, Retry-After).

export interface HttpErrorDetails {
  /** The request field at fault (OpenAI's `param`). */
  param?: string | null;
  /** A stable machine-readable cause (OpenAI's `code`), e.g. `origin_not_allowed`. */
  code?: string | null;
  headers?: Record<string, string>;
}

export abstract class HttpError extends Error {
  abstract readonly status: number;
  /** OpenAI's `error.type`. */
  abstract readonly type: string;
  readonly param: string | null;
  readonly code: string | null;
  readonly headers: Record<string, string>;

  constructor(message: string, details: HttpErrorDetails = {}) {
    super(message);
    this.param = details.param ?? null;
    this.code = details.code ?? null;
    this.headers = details.headers ?? {};
  }

  /** The JSON body OpenAI clients parse. */
  body(): object {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }
}

/** 400: the request is malformed or asks for something the model cannot do. */
export class BadRequest extends HttpError {
  readonly status = 400;
  readonly type = 'invalid_request_error';
  override readonly name = 'BadRequest';

  constructor(message: string, param: string | null = null) {
    super(message, { param });
  }
}

/** 403: refused for who is asking (another host name, another site's page), not for what is asked. */
export class Forbidden extends HttpError {
  readonly status = 403;
  readonly type = 'permission_error';
  override readonly name = 'Forbidden';
}

/** 404: no such route. */
export class NotFound extends HttpError {
  readonly status = 404;
  readonly type = 'not_found_error';
  override readonly name = 'NotFound';
}

/** 405: the route exists but takes other methods (listed in `Allow`). */
export class MethodNotAllowed extends HttpError {
  readonly status = 405;
  readonly type = 'invalid_request_error';
  override readonly name = 'MethodNotAllowed';

  constructor(message: string, allow: readonly string[]) {
    super(message, { code: 'method_not_allowed', headers: { allow: allow.join(', ') } });
  }
}

/** 413: the body is over the byte limit; the connection is closed rather than read to its end. */
export class PayloadTooLarge extends HttpError {
  readonly status = 413;
  readonly type = 'invalid_request_error';
  override readonly name = 'PayloadTooLarge';

  constructor(maxBytes: number) {
    super(`the request body is over ${maxBytes} bytes (phikit serve --max-body-bytes)`, {
      code: 'request_too_large',
      headers: { connection: 'close' },
    });
  }
}

/** 503: the queue is full; the client should retry after `Retry-After` seconds. */
export class ServiceUnavailable extends HttpError {
  readonly status = 503;
  readonly type = 'server_error';
  override readonly name = 'ServiceUnavailable';

  constructor(message: string, retryAfterSeconds: number) {
    super(message, { code: 'queue_full', headers: { 'retry-after': String(retryAfterSeconds) } });
  }
}
