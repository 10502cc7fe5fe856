// An output that cannot be written (a file where the folder should be, a read-only folder, a full
// disk) is one line naming the path and the cause, exit 4, for prep, eval, compare and report.
import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, runCliAsync, type CliRun } from '../helpers/cli.js';
import { evalAnswers, fixture } from '../helpers/fixtures.js';
import { startFakeOpenAi, type FakeServer } from '../helpers/openai-server.js';
import {
  dataHashes,
  folderState,
  generatedInput,
  leftovers,
  mountTmpfs,
  tempDir,
  type Tmpfs,
} from '../helpers/output-folders.js';

const PREP_FLAGS = ['--scenario-field', 'scenario', '--no-tokens', '-q'];

let server: FakeServer;
let baseline: FakeServer;
let base: string;
let evalRun: string;
let prepSet: string;

beforeAll(async () => {
  const answers = evalAnswers();
  server = await startFakeOpenAi({ answer: (q) => answers[q] ?? '' });
  baseline = await startFakeOpenAi({ answer: () => 'no idea' });
  base = tempDir();
  evalRun = join(base, 'eval-run');
  const twoModels = ['--endpoint', `base=${baseline.url}`, ...endpointArgs(evalRun)];
  expect((await runCliAsync(['eval', fixture('eval-examples.jsonl'), ...twoModels])).code).toBe(0);
  prepSet = join(base, 'prep-set');
  expect(runCli(['prep', fixture('sample.jsonl'), '--out', prepSet, ...PREP_FLAGS]).code).toBe(0);
});

afterAll(async () => {
  await server?.close();
  await baseline?.close();
});

function endpointArgs(out: string): string[] {
  return ['--endpoint', `m=${server.url}`, '--out', out, '-q'];
}

/** prep, eval and compare, each writing to `out`. */
async function everyCommand(out: string): Promise<Record<string, CliRun>> {
  return {
    prep: runCli(['prep', fixture('sample.jsonl'), '--out', out, ...PREP_FLAGS]),
    eval: await runCliAsync(['eval', fixture('eval-examples.jsonl'), ...endpointArgs(out)]),
    compare: runCli(['compare', evalRun, '--out', out]),
  };
}

function expectOutputError(run: CliRun, path: string, cause: RegExp): void {
  expect(run.code, run.stderr).toBe(4);
  const [message, hint, rest] = run.stderr.split('\n');
  expect(message).toContain(`phikit: cannot write ${path}`);
  expect(message).toMatch(cause);
  expect(hint).toMatch(/^ {2}hint: /);
  expect(rest).toBe('');
  expect(run.stderr).not.toMatch(/internal error|bug in phikit|\n\s+at /);
}

describe('--out that is a file', () => {
  it('is exit 4 naming the path, and a path under a file too', async () => {
    const file = join(base, 'a-file.txt');
    writeFileSync(file, 'not a folder\n');
    for (const run of Object.values(await everyCommand(file)))
      expectOutputError(run, file, /it exists and is not a folder \(EEXIST\)/);
    const under = join(file, 'sub');
    for (const run of Object.values(await everyCommand(under)))
      expectOutputError(run, under, /a part of the path is a file, not a folder \(ENOTDIR\)/);
  });

  it('is exit 3 for `phikit report FILE`: not a prep folder', () => {
    const run = runCli(['report', join(base, 'a-file.txt')]);
    expect(run.code).toBe(3);
  });
});

describe('read-only and full disks (tmpfs)', () => {
  let disk: Tmpfs | undefined;

  beforeAll(() => {
    disk = mountTmpfs('2m');
    if (!disk) console.warn('skipping read-only and full-disk tests: cannot mount a tmpfs here (needs root)');
  });

  afterAll(() => {
    disk?.unmount();
  });

  it('is exit 4 with "no space left" when the disk fills during prep, and the old set stays whole', (ctx) => {
    if (!disk) return ctx.skip();
    const out = join(disk.dir, 'prep');
    cpSync(prepSet, out, { recursive: true });
    const before = dataHashes(out);
    const big = generatedInput(base, 12_000, 6); // ~3 MB of outputs on a 2 MB disk
    const run = runCli(['prep', big, '--out', out, ...PREP_FLAGS]);
    expectOutputError(run, out, /no space left on the device \(ENOSPC\)/);
    expect(folderState(out)).toBe('complete');
    expect(dataHashes(out)).toBe(before);
    expect(leftovers(out)).toEqual([]);
  });

  it('is exit 4 for every command on a full disk', async (ctx) => {
    if (!disk) return ctx.skip();
    const full = join(disk.dir, 'full');
    cpSync(prepSet, join(full, 'prep-set'), { recursive: true });
    disk.fill();
    for (const run of Object.values(await everyCommand(join(full, 'out'))))
      expectOutputError(run, full, /no space left on the device \(ENOSPC\)/);
    expectOutputError(runCli(['report', join(full, 'prep-set')]), full, /\(ENOSPC\)/);
    expect(folderState(join(full, 'prep-set'))).toBe('complete');
  });

  it('is exit 4 for every command on a read-only folder', async (ctx) => {
    if (!disk) return ctx.skip();
    const readOnlyDisk = mountTmpfs('2m')!;
    try {
      cpSync(prepSet, join(readOnlyDisk.dir, 'prep-set'), { recursive: true });
      readOnlyDisk.readOnly();
      const out = join(readOnlyDisk.dir, 'out');
      for (const run of Object.values(await everyCommand(out)))
        expectOutputError(run, out, /read-only file system \(EROFS\)/);
      const existing = join(readOnlyDisk.dir, 'prep-set');
      for (const run of Object.values(await everyCommand(existing)))
        expectOutputError(run, existing, /read-only file system \(EROFS\)/);
      expectOutputError(runCli(['report', existing]), existing, /\(EROFS\)/);
    } finally {
      readOnlyDisk.unmount();
    }
  });
});
