// `npm run bench:prep [-- --sizes 100,1000 --seed 1 --repeat 1 --tokens --profile --print-only --keep]`:
// throughput and peak RSS of prep (validate+clean+dedupe+split, token check off) against a read+JSON.parse
// baseline over the same generated file and the same reader (src/io/input.ts), measured in one run.
// Every measurement runs in a fresh child process, so its peak RSS (VmHWM) is its own.
import { spawnSync } from 'node:child_process';
import { createReadStream, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdir, rm, stat } from 'node:fs/promises';
import { availableParallelism, cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { StageFigures } from '../src/core/manifest.js';
import { defaultDataPath, generateChat } from './generate-chat.js';

type Variant = 'baseline' | 'copy' | 'pipeline' | 'pipeline+tokens';

interface Measurement {
  variant: Variant;
  seconds: number;
  bytes: number;
  /** Non-blank lines. */
  records: number;
  peakRssBytes: number;
  /** Pipeline only. */
  kept?: number;
  rejected?: number;
  rejectedByReason?: Record<string, number>;
  stages?: StageFigures[];
  dedupeIndexBytes?: number;
  /** dedupe-near's MinHash index: signatures, lines, band table, clusters. */
  nearIndexBytes?: number;
}

/** Per survivor in pipeline/prep.ts: scenario, unit, line, near ordinal, two token counts. */
const SURVIVOR_BYTES = 28;
const here = dirname(fileURLToPath(import.meta.url));
const outRoot = join(here, 'out');

/** Peak resident set of this process: VmHWM where /proc exists, else the kernel's maxRSS. */
function peakRssBytes(): number {
  try {
    const match = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (match) return Number(match[1]) * 1024;
  } catch {
    // Not Linux: fall through.
  }
  return process.resourceUsage().maxRSS * 1024;
}

async function runChild(variant: Variant, file: string, outDir: string): Promise<Measurement> {
  const bytes = (await stat(file)).size;
  // Module loading (and tsx's transform of it) is a fixed start-up cost, not throughput: timed after it.
  if (variant === 'baseline' || variant === 'copy') {
    const { openInput } = await import('../src/io/input.js');
    const { AtomicLineWriter } = await import('../src/io/atomic-writer.js');
    const started = process.hrtime.bigint();
    const input = await openInput(file);
    // `copy`: the least any prep must do besides reading, write each example back out once.
    const writer = variant === 'copy' ? new AtomicLineWriter(join(outDir, 'copy.jsonl')) : undefined;
    if (writer) await mkdir(outDir, { recursive: true });
    let records = 0;
    let parsed = 0;
    for await (const record of input.records) {
      if (record.blank) continue;
      records++;
      if (!record.validUtf8) continue;
      try {
        const value: unknown = JSON.parse(record.raw);
        parsed++;
        if (writer) await writer.writeLine(JSON.stringify(value));
      } catch {
        // Counted as not parsed; the baseline only measures the cost of trying.
      }
    }
    await writer?.commit();
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    return { variant, seconds, bytes, records, kept: parsed, peakRssBytes: peakRssBytes() };
  }
  const { prep } = await import('../src/pipeline/prep.js');
  const started = process.hrtime.bigint();
  const { manifest } = await prep(file, {
    out: outDir,
    scenarioField: 'scenario',
    tokens: variant === 'pipeline+tokens' ? {} : false,
    report: false,
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const dedupe = manifest.stages.find((stage) => stage.name === 'dedupe-exact');
  const rejectedByReason = Object.fromEntries(
    Object.entries(manifest.counts.rejectedByReason).filter(([, n]) => n > 0),
  );
  return {
    variant,
    seconds,
    bytes,
    records: manifest.counts.records,
    kept: manifest.counts.kept,
    rejected: manifest.counts.rejected,
    rejectedByReason,
    stages: manifest.stages,
    dedupeIndexBytes: Number(dedupe?.details?.indexBytes ?? 0),
    nearIndexBytes: Number(
      manifest.stages.find((stage) => stage.name === 'dedupe-near')?.details?.indexBytes ?? 0,
    ),
    peakRssBytes: peakRssBytes(),
  };
}

/** Runs one measurement in a fresh Node process (tsx as its loader) and reads its JSON result. */
function measure(variant: Variant, file: string, outDir: string, profileDir?: string): Measurement {
  const args = ['--import', 'tsx'];
  if (profileDir)
    args.push('--cpu-prof', '--cpu-prof-dir', profileDir, '--cpu-prof-name', `${variant}.cpuprofile`);
  args.push(fileURLToPath(import.meta.url), '--child', variant, '--file', file, '--out', outDir);
  const child = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (child.status !== 0) {
    throw new Error(`${variant} run failed (exit ${child.status}):\n${child.stderr}`);
  }
  const last = child.stdout.trim().split('\n').at(-1)!;
  return JSON.parse(last) as Measurement;
}

/** Reads the file once so every measured run starts from the same (warm) page cache. */
async function warmCache(file: string): Promise<void> {
  for await (const _chunk of createReadStream(file, { highWaterMark: 1 << 20 })) {
    // Discard.
  }
}

const mb = (bytes: number): string => (bytes / 1e6).toFixed(1);
const thousands = (n: number): string => Math.round(n).toLocaleString('en-US');

function best(runs: Measurement[]): Measurement {
  return runs.reduce((a, b) => (b.seconds < a.seconds ? b : a));
}

interface SizeResult {
  megabytes: number;
  file: string;
  baseline: Measurement;
  copy: Measurement;
  pipeline: Measurement;
  tokens?: Measurement;
  generated: { lines: number; kinds: Record<string, number> };
}

const LABELS: Record<Variant, string> = {
  baseline: 'read + JSON.parse (baseline)',
  copy: 'read + JSON.parse + JSON.stringify + write (reference)',
  pipeline: 'prep: validate+clean+dedupe+split',
  'pipeline+tokens': 'prep with token check (CLI default)',
};

function tableRows(results: SizeResult[]): string[] {
  const rows = [
    '| file | run | records | seconds | records/s | MB/s | peak RSS (MB) | vs baseline |',
    '| ---- | --- | ------: | ------: | --------: | ---: | ------------: | ----------: |',
  ];
  for (const result of results) {
    const base = result.baseline;
    for (const run of [result.baseline, result.copy, result.pipeline, result.tokens]) {
      if (!run) continue;
      const label = LABELS[run.variant];
      const ratio = base.seconds / run.seconds;
      rows.push(
        `| ${mb(run.bytes)} MB | ${label} | ${thousands(run.records)} | ${run.seconds.toFixed(1)} | ${thousands(run.records / run.seconds)} | ${(run.bytes / 1e6 / run.seconds).toFixed(1)} | ${mb(run.peakRssBytes)} | ${run.variant === 'baseline' ? '1.00' : ratio.toFixed(2)} |`,
      );
    }
  }
  return rows;
}

/** Where the pipeline's time goes: stage times from manifest.json, the rest is read, write and split. */
function stageRows(run: Measurement): string[] {
  const stages = (run.stages ?? []).filter((stage) => stage.name !== 'read');
  const inStages = stages.reduce((sum, stage) => sum + stage.ms, 0);
  const total = run.seconds * 1000;
  const rows = ['| step | seconds | share |', '| ---- | ------: | ----: |'];
  for (const stage of stages) {
    rows.push(
      `| ${stage.name} | ${(stage.ms / 1000).toFixed(1)} | ${((100 * stage.ms) / total).toFixed(0)}% |`,
    );
  }
  rows.push(
    `| read, rejected/spill writes, split pass | ${((total - inStages) / 1000).toFixed(1)} | ${((100 * (total - inStages)) / total).toFixed(0)}% |`,
  );
  return rows;
}

function readmeSection(results: SizeResult[], command: string, repeat: number): string {
  const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
  const lines = [
    '## prep',
    '',
    '<!-- bench:prep:start -->',
    '',
    `Command: \`${command}\``,
    '',
    `Machine: ${cpu}, ${availableParallelism()} cores available, Node ${process.version}. One run (${repeat === 1 ? 'one measurement' : `best of ${repeat}`} per row), shared machine.`,
    'Input: `bench/generate-chat.ts` (seed 1): six scenarios of uneven size, system/user/assistant turns of',
    'log-normal lengths, ~3% exact and ~1% whitespace-variant duplicates, ~3% HTML, ~1% invalid lines.',
    'Each row runs in a fresh Node process (tsx loader) after the file was read once to warm the page cache;',
    "peak RSS is that process's VmHWM. Baseline: `openInput` (src/io/input.ts) + `JSON.parse` of each line.",
    'Reference: the baseline plus `JSON.stringify` of each record written back out once (`AtomicLineWriter`).',
    'Pipeline: `prep(file, { scenarioField: "scenario", tokens: false, report: false })`, outputs written.',
    '',
    ...tableRows(results),
    '',
  ];
  const largest = results.at(-1)!;
  const smallest = results[0]!;
  for (const result of results) {
    const p = result.pipeline;
    lines.push(
      `${mb(p.bytes)} MB: ${thousands(p.records)} records, ${thousands(p.kept ?? 0)} kept, ${thousands(p.rejected ?? 0)} rejected (${Object.entries(
        p.rejectedByReason ?? {},
      )
        .map(([reason, n]) => `${reason} ${thousands(n)}`)
        .join(
          ', ',
        )}); dedupe table ${mb(p.dedupeIndexBytes ?? 0)} MB, near-duplicate index ${mb(p.nearIndexBytes ?? 0)} MB.`,
    );
    lines.push('');
  }
  if (results.length > 1) {
    const growth = largest.pipeline.peakRssBytes - smallest.pipeline.peakRssBytes;
    const signatures =
      (largest.pipeline.dedupeIndexBytes ?? 0) -
      (smallest.pipeline.dedupeIndexBytes ?? 0) +
      (largest.pipeline.nearIndexBytes ?? 0) -
      (smallest.pipeline.nearIndexBytes ?? 0) +
      SURVIVOR_BYTES * ((largest.pipeline.kept ?? 0) - (smallest.pipeline.kept ?? 0));
    lines.push(
      `Peak RSS of the pipeline from ${mb(smallest.pipeline.bytes)} MB to ${mb(largest.pipeline.bytes)} MB of input: ` +
        `${growth >= 0 ? '+' : ''}${mb(growth)} MB; the signatures it keeps grow by ${mb(signatures)} MB ` +
        `(dedupe table + near-duplicate index + ${SURVIVOR_BYTES} bytes per kept example for the plan, before growable-array slack).`,
      '',
    );
  }
  lines.push(
    `Where the pipeline's time goes (${mb(largest.pipeline.bytes)} MB, stage times from manifest.json):`,
    '',
  );
  lines.push(...stageRows(largest.pipeline), '', '<!-- bench:prep:end -->', '');
  return lines.join('\n');
}

/**
 * Replaces the `## prep` section of bench/README.md (up to the next `## ` heading), or appends it,
 * formatted with the repo's prettier config so `npm run lint` stays clean.
 */
async function writeReadme(section: string): Promise<void> {
  const path = join(here, 'README.md');
  const current = existsSync(path) ? readFileSync(path, 'utf8') : '# Benchmarks\n';
  const start = current.search(/^## prep\s*$/m);
  let next: string;
  if (start === -1) {
    next = `${current.trimEnd()}\n\n${section}`;
  } else {
    const following = current.slice(start + 1).search(/^## /m);
    const end = following === -1 ? current.length : start + 1 + following;
    next = `${current.slice(0, start)}${section}${following === -1 ? '' : `\n${current.slice(end)}`}`;
  }
  const prettier = await import('prettier');
  const options = (await prettier.resolveConfig(path)) ?? {};
  writeFileSync(path, await prettier.format(next, { ...options, filepath: path }));
}

const { values: flags } = parseArgs({
  options: {
    sizes: { type: 'string', default: '100,1000' },
    seed: { type: 'string', default: '1' },
    repeat: { type: 'string', default: '1' },
    tokens: { type: 'boolean', default: false },
    profile: { type: 'boolean', default: false },
    'print-only': { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
    child: { type: 'string' },
    file: { type: 'string' },
    out: { type: 'string' },
  },
});

if (flags.child !== undefined) {
  const result = await runChild(flags.child as Variant, flags.file!, flags.out!);
  console.log(JSON.stringify(result));
} else {
  const sizes = flags.sizes.split(',').map(Number);
  const seed = Number(flags.seed);
  const repeat = Number(flags.repeat);
  if (sizes.some((size) => !(size > 0)) || !Number.isInteger(seed) || !(repeat >= 1)) {
    console.error('usage: npm run bench:prep -- [--sizes 100,1000] [--seed 1] [--repeat 1] [--tokens]');
    process.exit(2);
  }
  const results: SizeResult[] = [];
  for (const megabytes of sizes) {
    const file = defaultDataPath(megabytes, seed);
    console.error(`generating ${megabytes} MB (seed ${seed}) -> ${file}`);
    const generated = await generateChat({ path: file, megabytes, seed });
    await warmCache(file);
    const outDir = join(outRoot, `prep-${megabytes}mb`);
    const profileDir = flags.profile ? join(outRoot, 'profiles', `${megabytes}mb`) : undefined;
    const runs: Record<Variant, Measurement[]> = {
      baseline: [],
      copy: [],
      pipeline: [],
      'pipeline+tokens': [],
    };
    const variants: Variant[] = [
      'baseline',
      'copy',
      'pipeline',
      ...(flags.tokens ? ['pipeline+tokens' as const] : []),
    ];
    for (let r = 0; r < repeat; r++) {
      for (const variant of variants) {
        const run = measure(variant, file, outDir, profileDir);
        console.error(
          `${megabytes} MB ${variant}: ${run.seconds.toFixed(1)} s, ${(run.bytes / 1e6 / run.seconds).toFixed(1)} MB/s, peak RSS ${mb(run.peakRssBytes)} MB`,
        );
        runs[variant].push(run);
        await rm(outDir, { recursive: true, force: true });
      }
    }
    results.push({
      megabytes,
      file,
      baseline: best(runs.baseline),
      copy: best(runs.copy),
      pipeline: best(runs.pipeline),
      ...(flags.tokens ? { tokens: best(runs['pipeline+tokens']) } : {}),
      generated: { lines: generated.lines, kinds: generated.kinds },
    });
    if (!flags.keep) await rm(file, { force: true });
  }
  const args = process.argv.slice(2);
  const command = `npm run bench:prep${args.length > 0 ? ` -- ${args.join(' ')}` : ''}`;
  const section = readmeSection(results, command, repeat);
  if (flags['print-only']) console.log(section);
  else {
    await writeReadme(section);
    console.log(section);
    console.error('wrote the ## prep section of bench/README.md');
  }
}
