// `npx tsx bench/thread-scaling.ts [--mb 20] [--seed 1] [--passes 3] [--rounds 2]`: what a second
// thread adds on this machine to prep's own per-record work. Each job runs over the same records in
// one worker thread (all records) and in two at once (half each), pass after pass, so the first
// pass shows a cold thread (V8 compiling the hot code, the word cache filling) and the later ones a
// warm one. Jobs: prep's front (what a front worker does per batch: parse, validate, clean, content
// key, token count, MinHash signature, from dist/), token counting alone, JSON.parse alone, and a
// plain character loop. Reads dist/ (`npm run build` first); prints a table, writes nothing.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { defaultDataPath, generateChat } from './generate-chat.js';

const JOBS = ['front', 'tokens', 'parse', 'loop'] as const;
type Job = (typeof JOBS)[number];

interface Share {
  job: Job;
  dist: string;
  lines: string[];
  passes: number;
}

// The worker's code (an eval worker, so it needs no loader): it builds its job untimed, then times each pass.
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { job, dist, lines, passes } = workerData;
const load = (path) => import(new URL(path, dist).href);
(async () => {
  const run = await jobOf(job);
  const ms = [];
  for (let pass = 0; pass < passes; pass++) {
    const started = performance.now();
    await run();
    ms.push(performance.now() - started);
  }
  parentPort.postMessage(ms);
})();
async function jobOf(job) {
  if (job === 'loop') return () => { let x = 0; for (const l of lines) for (let i = 0; i < l.length; i++) x = (x * 31 + l.charCodeAt(i)) | 0; return x; };
  if (job === 'parse') return () => { for (const l of lines) { try { JSON.parse(l); } catch {} } };
  const tokenizer = await (await load('tokenize/load.js')).loadTokenizer('phi-3');
  if (job === 'tokens') {
    const { countConversation } = await load('tokenize/count-job.js');
    const chats = lines.map(parsedChat).filter((chat) => chat !== undefined);
    return () => { for (const chat of chats) { try { countConversation(tokenizer, chat, false); } catch {} } };
  }
  const { frontWork } = await load('pipeline/front-work.js');
  const work = frontWork({
    validate: { format: 'messages', scenario: { by: 'field', path: 'scenario' } },
    disableClean: [], tokens: { tokenizer: undefined, allowSpecialText: false }, shingle: 3, seed: 42,
  }, tokenizer);
  const batches = [];
  for (let i = 0; i < lines.length; i += 512) batches.push(lines.slice(i, i + 512).map((raw, k) => ({ line: i + k + 1, raw })));
  return async () => { for (const batch of batches) await work(batch); };
}
function parsedChat(line) {
  try { const record = JSON.parse(line); return Array.isArray(record.messages) ? { messages: record.messages } : undefined; } catch { return undefined; }
}
`;

const { values: flags } = parseArgs({
  options: {
    mb: { type: 'string', default: '20' },
    seed: { type: 'string', default: '1' },
    passes: { type: 'string', default: '3' },
    rounds: { type: 'string', default: '2' },
  },
});
const passes = Number(flags.passes);
const rounds = Number(flags.rounds);
const dist = new URL('../dist/', import.meta.url).href;
if (!existsSync(fileURLToPath(new URL('pipeline/front-work.js', dist)))) {
  console.error('thread-scaling: dist/ is not built: run `npm run build` first');
  process.exit(2);
}
const file = defaultDataPath(Number(flags.mb), Number(flags.seed));
if (!existsSync(file))
  await generateChat({ path: file, megabytes: Number(flags.mb), seed: Number(flags.seed) });
// Lines as text: the jobs' own input (a line that is not UTF-8 is a different job's concern).
const lines = readFileSync(file, 'utf8')
  .split('\n')
  .filter((line) => line.length > 0);

/** Milliseconds per pass of the slowest of `parts` threads running at once, each on its share. */
async function timeThreads(job: Job, parts: number): Promise<number[]> {
  const shares = Array.from({ length: parts }, (_, part) => lines.filter((_, i) => i % parts === part));
  const perThread = await Promise.all(
    shares.map(
      (share) =>
        new Promise<number[]>((resolve, reject) => {
          const data: Share = { job, dist, lines: share, passes };
          const worker = new Worker(WORKER, { eval: true, workerData: data });
          worker.once('message', resolve);
          worker.once('error', reject);
        }),
    ),
  );
  return Array.from({ length: passes }, (_, pass) => Math.max(...perThread.map((ms) => ms[pass]!)));
}

const best = (runs: number[][]): number[] =>
  runs[0]!.map((_, pass) => Math.min(...runs.map((ms) => ms[pass]!)));
const rows: string[] = [];
for (const job of JOBS) {
  const one: number[][] = [];
  const two: number[][] = [];
  for (let round = 0; round < rounds; round++) {
    one.push(await timeThreads(job, 1));
    two.push(await timeThreads(job, 2));
  }
  const [a, b] = [best(one), best(two)];
  const cells = a.map(
    (ms, pass) => `${ms.toFixed(0)} / ${b[pass]!.toFixed(0)} ms: ${(ms / b[pass]!).toFixed(2)}x`,
  );
  rows.push(`| ${job} | ${cells.join(' | ')} |`);
}
const header = Array.from({ length: passes }, (_, pass) => `pass ${pass + 1}: 1 thread / 2 threads`);
console.log(
  `${lines.length} lines of ${file}; best of ${rounds} rounds; a pass's time is its slowest thread's\n`,
);
console.log(`| job | ${header.join(' | ')} |`);
console.log(`| --- | ${header.map(() => '---:').join(' | ')} |`);
for (const row of rows) console.log(row);
