// Time per 100 teacher-forced tokens on the two tiny GGUF models in ../shared/reference/models:
// phikit's scorer (token filter + includeTop + totalLogitWeight) vs full logits into JS, and greedy generation.
// Usage: npx tsx bench/gguf.ts [--runs 7] [--write]
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import type { Token } from 'node-llama-cpp';
import { GgufModel } from '../src/gguf/model.js';
import { getCpuLlama } from '../src/gguf/load.js';
import { reference } from '../test/helpers/shared.js';
import { writeReadmeBlock } from './tokenize-readme.js';

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '7' }, write: { type: 'boolean', default: false } },
});
const runs = Number(values.runs);
const SCORED_TOKENS = 400;
const GENERATED_TOKENS = 100;
const paragraph =
  'Once upon a time, there was a little girl named Lily. She loved to play outside in the park with her dog. ' +
  'One day, she saw a big red ball under a tree. She ran to the ball and kicked it high into the sky. ';

interface Row {
  model: string;
  what: string;
  msPer100: number;
  spread: string;
}

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function time(task: () => Promise<number>): Promise<{ msPer100: number; spread: string }> {
  await task(); // warm-up
  const samples: number[] = [];
  for (let run = 0; run < runs; run += 1) {
    const start = performance.now();
    const count = await task();
    samples.push(((performance.now() - start) / count) * 100);
  }
  return {
    msPer100: median(samples),
    spread: `${Math.min(...samples).toFixed(2)}-${Math.max(...samples).toFixed(2)}`,
  };
}

async function fullLogits(path: string, tokens: readonly Token[]): Promise<number> {
  const llama = await getCpuLlama();
  const model = await llama.loadModel({ modelPath: path, gpuLayers: 0 });
  const context = await model.createContext({ contextSize: 512, sequences: 1, threads: 1 });
  const sequence = context.getSequence();
  let total = 0;
  await sequence.clearHistory();
  const results = await sequence.controlledEvaluate(
    tokens.map((token, index) =>
      index < tokens.length - 1 ? [token, { generateNext: { logits: true } }] : token,
    ),
  );
  for (let index = 1; index < tokens.length; index += 1) {
    const logits = results[index - 1]!.next.logits!;
    let max = Number.NEGATIVE_INFINITY;
    for (const value of logits.values()) if (value > max) max = value;
    let sum = 0;
    for (const value of logits.values()) sum += Math.exp(value - max);
    total += logits.get(tokens[index]!)! - max - Math.log(sum);
  }
  await model.dispose();
  return total;
}

const rows: Row[] = [];
for (const file of ['stories260K.gguf', 'llama-2-tiny-random.gguf']) {
  const path = reference('models', file);
  const model = await GgufModel.open(path, { contextSize: 512 });
  const tokens = model.tokenizeText(paragraph.repeat(20)).slice(0, SCORED_TOKENS + 1);
  const scored = tokens.length - 1;
  const add = (what: string, result: { msPer100: number; spread: string }): void => {
    rows.push({ model: file, what, ...result });
  };
  add(
    'phikit scoreTokens (scored + greedy-choice logits)',
    await time(async () => (await model.scoreTokens(tokens, 1), scored)),
  );
  add(
    'phikit scoreTokens, top 5 alternatives',
    await time(async () => (await model.scoreTokens(tokens, 1, 5), scored)),
  );
  add(
    'full logits into JS, log-softmax in JS',
    await time(async () => (await fullLogits(path, tokens), scored)),
  );
  add(
    'greedy generation (per 100 generated)',
    await time(
      async () =>
        (await model.generate(tokens.slice(0, 8), { maxTokens: GENERATED_TOKENS })).completionTokens,
    ),
  );
  await model.dispose();
}

const table = [
  '| model | what | ms per 100 tokens (median) | min-max |',
  '| --- | --- | ---: | ---: |',
  ...rows.map((row) => `| ${row.model} | ${row.what} | ${row.msPer100.toFixed(2)} | ${row.spread} |`),
].join('\n');
const phikit = (file: string) =>
  rows.find((row) => row.model === file && row.what.startsWith('phikit scoreTokens ('))!;
const full = (file: string) => rows.find((row) => row.model === file && row.what.startsWith('full logits'))!;
const topFive = (file: string) => rows.find((row) => row.model === file && row.what.includes('top 5'))!;
const topRatio = (file: string) => (topFive(file).msPer100 / phikit(file).msPer100).toFixed(1);
const ratio = (file: string) => (full(file).msPer100 / phikit(file).msPer100).toFixed(1);
const text = `## GGUF scoring

Command: \`npx tsx bench/gguf.ts --runs ${runs} --write\`

Machine: ${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores available, Node ${process.version}; one llama.cpp thread
(phikit's default for models under 64 MiB), CPU only. One run of this script, ${runs} timed repetitions per row after a warm-up;
shared machine, so figures are noisy.
Input: ${SCORED_TOKENS} teacher-forced tokens (a TinyStories-like paragraph repeated, BOS first), each scored given all before it.
The full-logits row includes loading the model and creating a context once per repetition (it is the independent check's path).

${table}

In this run, copying every logit into JS cost ${ratio('stories260K.gguf')}x phikit's filtered path on the 512-token vocabulary and
${ratio('llama-2-tiny-random.gguf')}x on the 32,000-token one. Asking for 5 alternatives (\`includeTop\` sorts the vocabulary)
cost ${topRatio('stories260K.gguf')}x and ${topRatio('llama-2-tiny-random.gguf')}x the plain score.`;
console.log(text);
if (values.write) await writeReadmeBlock('bench:gguf', text);
