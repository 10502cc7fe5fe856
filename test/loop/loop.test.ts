// The README's "The full loop" runs as written: its code block is read from README.md (so the
// README cannot drift from what is tested), its endpoint URLs point at two loopback servers
// (a fine-tuned model that answers the reference, a base model that half answers), and every
// command runs through the built CLI in a temp folder.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EvalMetrics } from '../../src/metrics/summary.js';
import type { Comparison } from '../../src/report/comparison.js';
import { launchBrowser, openWatched, skipBrowser } from '../helpers/browser.js';
import { drawnCharts } from '../helpers/charts.js';
import { runCliAsync, type CliRun } from '../helpers/cli.js';
import { startFakeOpenAi, type FakeServer } from '../helpers/openai-server.js';
import { repoRoot } from '../helpers/shared.js';

const API_KEY = 'loop-test-key';

/** The lines of the section's sh block, continuations joined. */
function loopBlock(): string[] {
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
  const section = readme.split('\n## The full loop\n')[1]?.split('\n## ')[0];
  const block = section?.match(/```sh\n([\s\S]*?)```/)?.[1];
  if (block === undefined) throw new Error('README.md has no "## The full loop" section with a sh block');
  return block.replace(/\\\n/g, ' ').split('\n').filter(Boolean);
}

/** The `npx phikit …` commands of the block, each as its arguments (the block has no quoting). */
const loopCommands = (lines: string[]) =>
  lines
    .filter((line) => line.startsWith('npx phikit '))
    .map((line) => line.split(/\s+/).filter(Boolean).slice(2));

/** The README's arguments with each `--endpoint NAME=URL` pointed at the server of that name. */
function withServers(args: string[], servers: Record<string, FakeServer>): string[] {
  return args.map((arg, i) => {
    if (args[i - 1] !== '-e' && args[i - 1] !== '--endpoint') return arg;
    const name = arg.slice(0, arg.indexOf('='));
    const server = servers[name];
    if (!server) throw new Error(`the README evaluates an endpoint "${name}" that the test does not serve`);
    return `${name}=${server.url}`;
  });
}

/** Input files are the repository's; everything else is relative to the temp folder the CLI runs in. */
const withRepoInputs = (args: string[]) =>
  args.map((arg) => (arg.startsWith('fixtures/') ? join(repoRoot, arg) : arg));

const valueAfter = (args: string[], flag: string) => args[args.indexOf(flag) + 1]!;

interface TestExample {
  messages: Array<{ role: string; content: string }>;
  scenario?: unknown;
}

