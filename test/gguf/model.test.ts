import { readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Token } from 'node-llama-cpp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatMessage } from '../../src/core/example.js';
import { PhikitError } from '../../src/core/errors.js';
import { bitsPerByte, perplexity } from '../../src/gguf/logprobs.js';
import { GgufModel, GgufRequestError } from '../../src/gguf/model.js';
import { reference } from '../helpers/shared.js';
import {
  directLogprobs,
  directModel,
  hasModels,
  modelsSkipMessage,
  randomLlamaPath,
  storiesPath,
} from './models.js';

const story = 'Once upon a time, there was a little girl named Lily. She loved to play outside in the sun.';
const prompt: ChatMessage[] = [
  { role: 'system', content: 'You tell stories.' },
  { role: 'user', content: 'Tell me a story about a dog.' },
];
const answer = 'Once upon a time, there was a dog named Max. Max liked to run.';

const sum = (values: readonly number[]): number => values.reduce((total, value) => total + value, 0);

describe.skipIf(!hasModels)('GgufModel on real tiny models', () => {
  let stories: GgufModel;
  let randomLlama: GgufModel;
  beforeAll(async () => {
    stories = await GgufModel.open(storiesPath);
    randomLlama = await GgufModel.open(randomLlamaPath, { contextSize: 512 });
  });
  afterAll(async () => {
    await stories?.dispose();
    await randomLlama?.dispose();
  });

  it('reports the model: name, context, chat wrapper (no template in these files: Llama-2 by architecture)', () => {
    expect([stories.name, stories.contextSize, stories.vocabularySize, stories.chatWrapperName]).toEqual([
      'stories260K',
      512,
      512,
      'Llama2Chat',
    ]);
    expect([randomLlama.contextSize, randomLlama.vocabularySize]).toEqual([512, 32000]);
  });

  it.each([
    ['stories260K', () => stories, storiesPath],
    ['llama-2-tiny-random', () => randomLlama, randomLlamaPath],
  ])(
    '%s: perplexity equals exp(-mean log p) from node-llama-cpp full logits within 1e-4',
    async (_name, model, path) => {
      const tokens = model().tokenizeText(story);
      const scored = await model().scoreTokens(tokens, 1);
      const direct = await directLogprobs(path, tokens, 1);
      expect(scored.map((entry) => entry.token)).toEqual(tokens.slice(1));
      const ours = perplexity(sum(scored.map((entry) => entry.logprob)), scored.length);
      const theirs = Math.exp(-sum(direct) / direct.length);
      // Relative: the random model's perplexity is ~30,000 and llama.cpp's logits are float32.
      expect(Math.abs(ours / theirs - 1)).toBeLessThan(1e-4);
      for (const [index, entry] of scored.entries()) expect(entry.logprob).toBeCloseTo(direct[index]!, 4);
    },
  );

  it('prepends BOS: model.tokenize() does not, and the scores differ without it', async () => {
    const direct = await directModel(storiesPath);
    const plain = direct.tokenize(story);
    const tokens = stories.tokenizeText(story);
    expect(plain[0]).not.toBe(1);
    expect(tokens).toEqual([1, ...plain]);
    const withBos = sum((await stories.scoreTokens(tokens, 2)).map((entry) => entry.logprob));
    const withoutBos = sum((await stories.scoreTokens(plain, 1)).map((entry) => entry.logprob));
    expect(Math.abs(withBos - withoutBos)).toBeGreaterThan(0.05);
  });

  it('node-llama-cpp 3.22.1 trap: a token filter with includeMax leaves out the max token', async () => {
    const direct = await directModel(randomLlamaPath);
    const context = await direct.createContext({ contextSize: 64, sequences: 1, threads: 1 });
    try {
      const tokens = randomLlama.tokenizeText('Hello there');
      const [, result] = await context
        .getSequence()
        .controlledEvaluate([
          tokens[0]!,
          [tokens[1]!, { generateNext: { logits: { filter: { tokens: [tokens[2]!], includeMax: true } } } }],
        ]);
      // Only the asked token comes back, so "max of the map" is that token's logit: log p would be wrong.
      expect([...result!.next.logits!.keys()]).toEqual([tokens[2]]);
    } finally {
      await context.dispose();
    }
  });

  it('scores a reference after the chat prompt: tokens after the common prefix, whole-text bytes', async () => {
    const score = await stories.scoreReference(prompt, answer, 3);
    const promptTokens = stories.renderChat(prompt);
    const fullTokens = stories.renderChat(prompt, answer);
    expect(promptTokens[0]).toBe(1);
    // The Llama-2 template ends in "[/INST] ": that space and the answer's first word are one token.
    expect(score.promptTokens).toBe(promptTokens.length - 1);
    expect(fullTokens.slice(0, score.promptTokens)).toEqual(promptTokens.slice(0, -1));
    expect(score.tokens).toBe(fullTokens.length - score.promptTokens);
    expect(score.bytes).toBe(Buffer.byteLength(answer));
    expect(score.perToken.map((entry) => entry.token)).toEqual(fullTokens.slice(score.promptTokens));
    expect(score.perToken.map((entry) => entry.top.length)).toEqual(score.perToken.map(() => 3));
    const direct = await directLogprobs(storiesPath, fullTokens, score.promptTokens);
    expect(Math.abs(score.sumLogprob - sum(direct))).toBeLessThan(1e-4 * score.tokens);
    expect(bitsPerByte(score.sumLogprob, score.bytes)).toBeCloseTo(-sum(direct) / Math.LN2 / score.bytes, 4);
    expect(stories.detokenize(score.perToken.map((entry) => entry.token as Token)).trim()).toBe(answer);
  });

  it('renders the chat as one string and tokenizes it whole (Phi-3 style: no merge at the answer)', async () => {
    expect(stories.renderChatText(prompt)).toBe(
      '[INST] <<SYS>>\nYou tell stories.\n<</SYS>>\n\nTell me a story about a dog. [/INST] ',
    );
    expect(stories.renderChat(prompt)).toEqual(stories.tokenizeText(stories.renderChatText(prompt)));
  });

  it('an empty reference scores zero tokens', async () => {
    expect(await stories.scoreReference(prompt, '')).toMatchObject({ sumLogprob: 0, tokens: 0, bytes: 0 });
  });

  it('greedy chat: deterministic, and its logprobs equal the teacher-forced scores of the same tokens', async () => {
    const first = await stories.chat(prompt, { maxTokens: 24, topLogprobs: 2 });
    const second = await stories.chat(prompt, { maxTokens: 24, topLogprobs: 2 });
    expect(second).toEqual(first);
    expect(first.completionTokens).toBeGreaterThan(0);
    expect(first.text.length).toBeGreaterThan(0);
    const generated = first.logprobs!.map((entry) => entry.token as Token);
    for (const entry of first.logprobs!) expect(entry.top[0]!.token).toBe(entry.token);
    const promptTokens = stories.renderChat(prompt);
    const forced = await stories.scoreTokens([...promptTokens, ...generated], promptTokens.length);
    for (const [index, entry] of forced.entries()) {
      // One token at a time vs one batch: the same math in another order, float32 noise only.
      expect(entry.logprob).toBeCloseTo(first.logprobs![index]!.logprob, 3);
    }
  });

  it('stops at a stop string and at max tokens', async () => {
    const free = await stories.generate(stories.tokenizeText('Once upon a time'), { maxTokens: 30 });
    const word = free.text.trim().split(/\s+/)[2]!;
    const stopped = await stories.generate(stories.tokenizeText('Once upon a time'), {
      maxTokens: 30,
      stop: [word],
    });
    expect(stopped.finishReason).toBe('stop');
    expect(free.text.startsWith(stopped.text)).toBe(true);
    expect(stopped.text).not.toContain(word);
    const short = await stories.generate(stories.tokenizeText('Once upon a time'), { maxTokens: 3 });
    expect([short.finishReason, short.completionTokens]).toEqual(['length', 3]);
  });

  it('cuts at the first stop string wherever it falls: one character, across words, late, several', async () => {
    const prompt = stories.tokenizeText('Once upon a time');
    const free = await stories.generate(prompt, { maxTokens: 120 });
    const words = free.text.trim().split(/\s+/);
    const stops = [
      [words[1]!.slice(-1)],
      [`${words[2]} ${words[3]}`],
      [words.at(-2)!],
      [words.at(-3)!, words[4]!, 'never in the text \u{1F600}'],
    ];
    for (const stop of stops) {
      const cut = Math.min(...stop.map((text) => free.text.indexOf(text)).filter((at) => at !== -1));
      const stopped = await stories.generate(prompt, { maxTokens: 120, stop });
      expect({ text: stopped.text, finishReason: stopped.finishReason }).toEqual({
        text: free.text.slice(0, cut),
        finishReason: 'stop',
      });
    }
    const neverStopped = await stories.generate(prompt, { maxTokens: 120, stop: ['never in the text'] });
    expect(neverStopped).toEqual(free);
  });

  it('sampling with a seed repeats; another seed gives another text', async () => {
    const options = { maxTokens: 40, temperature: 1.5, seed: 7 };
    const first = await stories.chat(prompt, options);
    expect(await stories.chat(prompt, options)).toEqual(first);
    const others = await Promise.all([8, 9, 10].map((seed) => stories.chat(prompt, { ...options, seed })));
    expect(others.some((other) => other.text !== first.text)).toBe(true);
  });

  it('renders a Jinja chat template given in the options (the Phi-3 mini template)', async () => {
    const config = JSON.parse(await readFile(reference('phi3-mini', 'tokenizer_config.json'), 'utf8')) as {
      chat_template: string;
    };
    const phi = await GgufModel.open(storiesPath, { chatTemplate: config.chat_template });
    try {
      expect(phi.chatWrapperName).toBe('JinjaTemplate');
      expect(phi.renderChatText(prompt)).toBe(
        '<|system|>\nYou tell stories.<|end|>\n<|user|>\nTell me a story about a dog.<|end|>\n<|assistant|>\n',
      );
    } finally {
      await phi.dispose();
    }
  });

  it('a prompt longer than the context is a request error, not a crash', async () => {
    const long = stories.tokenizeText('the '.repeat(600));
    await expect(stories.scoreTokens(long, 1)).rejects.toThrow(GgufRequestError);
    await expect(stories.generate(long)).rejects.toThrow(GgufRequestError);
  });
});

describe('GgufModel.open errors', () => {
  it('a missing file is INPUT_NOT_FOUND', async () => {
    await expect(GgufModel.open(join(tmpdir(), 'no-such-model.gguf'))).rejects.toMatchObject({
      code: 'INPUT_NOT_FOUND',
    });
  });

  it('a file that is not GGUF is INPUT_UNREADABLE', async () => {
    const path = join(tmpdir(), `phikit-not-a-model-${process.pid}.gguf`);
    await writeFile(path, 'this is not a model');
    const error: unknown = await GgufModel.open(path).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PhikitError);
    expect((error as PhikitError).code).toBe('INPUT_UNREADABLE');
  });
});

if (!hasModels) describe.skip(modelsSkipMessage, () => {});
