// `npm run bench:prep [-- --sizes 100,1000 --seed 1 --repeat 1 --small-runs 5 --hf-max-mb 2 --profile --print-only --keep]`:
// throughput and peak RSS of prep as users run it (defaults: token check, near-dedup, leakage clusters,
// report) and lean (no tokens, no report) against a read+JSON.parse baseline over the same generated file,
// next to what a user would otherwise write (a JS loop with exact dedupe, and the same with
// @huggingface/tokenizers counting tokens); small files run through the built CLI next to `node -e 0`.
// Every measurement runs in a fresh child process, so its peak RSS (VmHWM) is its own.
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { createReadStream, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { mkdir, rm, stat } from 'node:fs/promises';
import { availableParallelism, cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { Manifest, StageFigures } from '../src/core/manifest.js';
import { SMALL_INPUT_BYTES } from '../src/pipeline/prep-stages.js';
import { defaultDataPath, generateChat } from './generate-chat.js';

type Variant =
  'baseline' | 'copy' | 'pipeline' | 'pipeline-lean' | 'pipeline-one-thread' | 'js-loop' | 'hf-tokenizers';

/** The rows that run the built CLI as a user does, and their flags besides the input, --out and -q. */
const CLI_VARIANTS = {
  pipeline: ['--scenario-field', 'scenario'],
  'pipeline-lean': ['--scenario-field', 'scenario', '--no-tokens', '--no-report'],
  'pipeline-one-thread': ['--scenario-field', 'scenario', '--threads', '1'],
} as const;
type CliVariant = keyof typeof CLI_VARIANTS;
const isCliVariant = (variant: Variant): variant is CliVariant => variant in CLI_VARIANTS;

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
  /** hf-tokenizers only: tokens counted. */
  tokens?: number;
  /** CLI rows: CPU seconds (user + system) of the main thread, each front worker, and the rest (V8's GC and libuv threads). */
  threadCpu?: { main: number; workers: number[]; helpers: number };
}

/** Per survivor in pipeline/prep.ts: scenario, unit, line, near ordinal, two token counts. */
const SURVIVOR_BYTES = 28;
const here = dirname(fileURLToPath(import.meta.url));
const outRoot = join(here, 'out');
const repoRoot = join(here, '..');
/** Microsoft's Phi-3 mini tokenizer.json for the @huggingface/tokenizers row; the row is skipped without it. */
const PHI3_TOKENIZER_JSON = join(repoRoot, '..', 'shared', 'reference', 'phi3-mini', 'tokenizer.json');

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
    // The folder first: the writer opens its temp file as soon as it is made.
    if (variant === 'copy') await mkdir(outDir, { recursive: true });
    const writer = variant === 'copy' ? new AtomicLineWriter(join(outDir, 'copy.jsonl')) : undefined;
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
  if (variant === 'js-loop' || variant === 'hf-tokenizers') return userLoop(variant, file, bytes);
  throw new Error(`${variant} runs through the CLI, not in a child`);
}

/**
 * What a user would write instead of prep: read lines, JSON.parse, drop exact duplicates of `messages`
 * (a Set of their JSON), and with `hf-tokenizers` count each kept example's tokens with
 * @huggingface/tokenizers on Microsoft's Phi-3 tokenizer.json, rendered as Phi-3's chat template does.
 */
async function userLoop(variant: Variant, file: string, bytes: number): Promise<Measurement> {
  const { createInterface } = await import('node:readline');
  const encoder = variant === 'hf-tokenizers' ? await hfEncoder() : undefined;
  const started = process.hrtime.bigint();
  const seen = new Set<string>();
  let records = 0;
  let kept = 0;
  let tokens = 0;
  for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
    if (line.trim() === '') continue;
    records++;
    let messages: Array<{ role?: unknown; content?: unknown }>;
    try {
      messages = (JSON.parse(line) as { messages: typeof messages }).messages;
    } catch {
      continue;
    }
    if (!Array.isArray(messages)) continue;
    const key = JSON.stringify(messages);
    if (seen.has(key)) continue;
    seen.add(key);
    kept++;
    if (encoder) {
      const text = messages.map((m) => `<|${String(m.role)}|>\n${String(m.content)}<|end|>\n`).join('');
      tokens += encoder(`${text}<|endoftext|>`);
    }
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { variant, seconds, bytes, records, kept, tokens, peakRssBytes: peakRssBytes() };
}

