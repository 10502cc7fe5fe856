// prep's output folder is replaced as a whole set or visibly not at all (manifest.json written
// last), one run writes a folder at a time, and nothing a killed or interrupted run wrote stays.
import { spawn } from 'node:child_process';
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli, runCliAsync } from '../helpers/cli.js';
import { startFakeOpenAi } from '../helpers/openai-server.js';
import { dataHashes, folderState, generatedInput, leftovers, tempDir } from '../helpers/output-folders.js';
import { repoRoot } from '../helpers/shared.js';
import { evalAnswers, fixture } from '../helpers/fixtures.js';

const PREP_FLAGS = ['--scenario-field', 'scenario', '--no-tokens', '-q'];

function prepInto(input: string, out: string, env: NodeJS.ProcessEnv = {}) {
  return runCli(['prep', input, '--out', out, ...PREP_FLAGS], { env });
}

/** Polls (no timing assertion: only until the file shows up or the run ends). */
async function until(
  condition: () => boolean,
  running: { exitCode: number | null; signalCode: string | null },
) {
  while (!condition()) {
    if (running.exitCode !== null || running.signalCode !== null) return false;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return true;
}

describe('prep output folder as one set', () => {
  let base: string;
  let oldSet: string;
  let oldHashes: string;
  let newInput: string;
  let newHashes: string;

  beforeAll(() => {
    base = tempDir();
    oldSet = join(base, 'old');
    expect(prepInto(generatedInput(base, 300, 1), oldSet).code).toBe(0);
    oldHashes = dataHashes(oldSet);
    newInput = generatedInput(base, 400, 2);
    const newSet = join(base, 'new');
    expect(prepInto(newInput, newSet).code).toBe(0);
    newHashes = dataHashes(newSet);
  });

  it('lists every file but itself in manifest.json, report.html included', () => {
    expect(folderState(oldSet)).toBe('complete');
    const manifest = JSON.parse(readFileSync(join(oldSet, 'manifest.json'), 'utf8')) as {
      outputs: Record<string, { path: string }>;
    };
    expect(Object.entries(manifest.outputs).map(([key, file]) => [key, file.path])).toEqual([
      ['train', 'train.jsonl'],
      ['validation', 'validation.jsonl'],
      ['rejected', 'rejected.jsonl'],
      ['index', 'index.jsonl'],
      ['report', 'report.html'],
    ]);
    expect(readdirSync(oldSet).sort()).toEqual([
      'index.jsonl',
      'manifest.json',
      'rejected.jsonl',
      'report.html',
      'train.jsonl',
      'validation.jsonl',
    ]);
  });

  it('is the old set, the new set or has no manifest.json after a kill -9 at each step of the commit', () => {
    const expected: Record<string, 'old' | 'new' | 'no manifest'> = {
      'manifest-removed': 'no manifest',
      'rename:1': 'no manifest',
      'rename:2': 'no manifest',
      'rename:3': 'no manifest',
      'rename:4': 'no manifest',
      manifest: 'new',
    };
    const seen: Record<string, string> = {};
    for (const point of Object.keys(expected)) {
      const dir = join(base, `crash-${point.replace(':', '-')}`);
      cpSync(oldSet, dir, { recursive: true });
      const run = prepInto(newInput, dir, { PHIKIT_TEST_CRASH_AFTER: point });
      expect(run.code).toBeNull(); // killed by SIGKILL
      seen[point] = describeFolder(dir);
    }
    expect(seen).toEqual(expected);
  });

  it('is a whole set or refused by `phikit report` after a kill -9 at any moment', async () => {
    for (const afterMs of [150, 300, 450, 600, 750, 900, 1200]) {
      const dir = join(base, `kill-${afterMs}`);
      cpSync(oldSet, dir, { recursive: true });
      const run = runCliAsync(['prep', newInput, '--out', dir, ...PREP_FLAGS]);
      await new Promise((resolve) => setTimeout(resolve, afterMs));
      run.child.kill('SIGKILL');
      await run;
      expect(['old', 'new', 'no manifest']).toContain(describeFolder(dir));
    }
  });

  it('refuses a mixed folder in `phikit report` and `phikit eval`, exit 3', () => {
    const dir = join(base, 'mixed');
    cpSync(oldSet, dir, { recursive: true });
    copyFileSync(join(base, 'new', 'train.jsonl'), join(dir, 'train.jsonl'));
    const report = runCli(['report', dir]);
    expect(report.code).toBe(3);
    expect(report.stderr).toMatch(
      /^phikit: .*mixed is a mixed or incomplete prep output: train\.jsonl has \d+ bytes, manifest\.json says \d+\n {2}hint: run `phikit prep` into this folder again/,
    );
    const evaluation = runCli([
      'eval',
      join(dir, 'validation.jsonl'),
      '--endpoint',
      'm=http://127.0.0.1:9',
      '--out',
      join(base, 'eval-mixed'),
    ]);
    expect(evaluation.code).toBe(3);
    expect(evaluation.stderr).toMatch(/mixed or incomplete prep output: train\.jsonl/);
    expect(evaluation.stderr.split('\n')).toHaveLength(3); // message, hint, final newline
  });

  it('rebuilds report.html of a whole set and lists it in manifest.json again', () => {
    const dir = join(base, 'rebuilt');
    cpSync(oldSet, dir, { recursive: true });
    const run = runCli(['report', dir]);
    expect(run.code).toBe(0);
    expect(describeFolder(dir)).toBe('old');
    expect(leftovers(dir)).toEqual([]);
  });

  function describeFolder(dir: string): string {
    if (folderState(dir) === 'no manifest') {
      const report = runCli(['report', dir]);
      expect(report.code).toBe(3);
      expect(report.stderr).toMatch(/is incomplete: it has no manifest\.json\n {2}hint: /);
      return 'no manifest';
    }
    const hashes = dataHashes(dir);
    if (hashes === oldHashes) return 'old';
    if (hashes === newHashes) return 'new';
    return `unknown set ${hashes}`;
  }
});

describe('one run per output folder', () => {
  it('refuses a second prep into a folder a prep is writing, naming its pid (exit 4)', async () => {
    const dir = tempDir();
    // Long enough (~4 s) that the second run reaches the lock while the first holds it, on a busy machine too.
    const big = generatedInput(dir, 40_000, 3);
    const out = join(dir, 'out');
    const first = runCliAsync(['prep', big, '--out', out, '--scenario-field', 'scenario', '-q']);
    expect(await until(() => existsSync(join(out, '.phikit.lock.owner')), first.child)).toBe(true);
    const second = prepInto(generatedInput(dir, 50, 4), out);
    expect(second.code).toBe(4);
    expect(second.stderr).toMatch(
      new RegExp(
        `^phikit: .*out is in use by phikit prep \\(pid ${first.child.pid}, started [^)]+\\)\\n {2}hint: `,
      ),
    );
    expect((await first).code).toBe(0);
    expect(folderState(out)).toBe('complete');
    expect(leftovers(out)).toEqual([]);
  });

  it('refuses a second eval into a folder an eval is writing, naming its pid (exit 4)', async () => {
    const answers = evalAnswers();
    const server = await startFakeOpenAi({ answer: (q) => answers[q] ?? '', delayMs: 200 });
    try {
      const out = join(tempDir(), 'eval');
      const args = [
        'eval',
        fixture('eval-examples.jsonl'),
        '--endpoint',
        `m=${server.url}`,
        '--out',
        out,
        '-q',
      ];
      const first = runCliAsync([...args, '--concurrency', '1']);
      expect(await until(() => existsSync(join(out, '.phikit.lock.owner')), first.child)).toBe(true);
      const second = await runCliAsync(args);
      expect(second.code).toBe(4);
      expect(second.stderr).toContain(`is in use by phikit eval (pid ${first.child.pid}`);
      expect((await first).code).toBe(0);
      expect(leftovers(out)).toEqual([]);
    } finally {
      await server.close();
    }
  });
});

describe('temp files do not pile up', () => {
  it("removes dead runs' temp files and staging folders on start", () => {
    const dir = tempDir();
    const out = join(dir, 'out');
    mkdirSync(join(out, '.staging-999999'), { recursive: true });
    writeFileSync(join(out, '.staging-999999', 'train.jsonl'), 'x\n');
    writeFileSync(join(out, 'train.jsonl.tmp-999999'), 'x\n');
    writeFileSync(join(out, '.survivors.tmp-999999.jsonl'), 'x\n');
    expect(prepInto(fixture('sample.jsonl'), out).code).toBe(0);
    expect(leftovers(out)).toEqual([]);
    expect(folderState(out)).toBe('complete');
  });

  it('removes its own temp files and lock on SIGINT and SIGTERM, keeping the old set', async () => {
    const dir = tempDir();
    const big = generatedInput(dir, 10_000, 5);
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      const out = join(dir, signal);
      expect(prepInto(fixture('sample.jsonl'), out).code).toBe(0);
      const before = dataHashes(out);
      const child = spawn(process.execPath, [
        join(repoRoot, 'dist/cli/main.js'),
        'prep',
        big,
        '--out',
        out,
        '--scenario-field',
        'scenario',
        '-q',
      ]);
      const ended = new Promise<NodeJS.Signals | null>((resolve) => child.on('close', (_, s) => resolve(s)));
      const staging = join(out, `.staging-${child.pid}`);
      expect(await until(() => existsSync(join(staging, 'rejected.jsonl.tmp-' + child.pid)), child)).toBe(
        true,
      );
      child.kill(signal);
      expect(await ended).toBe(signal);
      expect(leftovers(out)).toEqual([]);
      expect(folderState(out)).toBe('complete');
      expect(dataHashes(out)).toBe(before);
    }
  });
});
