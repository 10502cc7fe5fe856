// `phikit prep` and the library agree: the CLI's defaults are the library's, and a flag accepts
// exactly the values the library accepts.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { prep, type Manifest } from '../../src/index.js';
import { runCli } from '../helpers/cli.js';
import { repoRoot } from '../helpers/shared.js';
import { fixture } from '../helpers/fixtures.js';

const folder = mkdtempSync(join(tmpdir(), 'phikit-cli-defaults-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

function cliPrep(name: string, extra: string[]) {
  const out = join(folder, name);
  const run = runCli(['prep', fixture('sample.jsonl'), '--out', out, '--quiet', '--no-tokens', ...extra]);
  const manifest =
    run.code === 0 ? (JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as Manifest) : undefined;
  return { run, manifest };
}

describe('phikit prep defaults', () => {
  it('records the same resolved options as the library called without options', async () => {
    const { run, manifest } = cliPrep('cli-defaults', []);
    expect(run.stderr).toBe('');
    const library = await prep(fixture('sample.jsonl'), {
      out: join(folder, 'library-defaults'),
      tokens: false,
    });
    expect(manifest?.options).toEqual(library.manifest.options);
  });
});

describe('phikit prep --near-dup-threshold', () => {
  it('accepts 1 (identical only), as the library does', () => {
    const { run, manifest } = cliPrep('near-one', ['--near-dup-threshold', '1']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(manifest?.options.nearDedup).toEqual({ threshold: 1, shingle: 3 });
  });

  it('refuses 0 with one line, as the library does', () => {
    const { run } = cliPrep('near-zero', ['--near-dup-threshold', '0']);
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split('\n')).toEqual([
      `error: option '--near-dup-threshold <s>' argument '0' is invalid. expected a similarity above 0 and at most 1, got "0"`,
      '(run with --help for usage)',
    ]);
  });
});

describe('phikit prep --no-report and --threads', () => {
  it('--no-report writes every file but report.html, and says so', () => {
    const { run, manifest } = cliPrep('no-report', ['--no-report']);
    expect(run.code).toBe(0);
    expect(readdirSync(join(folder, 'no-report')).sort()).toEqual([
      'index.jsonl',
      'manifest.json',
      'rejected.jsonl',
      'train.jsonl',
      'validation.jsonl',
    ]);
    expect(manifest?.outputs.report).toBeUndefined();
    const summary = runCli([
      'prep',
      fixture('sample.jsonl'),
      '--out',
      join(folder, 'no-report-2'),
      '-q',
      '--no-report',
    ]);
    expect(summary.stdout).toMatch(/manifest\.json\n$/);
  });

  it('--threads 2 on a small file gives the files --threads 1 gives', () => {
    cliPrep('threads-1', ['--threads', '1']);
    cliPrep('threads-2', ['--threads', '2']);
    for (const name of ['train.jsonl', 'validation.jsonl', 'rejected.jsonl', 'index.jsonl'])
      expect(readFileSync(join(folder, 'threads-2', name)), name).toEqual(
        readFileSync(join(folder, 'threads-1', name)),
      );
  });

  it('--threads 2 with the token check: the front workers, started from their bundle, count as one thread does', () => {
    expect(existsSync(join(repoRoot, 'dist/pipeline/front-worker.cjs')), 'run `npm run build` first').toBe(
      true,
    );
    const outputs = ['1', '2'].map((threads) => {
      const out = join(folder, `tokens-threads-${threads}`);
      const run = runCli(['prep', fixture('sample.jsonl'), '--out', out, '-q', '--threads', threads]);
      expect(run.code, run.stderr).toBe(0);
      const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as Manifest;
      const files = ['train.jsonl', 'validation.jsonl', 'rejected.jsonl', 'index.jsonl'];
      return { tokens: manifest.tokens, files: files.map((name) => readFileSync(join(out, name), 'utf8')) };
    });
    expect(outputs[1]!.tokens?.billedTokens).toBeGreaterThan(0);
    expect(outputs[1]).toEqual(outputs[0]);
  });

  it('a tokenizer that does not load fails alike with and without workers: exit 5, one line and a hint', () => {
    const runs = ['1', '2'].map((threads) =>
      runCli([
        'prep',
        fixture('sample.jsonl'),
        '--out',
        join(folder, `bogus-${threads}`),
        '-q',
        '--tokenizer',
        'bogus',
        '--threads',
        threads,
      ]),
    );
    for (const run of runs) {
      expect(run.code).toBe(5);
      expect(run.stderr).toMatch(/^phikit: unknown tokenizer "bogus"/);
    }
    expect(runs[1]!.stderr).toBe(runs[0]!.stderr);
  });
});
