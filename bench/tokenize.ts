// `npm run bench:tokenize [-- --mb 5 --seed 1 --write]`: tokenizer speed on one generated text (lines of
// the reference datasets, recombined): the reference encoder (@huggingface/tokenizers), phikit's fast
// encoder (1 thread, cold and warm word cache), chat counting through the worker pool (1 thread and every
// core) and, when installed, Debian's C++ spm_encode with Llama-2's tokenizer.model. --write puts the
// table into bench/README.md. phikit's code is measured as users run it: the build in dist/ (the npm
// script builds first), so worker threads run plain JavaScript. Then the tiktoken-rank tokenizers (Phi-4,
// Phi-4-mini) next to tiktoken's WASM build (bench/tokenize-tiktoken.ts); `--tiktoken-only` runs just those.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { Tokenizer } from '@huggingface/tokenizers';
import type { ChatMessage } from '../src/core/example.js';
import type * as Phi3Module from '../src/tokenize/phi3.js';
import type * as PoolModule from '../src/tokenize/pool.js';
import type * as SpBpeModule from '../src/tokenize/sp-bpe.js';
import { datasetStrings } from '../test/tokenize/real-data.js';
import { hasShared, reference } from '../test/helpers/shared.js';
import { generateCorpus, textLines } from './tokenize-corpus.js';
import { benchTiktokenRanks } from './tokenize-tiktoken.js';
import { writeReadmeBlock } from './tokenize-readme.js';

const { values: flags } = parseArgs({
  options: {
    mb: { type: 'string', default: '5' },
    seed: { type: 'string', default: '1' },
    write: { type: 'boolean', default: false },
    'tiktoken-only': { type: 'boolean', default: false },
  },
});
const megabytes = Number(flags.mb);
const seed = Number(flags.seed);

if (!hasShared) {
  console.error('bench:tokenize needs ../shared/reference (the datasets are its text)');
  process.exit(1);
}
const built = (path: string): URL => new URL(`../dist/tokenize/${path}`, import.meta.url);
if (!existsSync(built('pool.js'))) {
  console.error('bench:tokenize measures the build: run `npm run build` first');
  process.exit(1);
}
const { phi3TokenizerJson, phi3Vocabulary } = (await import(built('phi3.js').href)) as typeof Phi3Module;
const { createTokenCountPool } = (await import(built('pool.js').href)) as typeof PoolModule;
const { SpBpeEncoder } = (await import(built('sp-bpe.js').href)) as typeof SpBpeModule;

// One line per unit: spm_encode encodes line by line, so every encoder gets the same lines.
const lines = generateCorpus(textLines(datasetStrings()), megabytes * 1e6, seed)
  .flatMap((document) => document.split(/\r?\n/))
  .filter((line) => line !== '');

const tiktokenCommand = `npm run bench:tokenize -- --mb ${megabytes} --seed ${seed}${flags['tiktoken-only'] ? ' --tiktoken-only' : ''} --write`;
const tiktokenTable = async (): Promise<void> => {
  const table = await benchTiktokenRanks(
    lines,
    `### Phi-4 and Phi-4-mini (tiktoken ranks)\n\nCommand: \`${tiktokenCommand}\` (seed ${seed}).`,
  );
  console.log(table);
  if (flags.write) await writeReadmeBlock('bench:tokenize-tiktoken', table);
};
if (flags['tiktoken-only']) {
  await tiktokenTable();
  process.exit(0);
}

const bytes = lines.reduce((sum, line) => sum + Buffer.byteLength(line), 0);
const mb = bytes / 1e6;

interface Row {
  encoder: string;
  seconds: number;
  tokens: number;
  note?: string;
}
const rows: Row[] = [];

function time<T>(run: () => T): { value: T; seconds: number } {
  const start = process.hrtime.bigint();
  const value = run();
  return { value, seconds: Number(process.hrtime.bigint() - start) / 1e9 };
}

// Reference: @huggingface/tokenizers with Microsoft's tokenizer.json (the built-in one when absent).
const referenceJson = existsSync(reference('phi3-mini', 'tokenizer.json'))
  ? (JSON.parse(readFileSync(reference('phi3-mini', 'tokenizer.json'), 'utf8')) as object)
  : await phi3TokenizerJson('phi-3');
const referenceTokenizer = new Tokenizer(referenceJson, {});
const referenceRun = time(() =>
  lines.map((line) => referenceTokenizer.encode(line, { add_special_tokens: false }).ids),
);
rows.push({
  encoder: '@huggingface/tokenizers 0.2 (reference)',
  seconds: referenceRun.seconds,
  tokens: count(referenceRun.value),
});

const encoder = new SpBpeEncoder(await phi3Vocabulary('phi-3'));
const cold = time(() => lines.map((line) => encoder.encode(line)));
const differences = cold.value.filter((ids, index) => !sameIds(ids, referenceRun.value[index]!)).length;
rows.push({
  encoder: 'phikit fast encoder, 1 thread, cold cache',
  seconds: cold.seconds,
  tokens: count(cold.value),
  note: `${differences} lines differ from the reference`,
});
const warm = time(() => lines.reduce((sum, line) => sum + encoder.count(line), 0));
rows.push({
  encoder: 'phikit fast encoder, 1 thread, warm cache (2nd pass)',
  seconds: warm.seconds,
  tokens: warm.value,
});

