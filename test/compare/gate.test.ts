// The regression gate end to end: runs made by evaluate() against real endpoints on 127.0.0.1, then
// compare() and the built CLI (`npm run build` first) with --fail-on-regression.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compare } from '../../src/compare/compare.js';
import type { Comparison } from '../../src/report/comparison.js';
import { evaluate } from '../../src/eval/run.js';
import { runCli } from '../helpers/cli.js';
import { startFakeOpenAi, type FakeServer } from '../helpers/openai-server.js';

// 120 examples, 30 per scenario in blocks; each reference is a word no other example uses.
const SCENARIOS = ['billing', 'geography', 'math', 'chat'];
const EXAMPLES = Array.from({ length: 120 }, (_, i) => ({
  scenario: SCENARIOS[Math.floor(i / 30)]!,
  messages: [
    { role: 'user', content: `Question ${i}: what is the code word?` },
    { role: 'assistant', content: `word${i}` },
  ],
}));
/** Right on every example except the ones `wrong` picks (eval's logprob probe is not an example). */
const model = (wrong: (i: number) => boolean) => (question: string) => {
  const index = /^Question (\d+):/.exec(question)?.[1];
  if (index === undefined) return 'ok';
  return wrong(Number(index)) ? 'no idea' : `word${index}`;
};

const MODELS = {
  // Wrong on 4 examples: 5, 34, 63, 92.
  base: model((i) => i % 29 === 5),
  // Wrong on 40 the base mostly gets right.
  drop: model((i) => i % 3 === 0),
  better: model(() => false),
  // Wrong on 6 other examples: 6 flips down, 4 up, a drop the data cannot show.
  noise: model((i) => i % 31 === 7 || i === 11 || i === 50),
  // Wrong on 10 examples outside math, so `local` can lose 10 in math and be level overall.
  spread: model((i) => (i < 60 || (i >= 90 && i < 110)) && i % 9 === 1),
  local: model((i) => i >= 60 && i < 90 && i % 3 === 0),
};
type ModelName = keyof typeof MODELS;

