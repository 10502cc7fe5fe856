import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EvalResult } from '../../src/core/eval-types.js';
import { evaluate } from '../../src/eval/run.js';
import { GgufModel } from '../../src/gguf/model.js';
import { serveModel, type RunningServer } from '../../src/serve/server.js';
import { reference } from '../helpers/shared.js';
import { hasModels, modelsSkipMessage, storiesPath } from './models.js';

const examples = [
  [
    'Tell me a story about a dog.',
    'Once upon a time, there was a dog named Max. Max liked to run in the park.',
  ],
  ['What did Lily find?', 'Lily found a big red ball under the tree.'],
  ['Tell me about the sun.', 'The sun was warm and bright. Tim and his mom went outside to play.'],
  ['Who is happy?', 'The little bird was happy.'],
].map(([question, answer]) =>
  JSON.stringify({
    messages: [
      { role: 'system', content: 'You tell short stories.' },
      { role: 'user', content: question },
      { role: 'assistant', content: answer },
    ],
  }),
);

describe.skipIf(!hasModels)('phikit eval: `phikit serve stories260K` over HTTP vs `gguf:` directly', () => {
  let dir: string;
  let model: GgufModel;
  let server: RunningServer;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'phikit-gguf-eval-'));
    await writeFile(join(dir, 'examples.jsonl'), `${examples.join('\n')}\n`);
    // Both sides render Phi-3 mini's template: the server from the Jinja template, eval from phikit's phi-3.
    const config = JSON.parse(await readFile(reference('phi3-mini', 'tokenizer_config.json'), 'utf8')) as {
      chat_template: string;
    };
    model = await GgufModel.open(storiesPath, { chatTemplate: config.chat_template });
    server = await serveModel(model, { port: 0 });
  });
  afterAll(async () => {
    await server?.close();
    await model?.dispose();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('gives the same predictions and the same reference perplexity', async () => {
    const result = await evaluate(join(dir, 'examples.jsonl'), {
      out: join(dir, 'run'),
      endpoints: [
        { name: 'served', url: server.baseUrl },
        { name: 'direct', url: `gguf:${storiesPath}` },
      ],
      chatTemplate: 'phi-3',
      maxTokens: 24,
      concurrency: 2,
    });
    expect(result.perplexityKinds).toEqual({ served: 'reference', direct: 'reference' });
    expect(result.counts.errors).toBe(0);
    const lines = (await readFile(join(dir, 'run', 'results.jsonl'), 'utf8')).trim().split('\n');
    const results = lines.map((line) => JSON.parse(line) as EvalResult);
    const byEndpoint = (name: string) =>
      new Map(results.filter((row) => row.endpoint === name).map((row) => [row.id, row]));
    const served = byEndpoint('served');
    const direct = byEndpoint('direct');
    expect(served.size).toBe(examples.length);
    for (const [id, row] of direct) {
      const other = served.get(id)!;
      expect(other.prediction).toBe(row.prediction);
      expect(other.logprobs!.tokens).toBe(row.logprobs!.tokens);
      expect(other.logprobs!.bytes).toBe(row.logprobs!.bytes);
      expect(Math.abs(other.logprobs!.sumLogprob - row.logprobs!.sumLogprob)).toBeLessThan(1e-4);
    }
    const corpus = (rows: Map<string, EvalResult>) => {
      const list = [...rows.values()];
      const sum = list.reduce((total, row) => total + row.logprobs!.sumLogprob, 0);
      return Math.exp(-sum / list.reduce((total, row) => total + row.logprobs!.tokens, 0));
    };
    expect(Math.abs(corpus(served) / corpus(direct) - 1)).toBeLessThan(1e-4);
    expect(direct.values().next().value!.prediction!.length).toBeGreaterThan(0);
  });
});

if (!hasModels) describe.skip(modelsSkipMessage, () => {});
