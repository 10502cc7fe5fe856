import { request } from 'node:http';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatMessage } from '../../src/core/example.js';
import { GgufModel } from '../../src/gguf/model.js';
import { serveModel, type RunningServer } from '../../src/serve/server.js';
import { hasModels, modelsSkipMessage, storiesPath } from '../gguf/models.js';

const prompt: ChatMessage[] = [
  { role: 'system', content: 'You tell stories.' },
  { role: 'user', content: 'Tell me a story about a cat.' },
];
const answer = 'Once upon a time, there was a cat named Tom. Tom liked to sleep in the sun.';

interface RawResponse {
  status: number;
  body: Record<string, unknown>;
}

/** A raw HTTP call, for what the SDK would not send (bad JSON, other Host headers, GET on POST routes). */
function raw(
  server: RunningServer,
  method: string,
  path: string,
  body?: string,
  host?: string,
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const call = request(
      {
        host: server.host,
        port: server.port,
        method,
        path,
        headers: { 'content-type': 'application/json', ...(host === undefined ? {} : { host }) },
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, body: JSON.parse(text) as Record<string, unknown> }),
        );
      },
    );
    call.on('error', reject);
    call.end(body);
  });
}

const sum = (values: readonly number[]): number => values.reduce((total, value) => total + value, 0);

