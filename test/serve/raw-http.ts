// Raw HTTP calls to a served model, for what an OpenAI SDK would not send: other Host or Origin headers,
// other content types, unfinished or oversized bodies, clients that leave before the answer.
import { request, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { connect, type Socket } from 'node:net';

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** The parsed JSON body; undefined when the body is empty. */
  body: Record<string, unknown> | undefined;
}

export interface RawRequest {
  method?: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

export const JSON_TYPE = { 'content-type': 'application/json' };

/** One request on a fresh connection; `body` is sent whole and the request ended. */
export function raw(port: number, call: RawRequest): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const outgoing = request(
      { host: '127.0.0.1', port, method: call.method ?? 'POST', path: call.path, headers: call.headers },
      (response) => readResponse(response).then(resolve, reject),
    );
    outgoing.on('error', reject);
    outgoing.end(call.body);
  });
}

/** Sends `head` + `body` over a socket and leaves it open (the caller ends or destroys it). */
export function openSocket(port: number, text: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(text, () => resolve(socket)));
    socket.on('error', reject);
  });
}

/** A POST written out as HTTP/1.1 text, so a test can send part of it or leave right after it. */
export function postText(port: number, path: string, body: string, declaredLength?: number): string {
  return (
    `POST ${path} HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\ncontent-type: application/json\r\n` +
    `content-length: ${declaredLength ?? Buffer.byteLength(body)}\r\n\r\n${body}`
  );
}

/** The status line and JSON body a socket receives (for requests sent with `openSocket`). */
export function socketResponse(socket: Socket): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (text += chunk));
    socket.on('error', reject);
    socket.on('end', () => {
      const [head = '', body = ''] = text.split('\r\n\r\n');
      resolve({
        status: Number(/^HTTP\/1\.1 (\d+)/.exec(head)?.[1]),
        body: JSON.parse(body) as Record<string, unknown>,
      });
    });
  });
}

function readResponse(response: IncomingMessage): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    let text = '';
    response.setEncoding('utf8');
    response.on('data', (chunk: string) => (text += chunk));
    response.on('error', reject);
    response.on('end', () =>
      resolve({
        status: response.statusCode ?? 0,
        headers: response.headers,
        body: text === '' ? undefined : (JSON.parse(text) as Record<string, unknown>),
      }),
    );
  });
}