// Chat counting as prep does it: template + encoder, through the pool.
const conversations: ChatMessage[][] = [];
for (let i = 0; i + 1 < lines.length; i += 2) {
  conversations.push([
    { role: 'user', content: lines[i]! },
    { role: 'assistant', content: lines[i + 1]! },
  ]);
}
const cores = availableParallelism();
for (const threads of [1, cores]) {
  const pool = await createTokenCountPool({ tokenizer: 'phi-3', allowSpecialText: true, threads });
  const start = process.hrtime.bigint();
  let tokens = 0;
  for (let i = 0; i < conversations.length; i += 512) {
    for (const result of await pool.count(conversations.slice(i, i + 512))) tokens += result.tokens.total;
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  await pool.close();
  rows.push({
    encoder: `phikit chat counting (template + encoder), ${threads} thread${threads === 1 ? '' : 's'}`,
    seconds,
    tokens,
    note: 'cold cache per thread; tokens include chat tokens',
  });
}

// Debian's C++ SentencePiece, same lines, Llama-2's model (same vocabulary).
const model = reference('llama2-spm', 'tokenizer.model');
if (spawnSync('spm_encode', ['--help']).error === undefined && existsSync(model)) {
  const input = join(tmpdir(), `phikit-bench-${process.pid}.txt`);
  writeFileSync(input, lines.join('\n') + '\n');
  const start = process.hrtime.bigint();
  const result = spawnSync('spm_encode', [`--model=${model}`, '--output_format=id', `--input=${input}`], {
    maxBuffer: 1 << 30,
    encoding: 'utf8',
  });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const spmIds = result.stdout
    .split('\n')
    .slice(0, lines.length)
    .map((line) => (line === '' ? [] : line.split(' ').map(Number)));
  const agree = spmIds.filter((ids, index) => sameIds(ids, cold.value[index]!)).length;
  rows.push({
    encoder: 'spm_encode (Debian sentencepiece, C++), 1 thread',
    seconds,
    tokens: count(spmIds),
    note:
      `${agree}/${lines.length} lines give phikit's ids` +
      (agree < lines.length ? ' (spm_encode reads special-token strings such as <|end|> as text)' : ''),
  });
} else {
  rows.push({
    encoder: 'spm_encode',
    seconds: NaN,
    tokens: 0,
    note: 'not installed (apt-get install sentencepiece)',
  });
}

// How much parallel CPU the machine gives right now: the same busy loop on 1 worker, then on every core.
const capacity = await parallelCapacity(cores);

const baseline = rows[0]!.seconds;
const spm = rows.find((row) => row.encoder.startsWith('spm_encode') && Number.isFinite(row.seconds));
const table = [
  `Text: ${lines.length.toLocaleString('en-US')} lines, ${mb.toFixed(2)} MB (UTF-8) of recombined dataset text (seed ${seed}).`,
  `Machine: ${cpus()[0]?.model ?? 'unknown CPU'}, ${cores} cores available, Node ${process.version}. One run, shared machine.`,
  `Parallel capacity measured in the same run: ${cores} busy-loop workers did ${capacity.toFixed(2)}x the work of one in the same time ` +
    `(${cores}.00x on idle dedicated cores); the all-cores row is bounded by it.`,
  '',
  '| encoder | MB/s | tokens/s | vs reference | vs spm_encode | notes |',
  '|---|---:|---:|---:|---:|---|',
  ...rows.map((row) =>
    Number.isFinite(row.seconds)
      ? `| ${row.encoder} | ${(mb / row.seconds).toFixed(2)} | ${Math.round(row.tokens / row.seconds).toLocaleString('en-US')} | ` +
        `${(baseline / row.seconds).toFixed(1)}x | ${spm ? `${(spm.seconds / row.seconds).toFixed(1)}x` : '-'} | ${row.note ?? ''} |`
      : `| ${row.encoder} | - | - | - | - | ${row.note ?? ''} |`,
  ),
].join('\n');
console.log(table);

if (flags.write) {
  await writeReadmeBlock(
    'bench:tokenize',
    `### Speed\n\nCommand: \`npm run bench:tokenize -- --mb ${megabytes} --seed ${seed} --write\`\n\n${table}`,
  );
}

await tiktokenTable();

async function parallelCapacity(workers: number): Promise<number> {
  const loop = `const { parentPort } = require('node:worker_threads'); let x = 0; const t = process.hrtime.bigint();
    for (let i = 0; i < 2e8; i++) x = (x + i * 7) | 0; parentPort.postMessage(Number(process.hrtime.bigint() - t) / 1e9 + (x & 0));`;
  const run = async (count: number): Promise<number> => {
    const start = process.hrtime.bigint();
    await Promise.all(
      Array.from(
        { length: count },
        () =>
          new Promise<void>((resolve, reject) => {
            const worker = new Worker(loop, { eval: true });
            worker.once('message', () => void worker.terminate().then(() => resolve()));
            worker.once('error', reject);
          }),
      ),
    );
    return Number(process.hrtime.bigint() - start) / 1e9;
  };
  const one = await run(1);
  const all = await run(workers);
  return (workers * one) / all;
}

function count(ids: number[][]): number {
  return ids.reduce((sum, line) => sum + line.length, 0);
}

function sameIds(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((id, index) => id === b[index]);
}
