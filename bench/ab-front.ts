// `npx tsx bench/ab-front.ts [--records 4096] [--passes 16] [--file F] DIST [DIST...]`: prep's
// per-record work (a front worker's batch job: parse, validate, clean, content key, token count,
// MinHash) timed for two or more builds of dist/ in one process, alternating them over the same
// records. On a shared, noisy machine two whole prep runs differ by +-10%, which hides a 3-5% change;
// here the noise hits every build alike and the minimum over passes keeps the quietest one.
// To compare with the code before a change: `git worktree add /tmp/base HEAD~1`, build it there
// (`ln -s $PWD/node_modules /tmp/base/`, `npm run build`), then pass `/tmp/base/dist dist`.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type * as FrontWorkModule from '../src/pipeline/front-work.js';
import type * as LoadModule from '../src/tokenize/load.js';
import { defaultDataPath, generateChat } from './generate-chat.js';

const BATCH = 512;
/** Passes before these warm the JIT and the word cache; their times are not counted. */
const WARM_PASSES = 3;

const { values: flags, positionals: dists } = parseArgs({
  allowPositionals: true,
  options: {
    records: { type: 'string', default: '4096' },
    passes: { type: 'string', default: '16' },
    file: { type: 'string' },
  },
});
const records = Number(flags.records);
const passes = Number(flags.passes);
if (dists.length === 0 || !(records > 0) || !(passes > WARM_PASSES)) {
  console.error('usage: npx tsx bench/ab-front.ts [--records 4096] [--passes 16] [--file F] DIST [DIST...]');
  process.exit(2);
}

type BatchJob = (records: FrontWorkModule.FrontRecords) => Promise<FrontWorkModule.FrontBatch>;

/** A build's front job with prep's default configuration (scenario field, tokens, near-dedup). */
async function frontJob(dist: string): Promise<{ job: BatchJob; pack: typeof FrontWorkModule.packRecords }> {
  const at = (path: string) => pathToFileURL(resolve(dist, path)).href;
  const front = (await import(at('pipeline/front-work.js'))) as typeof FrontWorkModule;
  const { loadTokenizer } = (await import(at('tokenize/load.js'))) as typeof LoadModule;
  const config: FrontWorkModule.FrontConfig = {
    validate: { format: 'messages', scenario: { by: 'field', path: 'scenario' } },
    disableClean: [],
    tokens: { tokenizer: undefined, allowSpecialText: false },
    shingle: 3,
    seed: 42,
  };
  return { job: front.frontWork(config, await loadTokenizer('phi-3')), pack: front.packRecords };
}

/** The first `count` lines of the file as prep's reader hands them on: bytes, in batches. */
function batchesOf(file: string, count: number): Array<Array<{ line: number; bytes: Uint8Array }>> {
  const bytes = readFileSync(file);
  const lines: Uint8Array[] = [];
  for (let start = 0, i = 0; i < bytes.length && lines.length < count; i++) {
    if (bytes[i] !== 0x0a) continue;
    lines.push(bytes.subarray(start, i));
    start = i + 1;
  }
  const batches = [];
  for (let i = 0; i < lines.length; i += BATCH)
    batches.push(lines.slice(i, i + BATCH).map((line, k) => ({ line: i + k + 1, bytes: line })));
  return batches;
}

const file = flags.file ?? defaultDataPath(20, 1);
if (!existsSync(file)) await generateChat({ path: file, megabytes: 20, seed: 1 });
const batches = batchesOf(file, records);
const builds = await Promise.all(dists.map(frontJob));
const best = builds.map(() => Infinity);
const kept = builds.map(() => 0);
for (let pass = 0; pass < passes; pass++) {
  for (const [k, { job, pack }] of builds.entries()) {
    const started = performance.now();
    let count = 0;
    for (const batch of batches) count += (await job(pack(batch)!)).outcomes.filter((o) => o.kept).length;
    if (pass >= WARM_PASSES) best[k] = Math.min(best[k]!, performance.now() - started);
    kept[k] = count;
  }
}
const total = batches.reduce((sum, batch) => sum + batch.length, 0);
console.log(`${total} records of ${file}, min of ${passes - WARM_PASSES} passes each:`);
for (const [k, dist] of dists.entries())
  console.log(
    `  ${dist}: ${best[k]!.toFixed(1)} ms (${kept[k]} kept), ${((1000 * best[k]!) / total).toFixed(1)} µs per record`,
  );