describe('the full loop in the README', () => {
  const block = loopBlock();
  const commands = loopCommands(block);
  const byCommand = (name: string) => commands.filter((args) => args[0] === name);
  const dir = mkdtempSync(join(tmpdir(), 'phikit-loop-'));
  const references = new Map<string, string>();
  const servers: Record<string, FakeServer> = {};
  const runs = new Map<string[], CliRun>();
  let testExamples: TestExample[] = [];

  beforeAll(async () => {
    // tuned answers the reference; base gives its first half in a sentence (F1 between 0 and 100).
    servers.tuned = await startFakeOpenAi({ answer: (q) => references.get(q) ?? '' });
    servers.base = await startFakeOpenAi({
      answer: (q) => {
        const words = (references.get(q) ?? '').split(' ');
        return `Well, ${words.slice(0, Math.ceil(words.length / 2)).join(' ')}`;
      },
    });
  });
  afterAll(async () => {
    for (const server of Object.values(servers)) await server.close();
  });

  function readTestSplit(prepOut: string): void {
    const lines = readFileSync(join(dir, prepOut, 'test.jsonl'), 'utf8')
      .trim()
      .split('\n');
    testExamples = lines.map((line) => JSON.parse(line) as TestExample);
    for (const { messages } of testExamples) {
      const user = messages.findLast((m) => m.role === 'user')!.content;
      references.set(user, messages[messages.length - 1]!.content);
    }
  }

  it('is prep, preflight, an eval per endpoint, then compare with the gate', () => {
    expect(commands.map((args) => args[0])).toEqual(['prep', 'preflight', 'eval', 'eval', 'compare']);
    // The only line the test does not run sets the key, which the test sets for --api-key-env.
    expect(block.filter((line) => !line.startsWith('npx phikit '))).toEqual([
      expect.stringMatching(/^export AZURE_KEY=/),
    ]);
  });

  // One test per command, in the README's order: each later one reads what the earlier ones wrote.
  for (const args of commands) {
    it(`phikit ${args.join(' ')} exits 0`, async () => {
      // Async: the servers answer in this process while the CLI runs.
      const run = await runCliAsync(withRepoInputs(withServers(args, servers)), {
        cwd: dir,
        env: args.includes('--api-key-env') ? { [valueAfter(args, '--api-key-env')]: API_KEY } : {},
      });
      runs.set(args, run);
      expect(run.code, run.stderr).toBe(0);
      if (args[0] === 'prep') readTestSplit(valueAfter(args, '--out'));
    });
  }

  it('prep writes test.jsonl with a scenario on every line', () => {
    expect(testExamples.length).toBeGreaterThan(0);
    for (const example of testExamples) {
      expect(typeof example.scenario).toBe('string');
      expect(example.scenario).not.toBe('unlabeled');
    }
    expect(new Set(testExamples.map((e) => e.scenario)).size).toBeGreaterThan(1);
  });

  it('each eval scores every scenario of test.jsonl, none unlabeled, with the key it was given', () => {
    const scenarios = [...new Set(testExamples.map((e) => e.scenario as string))].sort();
    for (const args of byCommand('eval')) {
      const metrics = JSON.parse(
        readFileSync(join(dir, valueAfter(args, '--out'), 'metrics.json'), 'utf8'),
      ) as EvalMetrics;
      for (const endpoint of metrics.endpoints) {
        expect(Object.keys(endpoint.scenarios)).not.toContain('unlabeled');
        expect(Object.keys(endpoint.scenarios).sort()).toEqual(scenarios);
        for (const scenario of scenarios) {
          const n = testExamples.filter((e) => e.scenario === scenario).length;
          expect(endpoint.scenarios[scenario]).toMatchObject({ n, answered: n, errors: 0 });
        }
      }
    }
    for (const server of Object.values(servers)) {
      const chats = server.requests.filter((r) => r.path === '/v1/chat/completions');
      expect(chats.length).toBeGreaterThanOrEqual(testExamples.length);
      expect(new Set(chats.map((r) => r.authorization))).toEqual(new Set([`Bearer ${API_KEY}`]));
    }
  });

  it('compare gates tuned against base: too few test examples to test, so it passes', () => {
    const [args] = byCommand('compare');
    const comparison = JSON.parse(
      readFileSync(join(dir, valueAfter(args!, '--out'), 'comparison.json'), 'utf8'),
    ) as Comparison;
    expect(comparison.models).toEqual(['base', 'tuned']);
    expect(comparison.gate?.passed).toBe(true);
    const checks = comparison.gate!.checks;
    const scenarios = [...new Set(testExamples.map((e) => e.scenario as string))];
    expect(checks.map((check) => check.scenario ?? '(overall)').sort()).toEqual(
      ['(overall)', ...scenarios].sort(),
    );
    for (const check of checks) expect(check.verdict).toBe('too_few_examples');
    expect(runs.get(args!)?.stdout).toContain('not tested: f1');
    expect(runs.get(args!)?.stdout).toContain('gate: passed, but nothing was tested');
  });

  describe.skipIf(skipBrowser)('in chromium', () => {
    let browser: Browser;
    beforeAll(async () => {
      browser = await launchBrowser();
    });
    afterAll(async () => {
      await browser?.close();
    });

    const reports = () => [
      ...byCommand('eval').map((args) => join(dir, valueAfter(args, '--out'), 'report.html')),
      ...byCommand('compare').map((args) => join(dir, valueAfter(args, '--out'), 'compare.html')),
    ];

    it('every chart of report.html and compare.html draws a bar per claimed group and series', async () => {
      for (const report of reports()) {
        const { page, consoleErrors } = await openWatched(browser, report);
        const charts = await drawnCharts(page);
        expect(charts.length, report).toBeGreaterThan(0);
        for (const chart of charts) {
          expect(chart.groups.length, report).toBeGreaterThan(0);
          for (const group of chart.groups) {
            for (const series of chart.series ?? [null]) {
              const prefix = series === null ? `${group}:` : `${group} – ${series}:`;
              const drawn = chart.bars.filter((bar) => bar.title.startsWith(prefix));
              expect(drawn.length, `${report}: ${prefix}`).toBeGreaterThan(0);
              for (const bar of drawn)
                expect(bar.width * bar.height, `${report}: ${bar.title}`).toBeGreaterThan(0);
            }
          }
        }
        expect(consoleErrors, report).toEqual([]);
        await page.context().close();
      }
    });
  });
});
