// What a command loads on start (issue 15): `prep` loads neither Ajv (its validators are built
// as standalone code) nor yaml nor the eval/serve/gguf stack; `--version` and `--help` load no
// library code. Runs dist/ with a preload that lists every module the process loads, from the
// modules (PHIKIT_NO_BUNDLE=1: the bundle keeps the same laziness, esbuild runs a dynamically
// imported module only when imported) and, once, from the compiled bundle as a user runs it.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { COMMANDS, registerCommands } from '../../src/cli/commands.js';
import { repoRoot } from '../helpers/shared.js';

interface TracedRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Package names under node_modules, and files under dist/, that the run loaded. */
  packages: Set<string>;
  distModules: Set<string>;
}

function runTraced(args: string[], from: 'modules' | 'bundle' = 'modules'): TracedRun {
  const folder = mkdtempSync(join(tmpdir(), 'phikit-trace-'));
  const trace = join(folder, 'modules.txt');
  const run = spawnSync(
    process.execPath,
    [
      '--import',
      join(repoRoot, 'test/helpers/module-trace.mjs'),
      join(repoRoot, 'dist/cli/main.js'),
      ...args,
    ],
    {
      cwd: repoRoot,
      env: { ...process.env, PHIKIT_MODULE_TRACE: trace, PHIKIT_NO_BUNDLE: from === 'modules' ? '1' : '' },
      encoding: 'utf8',
    },
  );
  const urls = readFileSync(trace, 'utf8').split('\n').filter(Boolean);
  const packages = new Set(
    urls.flatMap((url) => /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)?.[1] ?? []),
  );
  const dist = `${pathToFileURL(join(repoRoot, 'dist')).href}/`;
  const distModules = new Set(urls.flatMap((url) => (url.startsWith(dist) ? url.slice(dist.length) : [])));
  return { code: run.status, stdout: run.stdout, stderr: run.stderr, packages, distModules };
}

const EVAL_STACK = /^(eval|serve|gguf|compare)\/|^index\.js$/;

describe('what a command loads on start', () => {
  it('prep loads neither Ajv, yaml nor the eval stack, and writes its outputs', () => {
    const out = mkdtempSync(join(tmpdir(), 'phikit-prep-'));
    const run = runTraced([
      'prep',
      'fixtures/sample.jsonl',
      '--out',
      out,
      '--scenario-field',
      'scenario',
      '-q',
    ]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(readFileSync(join(out, 'train.jsonl'), 'utf8').split('\n').length).toBeGreaterThan(1);
    const unwanted = ['ajv', 'yaml', 'cli-progress', 'stream-json', 'node-llama-cpp', 'openai'];
    expect(unwanted.filter((name) => run.packages.has(name))).toEqual([]);
    expect([...run.distModules].filter((file) => EVAL_STACK.test(file))).toEqual([]);
    expect(run.distModules).toContain('schema/prebuilt/chat.schema.fast.cjs');
  });

  it('from the build, prep runs the compiled bundle: the launcher is the only CLI module it loads', () => {
    const out = mkdtempSync(join(tmpdir(), 'phikit-prep-'));
    const args = ['prep', 'fixtures/sample.jsonl', '--out', out, '--scenario-field', 'scenario', '-q'];
    const run = runTraced(args, 'bundle');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(readFileSync(join(out, 'train.jsonl'), 'utf8').split('\n').length).toBeGreaterThan(1);
    expect([...run.distModules].sort()).toEqual([
      'cli/compiled-bundle.js',
      'cli/heap-settings.js',
      'cli/main.js',
      'core/import-module.js',
      'core/v8-flags.js',
      // The sample has schema errors: the explaining validator words them.
      'schema/prebuilt/chat.schema.explain.cjs',
      'schema/prebuilt/chat.schema.fast.cjs',
    ]);
    expect(runTraced(args).distModules.size).toBeGreaterThan(50);
  });

  it('validate explains schema errors with the built validators, as Ajv words them', () => {
    const run = runTraced(['validate', 'fixtures/wrong-roles.jsonl', '--json']);
    const result = JSON.parse(run.stdout) as { problems: Array<{ line: number; message: string }> };
    expect(result.problems.map((problem) => [problem.line, problem.message])).toEqual([
      [1, 'messages[1].role must be one of system, user, assistant, tool, function (got "bot") (and 1 more)'],
      [2, 'messages[1].role: a system message may only come first'],
      [3, 'messages[1] is missing "tool_call_id"'],
      [4, 'the line must be a JSON object with a "messages" array (got an array)'],
      [5, 'messages[0].weight is only allowed on assistant messages'],
      [6, 'messages[1].weight must be 0 or 1 (got 2)'],
    ]);
    expect(run.code).toBe(1);
    expect(run.packages.has('ajv')).toBe(false);
    expect(run.distModules).toContain('schema/prebuilt/chat.schema.explain.cjs');
  });

  it.each(['--version', '--help'])('phikit %s loads only commander and the CLI', (flag) => {
    const run = runTraced([flag]);
    expect(run.code).toBe(0);
    expect([...run.packages]).toEqual(['commander']);
    expect([...run.distModules].filter((file) => !/^(cli|core)\//.test(file))).toEqual([]);
  });

  it('phikit prep --help loads the prep command, not the eval stack', () => {
    const run = runTraced(['prep', '--help']);
    expect(run.stdout).toContain('Usage: phikit prep [options] [file]');
    expect(run.packages.has('ajv')).toBe(false);
    expect([...run.distModules].filter((file) => EVAL_STACK.test(file))).toEqual([]);
  });

  it('phikit --help lists every command as its module registers it', async () => {
    const stubs = new Command('phikit');
    await registerCommands(stubs, ['node', 'phikit']);
    const modules = new Command('phikit');
    await registerCommands(modules, ['node', 'phikit'], true);
    expect(stubs.helpInformation()).toBe(modules.helpInformation());
    expect(stubs.commands.map((command) => command.name())).toEqual(COMMANDS.map((entry) => entry.name));
  });
});