describe.skipIf(!hasModels)('phikit serve on stories260K (real server, real OpenAI SDK)', () => {
  let model: GgufModel;
  let server: RunningServer;
  let client: OpenAI;
  beforeAll(async () => {
    model = await GgufModel.open(storiesPath);
    server = await serveModel(model, { port: 0 });
    client = new OpenAI({ baseURL: server.baseUrl, apiKey: 'unused', maxRetries: 0 });
  });
  afterAll(async () => {
    await server?.close();
    await model?.dispose();
  });

  it('binds 127.0.0.1 by default and lists the model', async () => {
    expect(server.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    const models = await client.models.list();
    expect(models.data.map((entry) => [entry.id, entry.object, entry.owned_by])).toEqual([
      ['stories260K', 'model', 'phikit'],
    ]);
  });

  it('chat completions: the same answer as the library, with OpenAI logprobs', async () => {
    const direct = await model.chat(prompt, { maxTokens: 20, topLogprobs: 2 });
    const response = await client.chat.completions.create({
      model: 'stories260K',
      messages: prompt,
      max_tokens: 20,
      temperature: 0,
      logprobs: true,
      top_logprobs: 2,
    });
    const choice = response.choices[0]!;
    expect(choice.message.content).toBe(direct.text);
    expect(choice.finish_reason).toBe(direct.finishReason);
    expect(response.usage).toEqual({
      prompt_tokens: direct.promptTokens,
      completion_tokens: direct.completionTokens,
      total_tokens: direct.promptTokens + direct.completionTokens,
    });
    const content = choice.logprobs!.content!;
    expect(content.map((entry) => entry.logprob)).toEqual(direct.logprobs!.map((entry) => entry.logprob));
    expect(content.map((entry) => entry.top_logprobs.length)).toEqual(content.map(() => 2));
    expect(content[0]!.bytes).toEqual([...Buffer.from(content[0]!.token)]);
  });

  it('completions with echo + logprobs: prompt-token logprobs as vLLM returns them', async () => {
    const text = `Once upon a time, ${answer}`;
    const response = await client.completions.create({
      model: 'stories260K',
      prompt: text,
      max_tokens: 0,
      echo: true,
      logprobs: 1,
    });
    const choice = response.choices[0]!;
    expect(choice.text).toBe(text);
    const logprobs = choice.logprobs!;
    const tokens = model.tokenizeText(text);
    expect(logprobs.tokens!.length).toBe(tokens.length);
    expect(logprobs.token_logprobs![0]).toBeNull();
    expect(logprobs.top_logprobs![0]).toBeNull();
    const scored = await model.scoreTokens(tokens, 1, 1);
    expect(logprobs.token_logprobs!.slice(1)).toEqual(scored.map((entry) => entry.logprob));
    // top_logprobs holds the best alternative and the token itself.
    for (const [index, top] of logprobs.top_logprobs!.slice(1).entries()) {
      expect(top![logprobs.tokens![index + 1]!]).toBe(scored[index]!.logprob);
      expect(Object.keys(top!).length).toBeLessThanOrEqual(2);
    }
    // text_offset points into the returned text: the added BOS is not in it (""), the other tokens spell it.
    expect(logprobs.tokens![0]).toBe('');
    expect(logprobs.tokens!.join('')).toBe(text);
    expect(logprobs.text_offset!.slice(0, 2)).toEqual([0, 0]);
    for (const [index, token] of logprobs.tokens!.entries()) {
      const offset = logprobs.text_offset![index]!;
      if (index > 0) expect(text.slice(offset, offset + token.length)).toBe(token);
    }
    expect(response.usage).toMatchObject({ prompt_tokens: tokens.length, completion_tokens: 0 });
  });

  it('completions accept token ids and generate greedily like the library', async () => {
    const tokens = model.tokenizeText('Once upon a time');
    const direct = await model.generate(tokens, { maxTokens: 12, topLogprobs: 0 });
    const response = await client.completions.create({
      model: 'x',
      prompt: tokens,
      max_tokens: 12,
      logprobs: 0,
    });
    expect(response.choices[0]!.text).toBe(direct.text);
    const logprobs = response.choices[0]!.logprobs!;
    expect(logprobs.tokens!.join('')).toBe(direct.text);
    expect(logprobs.token_logprobs).toEqual(direct.logprobs!.map((entry) => entry.logprob));
    expect(response.model).toBe('stories260K');
  });

  it('chat with continue_final_message + prompt_logprobs gives the reference score (vLLM extension)', async () => {
    const body = {
      model: 'stories260K',
      messages: [...prompt, { role: 'assistant', content: answer }],
      max_tokens: 0,
      continue_final_message: true,
      add_generation_prompt: false,
      prompt_logprobs: 0,
    };
    const response = await raw(server, 'POST', '/v1/chat/completions', JSON.stringify(body));
    expect(response.status).toBe(200);
    const entries = response.body.prompt_logprobs as Array<Record<string, { logprob: number }> | null>;
    const score = await model.scoreReference(prompt, answer);
    expect(entries.length).toBe(score.promptTokens + score.tokens);
    expect(response.body.usage).toMatchObject({ prompt_tokens: entries.length });
    expect(entries[0]).toBeNull();
    const referenceLogprobs = entries
      .slice(score.promptTokens)
      .map((entry) => Object.values(entry!)[0]!.logprob);
    expect(sum(referenceLogprobs)).toBeCloseTo(score.sumLogprob, 10);
  });

  it('answers bad requests with OpenAI error bodies', async () => {
    const cases: Array<[string, string, string | undefined, number, string, string]> = [
      ['POST', '/v1/chat/completions', '{not json', 400, 'not valid JSON', 'invalid_request_error'],
      [
        'POST',
        '/v1/chat/completions',
        '{"messages":[]}',
        400,
        'messages must be a non-empty array',
        'invalid_request_error',
      ],
      [
        'POST',
        '/v1/chat/completions',
        '{"messages":[{"role":"user","content":"hi"}],"stream":true}',
        400,
        'stream',
        'invalid_request_error',
      ],
      [
        'POST',
        '/v1/completions',
        '{"prompt":"hi","logprobs":99}',
        400,
        'logprobs must be a whole number',
        'invalid_request_error',
      ],
      [
        'POST',
        '/v1/completions',
        JSON.stringify({ prompt: 'the '.repeat(600), max_tokens: 1 }),
        400,
        'do not fit',
        'invalid_request_error',
      ],
      ['GET', '/v1/completions', undefined, 405, 'takes POST', 'invalid_request_error'],
      ['POST', '/v1/embeddings', '{}', 404, 'no route', 'not_found_error'],
    ];
    for (const [method, path, body, status, message, type] of cases) {
      const response = await raw(server, method, path, body);
      expect([path, response.status]).toEqual([path, status]);
      expect((response.body.error as { message: string }).message).toContain(message);
      expect([path, (response.body.error as { type: string }).type]).toEqual([path, type]);
    }
  });

  it('a route that takes POST says so in Allow', async () => {
    const response = await new Promise<{ status: number; allow: string | undefined }>((resolve, reject) => {
      request(
        { host: server.host, port: server.port, method: 'GET', path: '/v1/chat/completions' },
        (answer) => {
          answer.resume();
          resolve({ status: answer.statusCode ?? 0, allow: answer.headers.allow });
        },
      )
        .on('error', reject)
        .end();
    });
    expect(response).toEqual({ status: 405, allow: 'POST, OPTIONS' });
  });

  it('refuses requests addressed to another host name (DNS rebinding)', async () => {
    const refused = await raw(server, 'GET', '/v1/models', undefined, 'attacker.example:8080');
    expect(refused.status).toBe(403);
    expect(refused.body.error).toMatchObject({ type: 'permission_error', code: 'host_not_allowed' });
    const local = await raw(server, 'GET', '/v1/models', undefined, `localhost:${server.port}`);
    expect(local.status).toBe(200);
  });
});

if (!hasModels) describe.skip(modelsSkipMessage, () => {});
