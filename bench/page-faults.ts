// `npx tsx bench/page-faults.ts [--runs 7] [--seed 1]`: what fresh memory costs on this machine,
// and how much of a small prep's start-up it is. First the cost of touching a page the process has
// not used before: a 64 MiB buffer written one byte per 4 KiB page, then written again (its pages
// now present); the difference per page is the fault. Then GNU time's minor page faults, wall time
// and peak RSS of `node -e 0`, `phikit --version`, the 44-line sample and a generated 2 MB prep
// (the built CLI, defaults), the median of N runs each, interleaved. Reads dist/ (`npm run build`
// first); prints a table, writes nothing but the generated file, which it deletes.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { defaultDataPath, generateChat } from './generate-chat.js';

const PAGE = 4096;
const TOUCHED_BYTES = 64 << 20;
const GNU_TIME = '/usr/bin/time';
const root = fileURLToPath(new URL('..', import.meta.url));

interface Run {
  seconds: number;
  faults: number;
  peakMb: number;
}

/** Microseconds a first touch of a page costs more than touching it again (min of 3 buffers). */
function faultMicroseconds(): number {
  let best = Infinity;
  for (let round = 0; round < 3; round++) {
    const buffer = Buffer.allocUnsafeSlow(TOUCHED_BYTES);
    const touch = (value: number): number => {
      const started = performance.now();
      for (let at = 0; at < buffer.length; at += PAGE) buffer[at] = value;
      return performance.now() - started;
    };
    const first = touch(1);
    const again = touch(2);
    best = Math.min(best, ((first - again) * 1000) / (TOUCHED_BYTES / PAGE));
  }
  return best;
}

/** One run under GNU time: wall seconds, minor page faults, peak RSS. */
function timed(args: string[]): Run {
  const run = spawnSync(GNU_TIME, ['-f', '%e %R %M', process.execPath, ...args], {
    cwd: root,
    encoding: 'utf8',
  });
  const [seconds, faults, peakKb] = run.stderr.trim().split('\n').at(-1)!.split(' ').map(Number);
  if (run.status !== 0 || faults === undefined || Number.isNaN(faults))
    throw new Error(`${args.join(' ')} failed (exit ${run.status}): ${run.stderr.slice(-300)}`);
  return { seconds: seconds!, faults, peakMb: peakKb! / 1024 };
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[(values.length - 1) >> 1]!;

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { runs: { type: 'string' }, seed: { type: 'string' } } });
  const runs = Number(values.runs ?? 7);
  const seed = Number(values.seed ?? 1);
  if (!existsSync(GNU_TIME)) throw new Error(`${GNU_TIME} (GNU time) is needed: apt-get install time`);
  if (!existsSync(join(root, 'dist/cli/main.js'))) throw new Error('no dist/: run `npm run build` first');
  const file = defaultDataPath(2, seed);
  await generateChat({ path: file, megabytes: 2, seed });
  const out = mkdtempSync(join(tmpdir(), 'phikit-faults-'));
  const prep = (input: string) => [
    'dist/cli/main.js',
    'prep',
    input,
    '--out',
    out,
    '-q',
    '--scenario-field',
    'scenario',
  ];
  const rows: Array<[string, string[]]> = [
    ['`node -e 0`', ['-e', '0']],
    ['`phikit --version`', ['dist/cli/main.js', '--version']],
    ['`phikit prep` fixtures/sample.jsonl (44 lines)', prep('fixtures/sample.jsonl')],
    [`\`phikit prep\` generated 2 MB (seed ${seed})`, prep(file)],
  ];
  const results: Run[][] = rows.map(() => []);
  try {
    for (let round = 0; round < runs; round++) rows.forEach(([, args], i) => results[i]!.push(timed(args)));
  } finally {
    rmSync(out, { recursive: true, force: true });
    rmSync(file, { force: true });
  }
  const perFault = faultMicroseconds();
  const nodeFaults = median(results[0]!.map((run) => run.faults));
  const nodeSeconds = median(results[0]!.map((run) => run.seconds));
  console.log(
    `A first touch of a 4 KiB page costs ${perFault.toFixed(1)} us here (min of 3 buffers of 64 MiB).\n`,
  );
  console.log(
    '| run | wall s | minor faults | faults above `node -e 0` x cost | wall above `node -e 0` | peak RSS MB |',
  );
  console.log(
    '| --- | -----: | -----------: | ------------------------------: | ---------------------: | ----------: |',
  );
  rows.forEach(([label], i) => {
    const seconds = median(results[i]!.map((run) => run.seconds));
    const faults = median(results[i]!.map((run) => run.faults));
    const faultSeconds = ((faults - nodeFaults) * perFault) / 1e6;
    console.log(
      `| ${label} | ${seconds.toFixed(2)} | ${faults.toLocaleString('en-US')} | ${faultSeconds.toFixed(2)} s | ${(seconds - nodeSeconds).toFixed(2)} s | ${median(results[i]!.map((run) => run.peakMb)).toFixed(1)} |`,
    );
  });
  console.log(
    `\nMedians of ${runs} runs each, interleaved. \`npx tsx bench/page-faults.ts --runs ${runs}\`.`,
  );
}

await main();
