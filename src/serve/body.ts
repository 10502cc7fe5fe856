// Reads a request's JSON body with a byte limit checked before anything is parsed or tokenized.
// Memory: at most `maxBytes` per request; a larger body is refused as soon as its size is known.
import type { IncomingMessage } from 'node:http';
import { BadRequest, PayloadTooLarge } from './http-errors.js';
import { ClientGone } from './queue.js';

/** Refuses a body whose declared Content-Length is over the limit, without reading any of it. */
export function checkDeclaredLength(request: IncomingMessage, maxBytes: number): void {
  const declared = request.headers['content-length'];
  if (declared !== undefined && Number(declared) > maxBytes) throw new PayloadTooLarge(maxBytes);
}

/** The parsed body; stops reading (the stream is left paused) the moment it passes `maxBytes`. */
export async function readJsonBody(request: IncomingMessage, maxBytes: number): Promise<unknown> {
  const text = await readText(request, maxBytes);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new BadRequest('the request body is not valid JSON');
  }
}

function readText(request: IncomingMessage, maxBytes: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = (error?: Error): void => {
      request.off('data', onData).off('end', onEnd).off('error', onGone).off('close', onClose);
      if (error === undefined) resolve(Buffer.concat(chunks).toString('utf8'));
      else reject(error);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size <= maxBytes) {
        chunks.push(chunk);
        return;
      }
      request.pause();
      stop(new PayloadTooLarge(maxBytes));
    };
    const onEnd = (): void => stop();
    const onGone = (): void => stop(new ClientGone());
    const onClose = (): void => {
      if (!request.complete) onGone();
    };
    request.on('data', onData).on('end', onEnd).on('error', onGone).on('close', onClose);
  });
}
