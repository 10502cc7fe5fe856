// `npx tsx bench/ab-near-index.ts [--records 45000] [--rounds 7] [--file F] DIST [DIST...]`: the
// main thread's part of dedupe-near (each example's signature looked up in the LSH index, then
// added, clusters joined), with prep's defaults, for two or more builds of dist/ in one process,
// alternating them over the same signatures. The signatures are computed once, ahead, as the front
// workers do. To compare with the code before a change, build it in a worktree (see ab-front.ts).
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { Envelope } from '../src/core/envelope.js';
import type * as MinHashModule from '../src/dedupe/minhash.js';
import type * as DedupeNearModule from '../src/stages/dedupe-near.js';
import { defaultDataPath, generateChat } from './generate-chat.js';

const BATCH = 512;
const SHINGLE = 3;

const { values: flags, positionals: dists } = parseArgs({
  allowPositionals: true,
  options: {
    records: { type: 'string', default: '45000' },
    rounds: { type: 'string', default: '7' },
    file: { type: 'string' },
  },
});
const records = Number(flags.records);
const rounds = Number(flags.rounds);
if (dists.length === 0 || !(records > 0) || !(rounds > 0)) {
  console.error(
    'usage: npx tsx bench/ab-near-index.ts [--records 45000] [--rounds 7] [--file F] DIST [DIST...]',
  );
  process.exit(2);
}

const at = (dist: string, path: string) => pathToFileURL(resolve(dist, path)).href;
const builds = await Promise.all(
  dists.map(async (dist) => (await import(at(dist, 'stages/dedupe-near.js'))) as typeof DedupeNearModule),
);
const { conversationParts, nearSignatureOf } = (await import(
  at(dists[0]!, 'dedupe/minhash.js')
)) as typeof MinHashModule;

const file = flags.file ?? defaultDataPath(20, 1);
if (!existsSync(file)) await generateChat({ path: file, megabytes: 20, seed: 1 });
const signatures = signaturesOf(file, records);

/** The signatures of the file's first chats with enough shingles (the stage sees the others as too short). */
function signaturesOf(path: string, count: number): Uint8Array[] {
  const found: Uint8Array[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (found.length >= count) break;
    let record: { messages?: Array<{ role: string; content: string }> };
    try {
      record = JSON.parse(line) as typeof record;
    } catch {
      continue;
    }
    if (!Array.isArray(record.messages) || !record.messages.every((m) => typeof m?.content === 'string'))
      continue;
    const signature = nearSignatureOf(conversationParts({ messages: record.messages } as never), SHINGLE);
    if (signature) found.push(signature);
  }
  return found;
}

/** One pass of a build's stage over every signature, in batches; its time and what it flagged. */
function pass(build: typeof DedupeNearModule): { ms: number; dropped: number } {
  const stage = build.createDedupeNearStage({ shingle: SHINGLE, expectedExamples: signatures.length });
  const started = performance.now();
  let dropped = 0;
  for (let i = 0; i < signatures.length; i += BATCH) {
    const batch = signatures.slice(i, i + BATCH).map(
      // `example` marks it in play; the stage reads only the signature given.
      (value, k) =>
        ({
          line: i + k + 1,
          raw: '',
          scenario: '',
          example: {},
          signature: { shingle: SHINGLE, value },
        }) as Envelope,
    );
    stage.run(batch);
    dropped += batch.filter((envelope) => envelope.rejection).length;
  }
  return { ms: performance.now() - started, dropped };
}

const best = builds.map(() => Infinity);
const dropped = builds.map(() => 0);
for (let round = 0; round < rounds; round++) {
  for (const [k, build] of builds.entries()) {
    const result = pass(build);
    best[k] = Math.min(best[k]!, result.ms);
    dropped[k] = result.dropped;
  }
}
console.log(`${signatures.length} signatures of ${file}, min of ${rounds} rounds each:`);
for (const [k, dist] of dists.entries())
  console.log(
    `  ${dist}: ${best[k]!.toFixed(1)} ms (${dropped[k]} near-duplicates), ${((1000 * best[k]!) / signatures.length).toFixed(2)} µs per example`,
  );
