// `/v1/completions` echo logprobs on non-ASCII text: token texts spell the returned text, `text_offset` indexes
// it in UTF-16 code units (as vLLM), and reference perplexity over HTTP equals the `gguf:` backend's.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluate } from '../../src/eval/run.js';
import type { EvalResult } from '../../src/core/eval-types.js';
import { GgufModel } from '../../src/gguf/model.js';
import { serveModel, type RunningServer } from '../../src/serve/server.js';
import { hasModels, modelsSkipMessage, randomLlamaPath, storiesPath } from '../gguf/models.js';

interface EchoLogprobs {
  tokens: string[];
  token_logprobs: Array<number | null>;
  top_logprobs: Array<Record<string, number> | null>;
  text_offset: number[];
}
interface EchoAnswer {
  text: string;
  logprobs: EchoLogprobs;
}

const texts = [
  'Tom said "你好，世界" to the cat.',
  'The bird 🐦 was happy 😀 today.',
  'A family 👨‍👩‍👧‍👦 and a wave 👋🏽 and a thumb 👍🏿.',
  'Cafe\u0301 and nai\u0308ve use combining marks.',
  'Crème brûlée, Straße, Ærø, señor, ça va?',
  '🐦',
  '世界',
  ' leading space and trailing é',
  'Once upon a time, a girl named Zoë 🌸 went out.',
  // Special-token strings: llama.cpp puts a space before the text after them that the text does not hold.
  '<s>Hello 🐦 and 你好</s>Bye é\n<s>\nend',
];

// [user message, reference answer]: non-ASCII in both, in the prompt only, in the reference only.
const examples: Array<[string, string]> = [
  ['Tell me about 北京.', 'Beijing 北京 is a big city. 你好!'],
  ['What did Zoë eat?', 'Zoë ate a crème brûlée.'],
  ['Who waved? 👋🏽', 'The little bird waved.'],
  ['Tell me a story.', 'The family 👨‍👩‍👧‍👦 went to the park 🌳 and played.'],
  ['Spell café with a combining mark.', 'Cafe\u0301 and nai\u0308ve.'],
  ['Say hello.', 'Hello! 😀'],
  ['Tell me about the sun.', 'The sun was warm and bright.'],
];

async function echo(server: RunningServer, prompt: string | number[], maxTokens = 0): Promise<EchoAnswer> {
  const response = await fetch(`${server.baseUrl}/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ prompt, max_tokens: maxTokens, echo: true, logprobs: 1 }),
  });
  expect(response.status).toBe(200);
  const body = (await response.json()) as { choices: EchoAnswer[] };
  return body.choices[0]!;
}

/** Every token's text is the slice of the returned text its offsets cover, and they join to the text. */
function expectTokensSpellText({ text, logprobs }: EchoAnswer): void {
  const { tokens, text_offset: offsets } = logprobs;
  expect(offsets.length).toBe(tokens.length);
  const slices = tokens.map((_, index) => text.slice(offsets[index], offsets[index + 1] ?? text.length));
  expect(slices).toEqual(tokens);
  expect(tokens.join('')).toBe(text);
}

describe.skipIf(!hasModels)('completions echo text_offset on non-ASCII text (real models)', () => {
  const served: Array<{ name: string; model: GgufModel; server: RunningServer }> = [];
  beforeAll(async () => {
    for (const path of [storiesPath, randomLlamaPath]) {
      const model = await GgufModel.open(path);
      served.push({ name: model.name, model, server: await serveModel(model, { port: 0 }) });
    }
  });
  afterAll(async () => {
    for (const { model, server } of served) {
      await server.close();
      await model.dispose();
    }
  });

  it('token texts spell the returned text of string prompts, offsets in UTF-16 code units', async () => {
    for (const { server } of served) {
      for (const text of texts) {
        const answer = await echo(server, text);
        expect(answer.text).toBe(text);
        expectTokensSpellText(answer);
      }
    }
  });

  it('token texts spell the returned text with a generated continuation', async () => {
    for (const { server } of served) {
      for (const text of texts) {
        const answer = await echo(server, text, 6);
        expect(answer.text.startsWith(text)).toBe(true);
        expectTokensSpellText(answer);
      }
    }
  });

  it('token-id prompts: the text is the prompt text, a leading BOS left out', async () => {
    for (const { model, server } of served) {
      for (const text of texts) {
        const answer = await echo(server, model.tokenizeText(text));
        expect(answer.text).toBe(text.replace(/^<s>/, ''));
        expectTokensSpellText(answer);
      }
    }
  });

  it('top_logprobs lists each token once, under its text', async () => {
    for (const { model, server } of served) {
      const text = 'Once upon a time, Zoë 🐦 said 你好.';
      const answer = await echo(server, text);
      const scored = await model.scoreTokens(model.tokenizeText(text), 1, 1);
      const { tokens, token_logprobs: values, top_logprobs: tops } = answer.logprobs;
      scored.forEach((entry, index) => {
        const top = tops[index + 1]!;
        expect(top[tokens[index + 1]!]).toBe(values[index + 1]);
        // The best alternative is the token itself: one entry.
        if (entry.top[0]!.token === entry.token) expect(Object.keys(top)).toEqual([tokens[index + 1]]);
      });
    }
  });
});

describe.skipIf(!hasModels)('reference perplexity over HTTP equals gguf: on non-ASCII examples', () => {
  let dir: string;
  let model: GgufModel;
  let server: RunningServer;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'phikit-offsets-'));
    const lines = examples.map(([question, answer]) =>
      JSON.stringify({
        messages: [
          { role: 'system', content: 'You tell short stories. 你好 🐦' },
          { role: 'user', content: question },
          { role: 'assistant', content: answer },
        ],
      }),
    );
    await writeFile(join(dir, 'examples.jsonl'), `${lines.join('\n')}\n`);
    model = await GgufModel.open(storiesPath);
    server = await serveModel(model, { port: 0 });
  });
  afterAll(async () => {
    await server?.close();
    await model?.dispose();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('gives the same reference token count and sum of logprobs per example', async () => {
    await evaluate(join(dir, 'examples.jsonl'), {
      out: join(dir, 'run'),
      endpoints: [
        { name: 'served', url: server.baseUrl },
        { name: 'direct', url: `gguf:${storiesPath}` },
      ],
      chatTemplate: 'phi-3',
      maxTokens: 2,
      concurrency: 1,
    });
    const rows = (await readFile(join(dir, 'run', 'results.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as EvalResult);
    const scores = (endpoint: string) =>
      rows
        .filter((row) => row.endpoint === endpoint)
        .sort((a, b) => a.id.localeCompare(b.id))
        .map((row) => ({ id: row.id, tokens: row.logprobs!.tokens, sum: row.logprobs!.sumLogprob }));
    const direct = scores('direct');
    const overHttp = scores('served');
    expect(direct.length).toBe(examples.length);
    expect(overHttp.map(({ id, tokens }) => ({ id, tokens }))).toEqual(
      direct.map(({ id, tokens }) => ({ id, tokens })),
    );
    overHttp.forEach((row, index) => expect(Math.abs(row.sum - direct[index]!.sum)).toBeLessThan(1e-4));
  });
});

if (!hasModels) describe.skip(modelsSkipMessage, () => {});
