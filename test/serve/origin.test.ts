import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PhikitError } from '../../src/core/errors.js';
import { GgufModel } from '../../src/gguf/model.js';
import { serveModel, type RunningServer } from '../../src/serve/server.js';
import { hasModels, modelsSkipMessage, storiesPath } from '../gguf/models.js';
import { raw, type RawResponse } from './raw-http.js';

const chatBody = JSON.stringify({ messages: [{ role: 'user', content: 'Hi, 你好 👋' }], max_tokens: 2 });
const app = 'http://localhost:3000';

function errorOf(response: RawResponse): { type: string; code: string } {
  return response.body?.error as { type: string; code: string };
}

describe.skipIf(!hasModels)('phikit serve refuses cross-origin browser requests', () => {
  let model: GgufModel;
  let server: RunningServer;
  let open: RunningServer;
  beforeAll(async () => {
    model = await GgufModel.open(storiesPath);
    server = await serveModel(model, { port: 0 });
    open = await serveModel(model, { port: 0, allowOrigins: [app, 'https://tools.example.com/'] });
  });
  afterAll(async () => {
    await server?.close();
    await open?.close();
    await model?.dispose();
  });

  const chat = (target: RunningServer, headers: Record<string, string>) =>
    raw(target.port, { path: '/v1/chat/completions', headers, body: chatBody });

  it('refuses a page on another site, even with the form-like text/plain POST that needs no preflight', async () => {
    for (const headers of [
      { origin: 'http://evil.example', 'content-type': 'text/plain' },
      { origin: 'http://evil.example', 'content-type': 'application/json' },
      { origin: 'http://127.0.0.1:1', 'content-type': 'application/json' },
      { origin: 'null', 'content-type': 'application/json' },
    ]) {
      const response = await chat(server, headers);
      expect([headers, response.status, errorOf(response)]).toEqual([
        headers,
        403,
        expect.objectContaining({ type: 'permission_error', code: 'origin_not_allowed' }),
      ]);
      expect(response.headers['access-control-allow-origin']).toBeUndefined();
    }
    const models = await raw(server.port, {
      method: 'GET',
      path: '/v1/models',
      headers: { origin: 'http://evil.example' },
    });
    expect(models.status).toBe(403);
  });

  it('refuses POSTs that are not application/json, with or without an Origin', async () => {
    for (const contentType of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data']) {
      const response = await chat(server, { 'content-type': contentType });
      expect([contentType, response.status, errorOf(response).code]).toEqual([
        contentType,
        403,
        'content_type_not_allowed',
      ]);
    }
    const none = await raw(server.port, { path: '/v1/chat/completions', body: chatBody });
    expect([none.status, errorOf(none).code]).toEqual([403, 'content_type_not_allowed']);
  });

  it("answers JSON from clients without an Origin and from the server's own origin", async () => {
    const answered: Array<Record<string, string>> = [
      { 'content-type': 'application/json' },
      { 'content-type': 'Application/JSON; charset=utf-8' },
      { 'content-type': 'application/json', origin: `http://127.0.0.1:${server.port}` },
      { 'content-type': 'application/json', origin: `http://localhost:${server.port}` },
    ];
    for (const headers of answered) {
      const response = await chat(server, headers);
      expect([headers, response.status]).toEqual([headers, 200]);
    }
  });

  it('answers an allowed origin with CORS headers, its preflight included', async () => {
    const preflight = await raw(open.port, {
      method: 'OPTIONS',
      path: '/v1/chat/completions',
      headers: {
        origin: app,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers).toMatchObject({
      'access-control-allow-origin': app,
      'access-control-allow-methods': 'GET, POST, OPTIONS',
      'access-control-allow-headers': 'authorization, content-type',
      vary: 'origin',
    });
    for (const [origin, contentType] of [
      [app, 'application/json'],
      [app, 'text/plain'],
      ['https://tools.example.com', 'application/json'],
    ] as const) {
      const response = await chat(open, { origin, 'content-type': contentType });
      expect([origin, contentType, response.status]).toEqual([origin, contentType, 200]);
      expect(response.headers['access-control-allow-origin']).toBe(origin);
    }
  });

  it('still refuses origins that were not allowed, preflight included', async () => {
    const preflight = await raw(open.port, {
      method: 'OPTIONS',
      path: '/v1/chat/completions',
      headers: { origin: 'http://evil.example', 'access-control-request-method': 'POST' },
    });
    expect([preflight.status, preflight.headers['access-control-allow-origin']]).toEqual([403, undefined]);
    const post = await chat(open, { origin: 'http://localhost:3001', 'content-type': 'application/json' });
    expect([post.status, errorOf(post).code]).toEqual([403, 'origin_not_allowed']);
    const plain = await chat(open, { 'content-type': 'text/plain' });
    expect([plain.status, errorOf(plain).code]).toEqual([403, 'content_type_not_allowed']);
  });

  it('refuses an allowOrigins entry that is not an origin', async () => {
    for (const value of ['localhost:3000', 'http://localhost:3000/app', '*', 'ftp://files.example']) {
      const error = await serveModel(model, { port: 0, allowOrigins: [value] }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PhikitError);
      expect([value, (error as PhikitError).code]).toEqual([value, 'USAGE']);
    }
  });
});

if (!hasModels) describe.skip(modelsSkipMessage, () => {});
