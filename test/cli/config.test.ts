// `--config FILE` on prep and eval as a user runs it: YAML and JSON files, flags over the file,
// one-line errors naming the key and its line (exit 2), the resolved configuration recorded.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Manifest } from '../../src/core/manifest.js';
import type { EvalRunMetrics } from '../../src/eval/run.js';
import { runCli, runCliAsync } from '../helpers/cli.js';
import { fixture } from '../helpers/fixtures.js';
import { startFakeOpenAi, type FakeServer } from '../helpers/openai-server.js';

const tempDir = () => mkdtempSync(join(tmpdir(), 'phikit-config-'));
const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
const readJson = <T>(path: string) => JSON.parse(readFileSync(path, 'utf8')) as T;
const write = (dir: string, name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

describe('phikit prep --config', () => {
  it('runs from a YAML file alone and records the file in manifest.json', () => {
    const dir = tempDir();
    const out = join(dir, 'out');
    const config = write(
      dir,
      'prep.yaml',
      [
        '# a curator keeps this next to the data',
        `input: ${fixture('sample.jsonl')}`,
        `out: ${out}`,
        'scenarioField: scenario',
        'valRatio: 0.2',
        'seed: 7',
        'tokens: false',
        'cleanHtml: false',
        '',
      ].join('\n'),
    );
    const run = runCli(['prep', '--config', config, '--quiet']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const { options } = readJson<Manifest>(join(out, 'manifest.json'));
    expect(options).toMatchObject({
      scenarioField: 'scenario',
      valRatio: 0.2,
      seed: 7,
      tokens: false,
      disableClean: ['html'],
      configFile: { path: config, sha256: sha256(config) },
    });
  });

  it('reads JSON, and a flag the user gave overrides the file', () => {
    const dir = tempDir();
    const out = join(dir, 'out');
    const config = write(
      dir,
      'prep.json',
      JSON.stringify({ out, scenarioField: 'scenario', valRatio: 0.2, seed: 7, tokens: false }, null, 2),
    );
    const run = runCli(['prep', fixture('sample.jsonl'), '--config', config, '--seed', '9', '-q']);
    expect(run.code).toBe(0);
    const { options } = readJson<Manifest>(join(out, 'manifest.json'));
    expect(options).toMatchObject({ valRatio: 0.2, seed: 9, configFile: { path: config } });
  });

  it('lets a flag replace an option of the file it excludes (--val-size over valRatio)', () => {
    const dir = tempDir();
    const out = join(dir, 'out');
    const config = write(dir, 'prep.yaml', `out: ${out}\nvalRatio: 0.2\ntokens: false\n`);
    const run = runCli(['prep', fixture('sample.jsonl'), '--config', config, '--val-size', '3', '-q']);
    expect(run.code).toBe(0);
    const { options } = readJson<Manifest>(join(out, 'manifest.json'));
    expect(options).toMatchObject({ valRatio: null, valSize: 3 });
  });

  it('refuses an unknown key with its name and line (exit 2)', () => {
    const dir = tempDir();
    const config = write(dir, 'prep.yaml', `out: ${join(dir, 'out')}\nscenarioFeild: scenario\n`);
    const run = runCli(['prep', fixture('sample.jsonl'), '--config', config]);
    expect(run.code).toBe(2);
    expect(run.stderr.split('\n')[0]).toBe(`phikit: ${config}:2: unknown key "scenarioFeild"`);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('refuses a value of the wrong type, and one the flag would refuse (exit 2)', () => {
    const dir = tempDir();
    const json = write(dir, 'prep.json', `{\n  "out": "x",\n  "valRatio": "0.2"\n}\n`);
    const wrongType = runCli(['prep', fixture('sample.jsonl'), '--config', json]);
    expect(wrongType.code).toBe(2);
    expect(wrongType.stderr.split('\n')[0]).toBe(`phikit: ${json}:3: valRatio must be number (got "0.2")`);

    const yaml = write(dir, 'range.yaml', 'out: x\nvalRatio: 3\n');
    const outOfRange = runCli(['prep', fixture('sample.jsonl'), '--config', yaml]);
    expect(outOfRange.code).toBe(2);
    expect(outOfRange.stderr).toContain(
      `phikit: ${yaml}:2: valRatio: expected a number from 0 up to (not including) 1, got "3"`,
    );
  });

  it('says which required option neither the flags nor the file gave', () => {
    const dir = tempDir();
    const config = write(dir, 'prep.yaml', 'seed: 1\n');
    const run = runCli(['prep', fixture('sample.jsonl'), '--config', config]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("required option '-o, --out <dir>' not specified");
  });

  it('refuses a file that is not YAML, naming the line', () => {
    const dir = tempDir();
    const config = write(dir, 'prep.yaml', 'out: x\n  seed: [1\n');
    const run = runCli(['prep', fixture('sample.jsonl'), '--config', config]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(new RegExp(`^phikit: ${config}:\\d+: not valid YAML`));
  });
});

describe('phikit eval --config', () => {
  let servers: FakeServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.map((server) => server.close()));
    servers = [];
  });
  const examples = (dir: string) =>
    write(
      dir,
      'test.jsonl',
      [
        {
          messages: [
            { role: 'user', content: 'Hi 👋' },
            { role: 'assistant', content: 'Hi 👋' },
          ],
          scenario: 'greet',
        },
        {
          messages: [
            { role: 'user', content: '发货要多久？' },
            { role: 'assistant', content: '三天' },
          ],
          scenario: 'ship',
        },
      ]
        .map((row) => `${JSON.stringify(row)}\n`)
        .join(''),
    );

  it('evaluates the endpoints a YAML file lists and records the resolved config in metrics.json', async () => {
    const base = await startFakeOpenAi();
    const tuned = await startFakeOpenAi();
    servers.push(base, tuned);
    const dir = tempDir();
    const out = join(dir, 'run');
    const config = write(
      dir,
      'eval.yaml',
      [
        `examples: ${examples(dir)}`,
        `out: ${out}`,
        'endpoint:',
        `  - base=${base.url}`,
        'endpoints:',
        `  - { name: tuned, url: "${tuned.url}", model: phi-3-tuned }`,
        'concurrency: 1',
        'seed: 5',
        'timeout: 30',
        '',
      ].join('\n'),
    );
    const run = await runCliAsync(['eval', '--config', config, '--quiet']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const metrics = readJson<EvalRunMetrics>(join(out, 'metrics.json'));
    expect(metrics.endpoints.map((endpoint) => endpoint.endpoint)).toEqual(['base', 'tuned']);
    expect(metrics.config).toMatchObject({
      file: { path: config, sha256: sha256(config) },
      options: {
        out,
        endpoint: [
          { name: 'base', url: `${base.url}` },
          { name: 'tuned', url: `${tuned.url}`, model: 'phi-3-tuned' },
        ],
        concurrency: 1,
        seed: 5,
        timeout: 30,
        temperature: 0,
        quiet: true,
      },
    });
    const tunedModels = tuned.requests.map((request) => request.body.model);
    expect(new Set(tunedModels)).toEqual(new Set(['phi-3-tuned']));
  });

  it('reads JSON, and --endpoint and --seed on the command line override the file', async () => {
    const fromFile = await startFakeOpenAi();
    const fromFlag = await startFakeOpenAi();
    servers.push(fromFile, fromFlag);
    const dir = tempDir();
    const out = join(dir, 'run');
    const config = write(
      dir,
      'eval.json',
      JSON.stringify({ out, endpoint: [`file=${fromFile.url}`], seed: 5 }, null, 2),
    );
    const args = ['eval', examples(dir), '--config', config, '-e', `flag=${fromFlag.url}`, '--seed', '8'];
    const run = await runCliAsync([...args, '-q']);
    expect(run.code).toBe(0);
    expect(fromFile.requests).toEqual([]);
    const metrics = readJson<EvalRunMetrics>(join(out, 'metrics.json'));
    expect(metrics.endpoints.map((endpoint) => endpoint.endpoint)).toEqual(['flag']);
    expect(metrics.config).toMatchObject({ options: { seed: 8 } });
  });

  it('refuses an unknown key and a wrong type with the key and line (exit 2)', async () => {
    const dir = tempDir();
    const unknown = write(
      dir,
      'unknown.yaml',
      'out: x\nendpoint: [a=http://127.0.0.1:9/v1]\njudge_model: gpt\n',
    );
    const run = await runCliAsync(['eval', examples(dir), '--config', unknown]);
    expect(run.code).toBe(2);
    expect(run.stderr.split('\n')[0]).toBe(`phikit: ${unknown}:3: unknown key "judge_model"`);

    const wrong = write(dir, 'wrong.yaml', 'out: x\nendpoints:\n  - name: a\n    url: 42\n');
    const typed = await runCliAsync(['eval', examples(dir), '--config', wrong]);
    expect(typed.code).toBe(2);
    expect(typed.stderr.split('\n')[0]).toBe(`phikit: ${wrong}:4: endpoints[0].url must be string (got 42)`);
  });
});