describe('compare --fail-on-regression', () => {
  const servers: FakeServer[] = [];
  const runs = {} as Record<ModelName, string>;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'phikit-gate-'));
    const examples = join(dir, 'examples.jsonl');
    writeFileSync(examples, EXAMPLES.map((e) => JSON.stringify(e)).join('\n'));
    for (const [name, answer] of Object.entries(MODELS) as Array<[ModelName, (q: string) => string]>) {
      const server = await startFakeOpenAi({ answer, completions: false });
      servers.push(server);
      runs[name] = join(dir, name);
      const result = await evaluate(examples, {
        out: runs[name],
        endpoints: [{ name, url: server.url }],
        scenarioField: 'scenario',
      });
      expect(result.counts.errors).toBe(0);
    }
  });
  afterAll(async () => {
    for (const server of servers) await server.close();
  });

  const gateOf = async (names: ModelName[], gate: Parameters<typeof compare>[1]['gate'] = {}) =>
    (
      await compare(
        names.map((n) => runs[n]),
        { out: join(dir, `cmp-${names.join('-')}`), failOnRegression: true, gate },
      )
    ).gate!;

  it('fails on a planted significant drop, with the metric, the size and the interval', async () => {
    const gate = await gateOf(['base', 'drop']);
    expect(gate.passed).toBe(false);
    expect(gate.checks).toHaveLength(1);
    const [check] = gate.checks;
    // 39 examples only the base gets right, 3 only the candidate: (3 - 39) * 100 / 120.
    expect(check).toMatchObject({
      baseline: 'base',
      candidate: 'drop',
      metric: 'f1',
      scenario: null,
      n: 120,
      value: -30,
      verdict: 'regression',
    });
    expect(check!.high).toBeLessThan(0);
    expect(check!.message).toMatch(
      /^regression: f1 -30\.0 points \[-\d+\.\d, -\d+\.\d\] \(n=120 paired examples\) below -0\.0 \(drop vs base\)$/,
    );
  });

  it('passes an improvement and says the interval lies above', async () => {
    const gate = await gateOf(['base', 'better'], { metrics: ['f1', 'em'] });
    expect(gate.passed).toBe(true);
    expect(gate.checks.map((c) => [c.metric, c.verdict])).toEqual([
      ['f1', 'no_regression'],
      ['em', 'no_regression'],
    ]);
    expect(gate.checks[0]!.value).toBeCloseTo(400 / 120, 10);
    expect(gate.checks[0]!.message).toMatch(
      /^no significant regression: f1 \+3\.3 \[\+?\d\.\d, \+\d+\.\d\] /,
    );
  });

  it('passes noise (a few flips each way): the estimate is below 0 but the interval includes 0', async () => {
    const gate = await gateOf(['base', 'noise']);
    expect(gate.passed).toBe(true);
    const [check] = gate.checks;
    expect(check).toMatchObject({ verdict: 'no_regression' });
    expect(check!.value).toBeCloseTo(-200 / 120, 10);
    expect(check!.low).toBeLessThan(0);
    expect(check!.high).toBeGreaterThan(0);
    expect(check!.message).toMatch(
      /^no significant regression: f1 -1\.7 \[-\d\.\d, \+\d\.\d\] includes 0 \(noise vs base\)$/,
    );
  });

  it('a drop confined to one scenario passes overall and fails per scenario after Holm', async () => {
    const overall = await gateOf(['spread', 'local']);
    expect(overall.passed).toBe(true);
    expect(overall.checks[0]).toMatchObject({ value: 0, verdict: 'no_regression' });

    const perScenario = await gateOf(['spread', 'local'], { perScenario: true });
    expect(perScenario.passed).toBe(false);
    expect(perScenario.checks.map((c) => [c.scenario, c.verdict])).toEqual([
      [null, 'no_regression'],
      ['billing', 'no_regression'],
      ['chat', 'no_regression'],
      ['geography', 'no_regression'],
      ['math', 'regression'],
    ]);
    const math = perScenario.checks.find((c) => c.scenario === 'math')!;
    expect(math).toMatchObject({ n: 30, verdict: 'regression' });
    expect(math.value).toBeCloseTo(-1000 / 30, 10);
    expect(math.adjustedPValue).toBeLessThan(0.05);
    expect(math.message).toMatch(
      /^regression: f1 in scenario "math" -33\.3 points \[-\d+\.\d, -\d+\.\d\] \(n=30 paired examples\) below -0\.0, Holm-adjusted p [\d.<> ]+ over 4 scenarios \(local vs spread\)$/,
    );
  });

  it('a minimum delta larger than the drop lets it pass', async () => {
    const gate = await gateOf(['base', 'drop'], { minDelta: 60 });
    expect(gate).toMatchObject({ passed: true, minDelta: 60 });
    expect(gate.checks[0]!.message).toMatch(/wholly above -60\.0 \(drop vs base\)$/);
  });

  it('gates every candidate against the first run', async () => {
    const gate = await gateOf(['base', 'better', 'drop', 'noise']);
    expect(gate.checks.map((c) => [c.candidate, c.verdict])).toEqual([
      ['better', 'no_regression'],
      ['drop', 'regression'],
      ['noise', 'no_regression'],
    ]);
    expect(gate.passed).toBe(false);
  });

  describe('the CLI', () => {
    const cli = (names: ModelName[], ...flags: string[]) =>
      runCli(['compare', ...names.map((n) => runs[n]), '-o', join(dir, `cli-${names.join('-')}`), ...flags]);

    it('exits 1 on a regression with one line per failing metric', () => {
      const run = cli(['base', 'drop'], '--fail-on-regression', '--metric', 'f1,em,accuracy');
      expect(run.code).toBe(1);
      const regressions = run.stdout.split('\n').filter((line) => line.includes('regression: '));
      expect(regressions.map((line) => /regression: (\w+)/.exec(line)![1])).toEqual(['f1', 'em', 'accuracy']);
      expect(run.stdout).toContain('gate: FAILED');
      expect(run.stderr).toBe('');
    });

    it('exits 0 on an improvement and on noise, saying why', () => {
      const better = cli(['base', 'better'], '--fail-on-regression');
      expect(better.code).toBe(0);
      expect(better.stdout).toContain('gate: passed');
      const noise = cli(['base', 'noise'], '--fail-on-regression');
      expect(noise.code).toBe(0);
      expect(noise.stdout).toMatch(/no significant regression: f1 -1\.7 \[.*\] includes 0/);
    });

    it('exits 0 without --fail-on-regression even on a drop', () => {
      expect(cli(['base', 'drop']).code).toBe(0);
    });

    it('--per-scenario turns the confined drop into exit 1', () => {
      expect(cli(['spread', 'local'], '--fail-on-regression').code).toBe(0);
      const run = cli(['spread', 'local'], '--fail-on-regression', '--per-scenario');
      expect(run.code).toBe(1);
      expect(run.stdout).toMatch(/regression: f1 in scenario "math" -33\.3 points/);
    });

    it('--json prints the verdict, and comparison.json holds the same gate', () => {
      const run = cli(['base', 'drop'], '--fail-on-regression', '--json', '--min-delta', '5');
      expect(run.code).toBe(1);
      const printed = JSON.parse(run.stdout) as Pick<Comparison, 'models' | 'pairs' | 'gate'>;
      expect(printed.gate).toMatchObject({ passed: false, metrics: ['f1'], minDelta: 5, perScenario: false });
      const written = JSON.parse(
        readFileSync(join(dir, 'cli-base-drop', 'comparison.json'), 'utf8'),
      ) as Comparison;
      expect(written.gate).toEqual(printed.gate);
    });

    it('compare.html shows the verdict above the metrics', () => {
      cli(['base', 'drop'], '--fail-on-regression');
      const page = readFileSync(join(dir, 'cli-base-drop', 'compare.html'), 'utf8');
      const verdict = page.indexOf('Regression gate: failed');
      expect(verdict).toBeGreaterThan(-1);
      expect(verdict).toBeLessThan(page.indexOf('id="metrics"'));
      expect(page).toContain('regression: f1 -30.0 points');
    });

    it('refuses gate settings without --fail-on-regression (they would pass silently)', () => {
      const run = cli(['base', 'drop'], '--metric', 'em', '--per-scenario');
      expect(run.code).toBe(2);
      expect(run.stderr).toBe(
        'phikit: --metric, --per-scenario only apply to the regression gate\n  hint: add --fail-on-regression\n',
      );
    });

    it('refuses an unknown metric and a negative delta as usage errors', () => {
      const metric = cli(['base', 'drop'], '--fail-on-regression', '--metric', 'f1,bleu');
      expect(metric.code).toBe(2);
      expect(metric.stderr).toContain('bleu');
      const delta = cli(['base', 'drop'], '--fail-on-regression', '--min-delta', '-1');
      expect(delta.code).toBe(2);
      expect(delta.stderr).toContain('--min-delta');
    });
  });
});