async function hfEncoder(): Promise<(text: string) => number> {
  const { Tokenizer } = await import('@huggingface/tokenizers');
  const json = JSON.parse(readFileSync(PHI3_TOKENIZER_JSON, 'utf8')) as Record<string, unknown>;
  const config = JSON.parse(
    readFileSync(join(dirname(PHI3_TOKENIZER_JSON), 'tokenizer_config.json'), 'utf8'),
  ) as Record<string, unknown>;
  const tokenizer = new Tokenizer(json, config);
  return (text) => tokenizer.encode(text, { add_special_tokens: false }).ids.length;
}

/** One thread's CPU seconds so far (utime + stime), from /proc/PID/task/TID/stat. */
function threadSeconds(pid: number, tid: string): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}

const CLOCK_TICKS = 100;

/**
 * A CLI row: `node dist/cli/main.js prep FILE --out DIR -q ...` in its own process, as a user runs it
 * (no tsx), its threads' CPU and its peak RSS read from /proc every 50 ms while it runs.
 */
async function measureCli(variant: CliVariant, file: string, outDir: string): Promise<Measurement> {
  const bytes = (await stat(file)).size;
  const args = [CLI, 'prep', file, '--out', outDir, '-q', ...CLI_VARIANTS[variant]];
  const started = process.hrtime.bigint();
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const pid = child.pid!;
  const cpu = new Map<string, number>();
  let peakRssBytes = 0;
  const poll = (): void => {
    try {
      const match = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (match) peakRssBytes = Math.max(peakRssBytes, Number(match[1]) * 1024);
      for (const tid of readdirSync(`/proc/${pid}/task`)) {
        const seconds = threadSeconds(pid, tid);
        if (seconds !== undefined) cpu.set(tid, seconds);
      }
    } catch {
      // The process has just exited.
    }
  };
  const timer = setInterval(poll, 50);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearInterval(timer);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (code !== 0) throw new Error(`${variant} run failed (exit ${code}):\n${stderr}`);
  const manifest = JSON.parse(readFileSync(join(outDir, 'manifest.json'), 'utf8')) as Manifest;
  return {
    ...manifestFigures(variant, manifest, bytes),
    seconds,
    peakRssBytes,
    threadCpu: splitThreads(cpu, String(pid), workersOf(variant, bytes)),
  };
}

/** Front workers of a run: one per core from SMALL_INPUT_BYTES of input, none with --threads 1. */
function workersOf(variant: CliVariant, bytes: number): number {
  if (variant === 'pipeline-one-thread' || bytes < SMALL_INPUT_BYTES) return 0;
  return availableParallelism();
}

/** The main thread is the process's own; the busiest others are the front workers; the rest helpers. */
function splitThreads(cpu: Map<string, number>, main: string, workers: number): Measurement['threadCpu'] {
  const others = [...cpu].filter(([tid]) => tid !== main).map(([, seconds]) => seconds);
  others.sort((a, b) => b - a);
  const helpers = others.slice(workers).reduce((sum, seconds) => sum + seconds, 0);
  return { main: cpu.get(main) ?? 0, workers: others.slice(0, workers), helpers };
}

