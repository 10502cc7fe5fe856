import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GgufModel } from '../../src/gguf/model.js';
import { serveModel, type RunningServer } from '../../src/serve/server.js';
import { hasModels, modelsSkipMessage, storiesPath } from '../gguf/models.js';
import { JSON_TYPE, openSocket, postText, raw, socketResponse } from './raw-http.js';

const shortCompletion = JSON.stringify({ prompt: 'Once upon a time', max_tokens: 4 });

/** Waits (no deadline but the test's) until the server's counters say `ready`. */
async function until(server: RunningServer, ready: (stats: ReturnType<RunningServer['stats']>) => boolean) {
  while (!ready(server.stats())) await sleep(5);
}

describe.skipIf(!hasModels)('phikit serve under load: gone clients, a bounded queue, a body limit', () => {
  let model: GgufModel;
  beforeAll(async () => {
    model = await GgufModel.open(storiesPath);
  });
  afterAll(async () => {
    await model?.dispose();
  });

  async function withServer(
    options: Parameters<typeof serveModel>[1],
    test: (server: RunningServer) => Promise<void>,
  ): Promise<void> {
    const server = await serveModel(model, { port: 0, ...options });
    try {
      await test(server);
    } finally {
      await server.close();
    }
  }

  it('skips or stops the work of clients that have gone, and answers the next request', async () => {
    await withServer({}, async (server) => {
      const long = JSON.stringify({ prompt: 'Once upon a time', max_tokens: 400 });
      const gone = 20;
      for (let index = 0; index < gone; index += 1) {
        const socket = await openSocket(server.port, postText(server.port, '/v1/completions', long));
        socket.destroy();
      }
      const answer = await raw(server.port, {
        path: '/v1/completions',
        headers: JSON_TYPE,
        body: shortCompletion,
      });
      expect(answer.status).toBe(200);
      // Only the request whose client stayed was generated to its end.
      const stats = server.stats();
      expect(stats.completed).toBe(1);
      expect(stats.skipped + stats.aborted).toBeGreaterThan(0);
    });
  });

  it('answers 503 with retry-after and an OpenAI error body when the queue is full', async () => {
    await withServer({ maxQueue: 1 }, async (server) => {
      // Two requests whose bodies never finish hold the one answered place and the one waiting place.
      const partial = postText(server.port, '/v1/completions', shortCompletion, 1000);
      const holders = [await openSocket(server.port, partial), await openSocket(server.port, partial)];
      await until(server, (stats) => stats.inProgress === 2);
      const refused = await raw(server.port, {
        path: '/v1/chat/completions',
        headers: JSON_TYPE,
        body: JSON.stringify({ messages: [{ role: 'user', content: 'Hi 猫 🐈' }], max_tokens: 2 }),
      });
      expect(refused.status).toBe(503);
      expect(refused.headers['retry-after']).toBe('1');
      expect(refused.body).toEqual({
        error: {
          message: 'phikit serve is busy: too many requests are waiting (phikit serve --max-queue)',
          type: 'server_error',
          param: null,
          code: 'queue_full',
        },
      });
      for (const socket of holders) socket.destroy();
      await until(server, (stats) => stats.inProgress === 0);
      const answered = await raw(server.port, {
        path: '/v1/completions',
        headers: JSON_TYPE,
        body: shortCompletion,
      });
      expect(answered.status).toBe(200);
      expect(server.stats()).toMatchObject({ refused: 1, completed: 1 });
    });
  });

  it('refuses an oversized body with 413 before reading it through, then answers the next request', async () => {
    await withServer({ maxBodyBytes: 1024 }, async (server) => {
      const tooLarge = {
        error: {
          message: 'the request body is over 1024 bytes (phikit serve --max-body-bytes)',
          type: 'invalid_request_error',
          param: null,
          code: 'request_too_large',
        },
      };
      // A declared 15 MB body is refused from its headers: none of it is sent.
      const declared = await openSocket(server.port, postText(server.port, '/v1/completions', '', 15e6));
      expect(await socketResponse(declared)).toEqual({ status: 413, body: tooLarge });
      // A chunked body is refused once it passes the limit, though it never ends.
      const chunk = JSON.stringify({ prompt: '长'.repeat(2000) });
      const chunked = await openSocket(
        server.port,
        `POST /v1/completions HTTP/1.1\r\nhost: 127.0.0.1:${server.port}\r\n` +
          'content-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n' +
          `${Buffer.byteLength(chunk).toString(16)}\r\n${chunk}\r\n`,
      );
      expect(await socketResponse(chunked)).toEqual({ status: 413, body: tooLarge });
      const answered = await raw(server.port, {
        path: '/v1/completions',
        headers: JSON_TYPE,
        body: shortCompletion,
      });
      expect(answered.status).toBe(200);
    });
  });

  it('limits bodies to 1 MiB by default', async () => {
    await withServer({}, async (server) => {
      const overLimit = postText(server.port, '/v1/completions', '', 1024 * 1024 + 1);
      const refused = await socketResponse(await openSocket(server.port, overLimit));
      expect([refused.status, (refused.body.error as { code: string }).code]).toEqual([
        413,
        'request_too_large',
      ]);
    });
  });
});

if (!hasModels) describe.skip(modelsSkipMessage, () => {});