function manifestFigures(
  variant: Variant,
  manifest: Manifest,
  bytes: number,
): Omit<Measurement, 'seconds' | 'peakRssBytes'> {
  const dedupe = manifest.stages.find((stage) => stage.name === 'dedupe-exact');
  return {
    variant,
    bytes,
    records: manifest.counts.records,
    kept: manifest.counts.kept,
    rejected: manifest.counts.rejected,
    rejectedByReason: Object.fromEntries(
      Object.entries(manifest.counts.rejectedByReason).filter(([, n]) => n > 0),
    ),
    stages: manifest.stages,
    dedupeIndexBytes: Number(dedupe?.details?.indexBytes ?? 0),
    nearIndexBytes: Number(
      manifest.stages.find((stage) => stage.name === 'dedupe-near')?.details?.indexBytes ?? 0,
    ),
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

const CLI = join(repoRoot, 'dist', 'cli', 'main.js');
const SAMPLE = join(repoRoot, 'fixtures', 'sample.jsonl');
const SMALL_MB = 2;

/** Wall time and peak RSS of one process, as a user sees them (GNU time's %M; no RSS without it). */
interface ProcessRun {
  seconds: number;
  peakRssBytes: number | undefined;
}

const GNU_TIME = '/usr/bin/time';

function timeProcess(args: string[], env: NodeJS.ProcessEnv = {}): ProcessRun {
  const withTime = existsSync(GNU_TIME);
  const command = withTime ? GNU_TIME : process.execPath;
  const commandArgs = withTime ? ['-f', 'peak-rss-kb %M', process.execPath, ...args] : args;
  const started = process.hrtime.bigint();
  const child = spawnSync(command, commandArgs, {
    encoding: 'utf8',
    maxBuffer: 1 << 24,
    env: { ...process.env, ...env },
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (child.status !== 0)
    throw new Error(`node ${args.join(' ')} failed (exit ${child.status}):\n${child.stderr}`);
  const rss = /peak-rss-kb (\d+)/.exec(child.stderr);
  return { seconds, peakRssBytes: rss ? Number(rss[1]) * 1024 : undefined };
}

interface SmallRow {
  label: string;
  runs: ProcessRun[];
  /** What the goals read from the row; the rows from the modules have none. */
  role?: 'node' | 'sample' | 'generated' | 'warm';
}

/** The CLI started from its modules instead of the compiled bundle and its code cache (src/cli/main.ts). */
const FROM_MODULES = { PHIKIT_NO_BUNDLE: '1' };

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

/**
 * Small files through the built CLI, as a user runs them (`node dist/cli/main.js prep FILE --out DIR`,
 * defaults otherwise), next to bare `node -e 0`; runs interleaved so load on a shared machine hits all alike.
 */
async function measureSmallFiles(seed: number, runs: number): Promise<SmallRow[]> {
  const generatedFile = defaultDataPath(SMALL_MB, seed);
  await generateChat({ path: generatedFile, megabytes: SMALL_MB, seed });
  const outDir = join(outRoot, 'prep-small');
  const prepArgs = (file: string) => [
    CLI,
    'prep',
    file,
    '--out',
    outDir,
    '--scenario-field',
    'scenario',
    '-q',
  ];
  const sampleLabel = `fixtures/sample.jsonl (44 lines, ${(statSync(SAMPLE).size / 1e3).toFixed(1)} kB)`;
  const generatedLabel = `generated ${SMALL_MB} MB (seed ${seed})`;
  const rows: Array<SmallRow & { args: string[]; env?: NodeJS.ProcessEnv }> = [
    { label: 'bare Node start-up: `node -e 0`', args: ['-e', '0'], runs: [], role: 'node' },
    { label: `\`phikit prep\` ${sampleLabel}`, args: prepArgs(SAMPLE), runs: [], role: 'sample' },
    {
      label: `\`phikit prep\` ${generatedLabel}`,
      args: prepArgs(generatedFile),
      runs: [],
      role: 'generated',
    },
    {
      label: `the same from the modules, no code cache (\`PHIKIT_NO_BUNDLE=1\`): ${sampleLabel}`,
      args: prepArgs(SAMPLE),
      env: FROM_MODULES,
      runs: [],
    },
    {
      label: `the same from the modules, no code cache: ${generatedLabel}`,
      args: prepArgs(generatedFile),
      env: FROM_MODULES,
      runs: [],
    },
  ];
  for (let r = 0; r < runs; r++) {
    for (const row of rows) {
      row.runs.push(timeProcess(row.args, row.env));
      await rm(outDir, { recursive: true, force: true });
    }
  }
  const warm = warmRuns(generatedFile, outDir, runs);
  if (!flags.keep) await rm(generatedFile, { force: true });
  return [
    ...rows.map(({ label, runs: measured, role }) => ({ label, runs: measured, ...(role ? { role } : {}) })),
    {
      label: `a warm JIT, no start-up: ${generatedLabel} prepped again in one process (library \`prep()\`, after ${WARM_UP_RUNS} runs)`,
      runs: warm,
      role: 'warm',
    },
  ];
}

const WARM_UP_RUNS = 2;

/**
 * The floor a cold start stands on: the same prep repeated in one process (JIT warm, modules and
 * tokenizer loaded), timed after WARM_UP_RUNS runs. Not a user's run; it tells start-up and JIT
 * warm-up apart from the work itself.
 */
function warmRuns(file: string, outDir: string, runs: number): ProcessRun[] {
  const library = pathToFileURL(join(repoRoot, 'dist', 'index.js')).href;
  const code = `
    const { prep } = await import(${JSON.stringify(library)});
    const times = [];
    for (let run = 0; run < ${WARM_UP_RUNS + runs}; run++) {
      const started = performance.now();
      await prep(${JSON.stringify(file)}, { out: ${JSON.stringify(outDir)}, scenarioField: 'scenario' });
      times.push((performance.now() - started) / 1000);
    }
    console.log(JSON.stringify(times.slice(${WARM_UP_RUNS})));`;
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8' });
  if (child.status !== 0) throw new Error(`warm prep runs failed (exit ${child.status}):\n${child.stderr}`);
  const seconds = JSON.parse(child.stdout.trim().split('\n').pop()!) as number[];
  return seconds.map((value) => ({ seconds: value, peakRssBytes: undefined }));
}

function smallRows(rows: SmallRow[]): string[] {
  const node = rows[0]!;
  const nodeMin = Math.min(...node.runs.map((run) => run.seconds));
  const nodeMedian = median(node.runs.map((run) => run.seconds));
  const lines = [
    '| run | wall s, min | wall s, median | min / node min | median / node median | peak RSS MB, median |',
    '| --- | ---------: | -------------: | -------------: | -------------------: | ------------------: |',
  ];
  for (const row of rows) {
    const seconds = row.runs.map((run) => run.seconds);
    const rss = row.runs.flatMap((run) => (run.peakRssBytes === undefined ? [] : [run.peakRssBytes]));
    lines.push(
      `| ${row.label} | ${Math.min(...seconds).toFixed(2)} | ${median(seconds).toFixed(2)} | ${(Math.min(...seconds) / nodeMin).toFixed(1)}x | ${(median(seconds) / nodeMedian).toFixed(1)}x | ${rss.length > 0 ? mb(median(rss)) : 'n/a'} |`,
    );
  }
  return lines;
}

/** Issue 15's goals, each against this run's figures: met or not, with the start-up budget under goal 1. */
function goalRows(results: SizeResult[], small: SmallRow[]): string[] {
  const seconds = (role: SmallRow['role']) =>
    small.find((row) => row.role === role)?.runs.map((run) => run.seconds) ?? [];
  const [node, sample, generated, warm] = (['node', 'sample', 'generated', 'warm'] as const).map(seconds);
  const verdict = (met: boolean): string => (met ? 'met' : '**not met**');
  const rows = ['| goal | target | this run | |', '| --- | --- | --- | --- |'];
  if (node!.length > 0 && generated!.length > 0) {
    const minRatio = Math.min(...generated!) / Math.min(...node!);
    const medianRatio = median(generated!) / median(node!);
    const rss = small.find((row) => row.role === 'generated')!.runs.flatMap((run) => run.peakRssBytes ?? []);
    rows.push(
      `| 1. ${SMALL_MB} MB prep, wall time over \`node -e 0\` | at most 4x (best run) | ${minRatio.toFixed(1)}x min, ${medianRatio.toFixed(1)}x median | ${verdict(minRatio <= 4)} |`,
    );
    if (rss.length > 0)
      rows.push(
        `| 1. ${SMALL_MB} MB prep, peak RSS | under 150 MB | ${mb(median(rss))} MB | ${verdict(median(rss) < 150e6)} |`,
      );
  }
  const at = (megabytes: number) => results.find((result) => result.megabytes === megabytes);
  const hundred = at(100);
  if (hundred) {
    const ratio = hundred.baseline.seconds / hundred.pipeline.seconds;
    rows.push(
      `| 2. 100 MB prep, speed against read + JSON.parse | at least 0.10 | ${ratio.toFixed(3)} (${hundred.pipeline.seconds.toFixed(2)} s against ${hundred.baseline.seconds.toFixed(2)} s) | ${verdict(ratio >= 0.1)} |`,
      `| 3. 100 MB prep, peak RSS | at most 300 MB | ${mb(hundred.pipeline.peakRssBytes)} MB | ${verdict(hundred.pipeline.peakRssBytes <= 300e6)} |`,
    );
  }
  const gigabyte = at(1000);
  if (gigabyte) {
    const limit = 300e6 + 150 * (gigabyte.pipeline.kept ?? 0);
    rows.push(
      `| 2. 1 GB prep, wall time | under 60 s | ${gigabyte.pipeline.seconds.toFixed(1)} s | ${verdict(gigabyte.pipeline.seconds < 60)} |`,
      `| 3. 1 GB prep, peak RSS | 300 MB + 150 B per kept example (${mb(limit)} MB) | ${mb(gigabyte.pipeline.peakRssBytes)} MB | ${verdict(gigabyte.pipeline.peakRssBytes <= limit)} |`,
    );
  }
  if (node!.length === 0 || sample!.length === 0 || warm!.length === 0) return rows;
  const [nodeMin, sampleMin, warmMin] = [node!, sample!, warm!].map((values) => Math.min(...values)) as [
    number,
    number,
    number,
  ];
  return [
    ...rows,
    '',
    `Goal 1's budget, from the rows above (min): \`node -e 0\` takes ${nodeMin.toFixed(2)} s; the 44-line sample, almost no work, ` +
      `${(sampleMin - nodeMin).toFixed(2)} s more (loading the CLI, the tokenizer and the report's modules, six files written); ` +
      `the ${SMALL_MB} MB prep's work alone, JIT warm, ${warmMin.toFixed(2)} s. Together ${(nodeMin + (sampleMin - nodeMin) + warmMin).toFixed(2)} s ` +
      `before any JIT warm-up, against the ${(4 * nodeMin).toFixed(2)} s the goal allows.`,
  ];
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
  /** prep with a user's defaults: token check, near-dedup, leakage clusters, report. */
  pipeline: Measurement;
  lean: Measurement;
  oneThread: Measurement;
  jsLoop: Measurement;
  /** Absent without ../shared/reference/phi3-mini/tokenizer.json. */
  hfTokenizers?: Measurement;
  generated: { lines: number; kinds: Record<string, number> };
}

const LABELS: Record<Variant, string> = {
  baseline: 'read + JSON.parse (baseline)',
  copy: 'read + JSON.parse + JSON.stringify + write (reference)',
  pipeline: '**`phikit prep`, defaults** (token check, near-dedup, leakage clusters, report)',
  'pipeline-lean': '`phikit prep --no-tokens --no-report` (lean)',
  'pipeline-one-thread': '`phikit prep --threads 1` (defaults, no workers)',
  'js-loop': 'JS loop: readline + JSON.parse + exact dedupe (Set)',
  'hf-tokenizers': 'JS loop + token count with @huggingface/tokenizers',
};

function tableRows(results: SizeResult[]): string[] {
  const rows = [
    '| file | run | records | seconds | records/s | MB/s | peak RSS (MB) | vs baseline |',
    '| ---- | --- | ------: | ------: | --------: | ---: | ------------: | ----------: |',
  ];
  for (const result of results) {
    const base = result.baseline;
    for (const run of [
      result.pipeline,
      result.oneThread,
      result.lean,
      result.baseline,
      result.copy,
      result.jsLoop,
      result.hfTokenizers,
    ]) {
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
  const rest = total - inStages;
  // Front workers run their stages while the main thread runs the others: stage times can add up to more than the run.
  if (rest >= 0) {
    rows.push(
      `| read, rejected/spill writes, split pass | ${(rest / 1000).toFixed(1)} | ${((100 * rest) / total).toFixed(0)}% |`,
    );
  } else {
    rows.push(
      '',
      `Stage times add up to ${(inStages / 1000).toFixed(1)} s of a ${(total / 1000).toFixed(1)} s run: the front workers run parse, validate and clean and the work done ahead for dedupe-exact, token-length and dedupe-near (timed under those names) while the main thread runs the rest.`,
    );
  }
  return rows;
}

/** Peak RSS of the largest file, from the baseline up: what each part of the defaults adds. */
function whereBytesGo({ baseline, lean, oneThread, pipeline }: SizeResult): string[] {
  const workers = pipeline.threadCpu?.workers.length ?? 0;
  return [
    `Where peak RSS goes at ${mb(pipeline.bytes)} MB: ${mb(baseline.peakRssBytes)} MB is Node, the reader and JSON.parse (baseline, tsx loaded too); ` +
      `the defaults in one thread (\`--threads 1\`) take ${mb(oneThread.peakRssBytes)} MB: modules, the Phi-3 encoder's tables and word cache, ` +
      `the dedupe table (${mb(oneThread.dedupeIndexBytes ?? 0)} MB), the near-duplicate index (${mb(oneThread.nearIndexBytes ?? 0)} MB), ` +
      `per-survivor signatures, writer buffers, two batches in flight, the report's chart modules. ` +
      `With ${workers} front workers the defaults take ${mb(pipeline.peakRssBytes)} MB (+${mb(pipeline.peakRssBytes - oneThread.peakRssBytes)} MB): ` +
      `each worker is a V8 heap with its own modules, encoder and word cache, and two batches per worker are in flight. ` +
      `Lean (\`--no-tokens --no-report\`, workers still on) takes ${mb(lean.peakRssBytes)} MB.`,
    '',
  ];
}

/** CPU per thread of the CLI rows at the largest file: where two cores go. */
function whereCpuGoes({ pipeline, oneThread }: SizeResult): string[] {
  const describe = (run: Measurement): string => {
    const cpu = run.threadCpu;
    if (!cpu) return 'not measured';
    const workers = cpu.workers.map((seconds) => seconds.toFixed(1)).join(' + ');
    const total = cpu.main + cpu.workers.reduce((a, b) => a + b, 0) + cpu.helpers;
    return `main thread ${cpu.main.toFixed(1)} s${workers ? `, front workers ${workers} s` : ''}, V8 GC and libuv threads ${cpu.helpers.toFixed(1)} s: ${total.toFixed(1)} CPU-seconds in ${run.seconds.toFixed(1)} s`;
  };
  return [
    `Where the CPU goes at ${mb(pipeline.bytes)} MB (user + system time of each thread, from /proc): defaults: ${describe(pipeline)}; ` +
      `\`--threads 1\`: ${describe(oneThread)}.`,
    '',
  ];
}

function readmeSection(results: SizeResult[], small: SmallRow[], command: string, repeat: number): string {
  const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
  const lines = [
    '## prep',
    '',
    '<!-- bench:prep:start -->',
    '',
    `Command: \`${command}\``,
    '',
    'Against the goals of issue 15 (this run; the rows behind each figure follow):',
    '',
    ...goalRows(results, small),
    '',
    `Small files, through the built CLI as a user runs it (\`node dist/cli/main.js prep FILE --out DIR --scenario-field scenario -q\`, all defaults on), ${small[0]!.runs.length} runs each, interleaved with bare \`node -e 0\` in the same run; wall time of the whole process, peak RSS from GNU time. The CLI starts from its compiled bundle with the V8 code cache the build wrote (src/cli/compiled-bundle.ts); two rows start it from its ~300 modules instead, compiling them as they load. The last row is no user's run: the 2 MB prep repeated in one process, timed once the JIT is warm and everything is loaded (no process start in its time), the floor that start-up and JIT warm-up stand on:`,
    '',
    ...smallRows(small),
    '',
    `Machine: ${cpu}, ${availableParallelism()} cores available, Node ${process.version}. One run (${repeat === 1 ? 'one measurement' : `best of ${repeat}`} per row), shared machine.`,
    'Input: `bench/generate-chat.ts` (seed 1): six scenarios of uneven size, system/user/assistant turns of',
    'log-normal lengths, ~3% exact and ~1% whitespace-variant duplicates, ~3% HTML, ~1% invalid lines.',
    'Each row runs in a fresh Node process after the file was read once to warm the page cache; peak RSS is',
    "that process's VmHWM. The `phikit prep` rows run the built CLI as a user does (`node dist/cli/main.js prep",
    'FILE --out DIR -q --scenario-field scenario`, plus the flags shown): wall time of the whole process, and',
    "each thread's CPU read from /proc while it runs. Defaults: Phi-3 token check, near-duplicates, leakage",
    'clusters, report.html; from 32 MiB of input the front (parse, validate, clean, content keys, token counts,',
    'MinHash signatures) runs in one worker thread per core. The other rows run in a child process under the',
    'tsx loader, timed after their imports. Baseline: `openInput` (src/io/input.ts) + `JSON.parse` of each line.',
    'Reference: the baseline plus `JSON.stringify` of each record written back out once (`AtomicLineWriter`).',
    'JS loop: what a user would write instead: `readline` + `JSON.parse` + a `Set` of `JSON.stringify(messages)`;',
    "with @huggingface/tokenizers: also each kept example's Phi-3 chat text encoded with Microsoft's tokenizer.json",
    `(${existsSync(PHI3_TOKENIZER_JSON) ? `found; the row runs on files up to ${flags['hf-max-mb']} MB, \`--hf-max-mb\`` : 'absent: row skipped'}).`,
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
  lines.push(...whereBytesGo(largest), ...whereCpuGoes(largest));
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
    'small-runs': { type: 'string', default: '5' },
    /** @huggingface/tokenizers runs at ~0.5 MB/s: its row only on files up to this size. */
    'hf-max-mb': { type: 'string', default: '2' },
    profile: { type: 'boolean', default: false },
    'print-only': { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
    child: { type: 'string' },
    file: { type: 'string' },
    out: { type: 'string' },
  },
});

/** Runs every variant `repeat` times on one generated file; best (fastest) run per variant. */
async function measureSize(megabytes: number, seed: number, repeat: number): Promise<SizeResult> {
  const file = defaultDataPath(megabytes, seed);
  console.error(`generating ${megabytes} MB (seed ${seed}) -> ${file}`);
  const generated = await generateChat({ path: file, megabytes, seed });
  await warmCache(file);
  const outDir = join(outRoot, `prep-${megabytes}mb`);
  const profileDir = flags.profile ? join(outRoot, 'profiles', `${megabytes}mb`) : undefined;
  const variants: Variant[] = [
    'baseline',
    'copy',
    'pipeline',
    'pipeline-one-thread',
    'pipeline-lean',
    'js-loop',
  ];
  if (existsSync(PHI3_TOKENIZER_JSON) && megabytes <= Number(flags['hf-max-mb']))
    variants.push('hf-tokenizers');
  const runs = new Map<Variant, Measurement[]>(variants.map((variant) => [variant, []]));
  for (let r = 0; r < repeat; r++) {
    for (const variant of variants) {
      const run = isCliVariant(variant)
        ? await measureCli(variant, file, outDir)
        : measure(variant, file, outDir, profileDir);
      console.error(
        `${megabytes} MB ${variant}: ${run.seconds.toFixed(1)} s, ${(run.bytes / 1e6 / run.seconds).toFixed(1)} MB/s, peak RSS ${mb(run.peakRssBytes)} MB`,
      );
      runs.get(variant)!.push(run);
      await rm(outDir, { recursive: true, force: true });
    }
  }
  if (!flags.keep) await rm(file, { force: true });
  const hf = runs.get('hf-tokenizers');
  return {
    megabytes,
    file,
    baseline: best(runs.get('baseline')!),
    copy: best(runs.get('copy')!),
    pipeline: best(runs.get('pipeline')!),
    lean: best(runs.get('pipeline-lean')!),
    oneThread: best(runs.get('pipeline-one-thread')!),
    jsLoop: best(runs.get('js-loop')!),
    ...(hf ? { hfTokenizers: best(hf) } : {}),
    generated: { lines: generated.lines, kinds: generated.kinds },
  };
}

if (flags.child !== undefined) {
  const result = await runChild(flags.child as Variant, flags.file!, flags.out!);
  console.log(JSON.stringify(result));
} else {
  const sizes = flags.sizes.split(',').map(Number);
  const seed = Number(flags.seed);
  const repeat = Number(flags.repeat);
  const smallRuns = Number(flags['small-runs']);
  if (sizes.some((size) => !(size > 0)) || !Number.isInteger(seed) || !(repeat >= 1) || !(smallRuns >= 1)) {
    console.error('usage: npm run bench:prep -- [--sizes 100,1000] [--seed 1] [--repeat 1] [--small-runs 5]');
    process.exit(2);
  }
  if (!existsSync(CLI)) {
    console.error('dist/cli/main.js is missing: run `npm run build` first (npm run bench:prep does)');
    process.exit(2);
  }
  const small = await measureSmallFiles(seed, smallRuns);
  const results: SizeResult[] = [];
  for (const megabytes of sizes) results.push(await measureSize(megabytes, seed, repeat));
  const args = process.argv.slice(2);
  const command = `npm run bench:prep${args.length > 0 ? ` -- ${args.join(' ')}` : ''}`;
  const section = readmeSection(results, small, command, repeat);
  if (flags['print-only']) console.log(section);
  else {
    await writeReadme(section);
    console.log(section);
    console.error('wrote the ## prep section of bench/README.md');
  }
}
