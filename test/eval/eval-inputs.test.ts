// phikit eval on prep's own outputs: scenarios from test.jsonl's `scenario`, from index.jsonl
// (--labels, --prep-dir), from rules or the system prompt; several accepted references per example;
// a --scenario-field that no example has is said, not silently `unlabeled`.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PhikitError } from '../../src/core/errors.js';
import type { EvalRunMetrics } from '../../src/eval/run.js';
import { evaluate } from '../../src/eval/run.js';
import type { EvalResult } from '../../src/core/eval-types.js';
import { runCliAsync } from '../helpers/cli.js';
import { startFakeOpenAi, type FakeServer } from '../helpers/openai-server.js';

const tempDir = () => mkdtempSync(join(tmpdir(), 'phikit-eval-inputs-'));
const jsonl = (rows: unknown[]) => rows.map((row) => `${JSON.stringify(row)}\n`).join('');
const chat = (question: string, answer: string, system?: string) => [
  ...(system === undefined ? [] : [{ role: 'system', content: system }]),
  { role: 'user', content: question },
  { role: 'assistant', content: answer },
];
const readResults = (dir: string) =>
  readFileSync(join(dir, 'results.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as EvalResult);
const readMetrics = (dir: string) =>
  JSON.parse(readFileSync(join(dir, 'metrics.json'), 'utf8')) as EvalRunMetrics;

/** What the fake model answers, by question: the refund answer matches only a further reference. */
const ANSWERS: Record<string, string> = {
  'How do I get a refund?': 'Contact support',
  'Where is my invoice?': 'In the Invoices tab.',
  '发货要多久？': '3 days',
  'Hi 👋': 'Hello',
};

/** A prepared test.jsonl as prep writes it: messages, scenario, input line, references. */
const TEST_JSONL = jsonl([
  {
    messages: chat('How do I get a refund?', 'Open Settings, then Billing.', 'You are a support agent.'),
    scenario: 'billing',
    line: 12,
    references: ['Use the billing page', 'contact support.'],
  },
  {
    messages: chat('Where is my invoice?', 'In the Invoices tab.', 'You are a support agent.'),
    scenario: 'billing',
    line: 15,
  },
  {
    messages: chat('发货要多久？', '三天', '你是客服。'),
    scenario: 'shipping',
    line: 20,
    references: ['3 days'],
  },
  { messages: chat('Hi 👋', 'Hello!'), line: 21 },
]);

let servers: FakeServer[] = [];
afterEach(async () => {
  for (const server of servers) await server.close();
  servers = [];
});
async function serve(): Promise<FakeServer> {
  const server = await startFakeOpenAi({ answer: (q) => ANSWERS[q] ?? '' });
  servers.push(server);
  return server;
}

describe('eval reads prep test.jsonl natively', () => {
  it("reports per scenario from the record's scenario and scores the max over all references", async () => {
    const server = await serve();
    const dir = tempDir();
    writeFileSync(join(dir, 'test.jsonl'), TEST_JSONL);
    const out = join(dir, 'run');
    const result = await evaluate(join(dir, 'test.jsonl'), {
      out,
      endpoints: [{ name: 'tuned', url: server.url }],
    });
    const metrics = result.metrics.endpoints[0]!;
    expect(Object.keys(metrics.scenarios)).toEqual(['billing', 'shipping', 'unlabeled']);
    expect(metrics.scenarios.billing!.n).toBe(2);
    // Every answer matches one accepted reference: the refund one only "contact support.", the shipping one only "3 days".
    expect(metrics.overall.em.value).toBe(100);
    expect(metrics.overall.f1.value).toBe(100);
    expect(result.warnings).toEqual([]);
    expect(readMetrics(out).scenarioSource).toBe('the record\'s "scenario" string, where present');

    // results.jsonl is written as answers arrive (4 in flight): compare in line order.
    const rows = readResults(out).sort((a, b) => a.line - b.line);
    expect(
      rows.map((row) => [row.line, row.scenario, row.reference, row.references, row.scores?.em]),
    ).toEqual([
      [1, 'billing', 'Open Settings, then Billing.', ['Use the billing page', 'contact support.'], 100],
      [2, 'billing', 'In the Invoices tab.', undefined, 100],
      [3, 'shipping', '三天', ['3 days'], 100],
      [4, 'unlabeled', 'Hello!', undefined, 100],
    ]);
    const csv = readFileSync(join(out, 'results.csv'), 'utf8').split('\r\n');
    expect(csv[0]).toContain(',logprob_tokens,perplexity_not_scored,');
    expect(csv[0]).toContain(',reference,references,answer_truncated_bytes');
    expect(csv[1]).toContain(
      ',"Open Settings, then Billing.","[""Use the billing page"",""contact support.""]",',
    );
    const report = readFileSync(join(out, 'report.html'), 'utf8');
    expect(report).toContain(
      '<ul class="references" data-references="2"><li>Use the billing page</li><li>contact support.</li></ul>',
    );
    expect(report.match(/<ul class="references"/g)).toHaveLength(2);
  });

  it('gives the final assistant message alone when references are absent (scores would differ without them)', async () => {
    const server = await serve();
    const dir = tempDir();
    const withoutReferences = TEST_JSONL.split('\n')
      .filter((line) => line !== '')
      .map((line) => {
        const { references: _dropped, ...rest } = JSON.parse(line) as Record<string, unknown>;
        return rest;
      });
    writeFileSync(join(dir, 'test.jsonl'), jsonl(withoutReferences));
    const result = await evaluate(join(dir, 'test.jsonl'), {
      out: join(dir, 'run'),
      endpoints: [{ name: 'tuned', url: server.url }],
    });
    expect(result.metrics.endpoints[0]!.overall.em.value).toBe(50);
  });

  it('skips a record whose references are not strings, saying why', async () => {
    const server = await serve();
    const dir = tempDir();
    writeFileSync(
      join(dir, 'test.jsonl'),
      jsonl([
        { messages: chat('Hi 👋', 'Hello!'), references: 'Hello' },
        { messages: chat('Where is my invoice?', 'In the Invoices tab.'), references: ['a', 2] },
        { messages: chat('How do I get a refund?', 'Contact support') },
      ]),
    );
    const result = await evaluate(join(dir, 'test.jsonl'), {
      out: join(dir, 'run'),
      endpoints: [{ name: 'tuned', url: server.url }],
    });
    expect(result.counts).toMatchObject({ examples: 1, skippedLines: 2 });
  });
});

describe('eval recovers scenarios from prep index.jsonl', () => {
  const VALIDATION = jsonl([
    { messages: chat('How do I get a refund?', 'Contact support') },
    { messages: chat('发货要多久？', '3 days') },
    { messages: chat('Hi 👋', 'Hello') },
  ]);
  const INDEX = jsonl([
    { file: 'train.jsonl', row: 1, line: 1, scenario: 'wrong', unit: 0 },
    { file: 'validation.jsonl', row: 2, line: 7, scenario: 'shipping', unit: 3 },
    { file: 'validation.jsonl', row: 1, line: 4, scenario: 'billing', unit: 1 },
    { file: 'train.jsonl', row: 3, line: 9, scenario: 'wrong', unit: 2 },
  ]);
  const prepDir = () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'validation.jsonl'), VALIDATION);
    writeFileSync(join(dir, 'index.jsonl'), INDEX);
    return dir;
  };

  it('--labels matches by file name and row, and warns about rows it has no label for', async () => {
    const server = await serve();
    const dir = prepDir();
    const out = join(dir, 'run');
    const run = await runCliAsync([
      'eval',
      join(dir, 'validation.jsonl'),
      '--labels',
      join(dir, 'index.jsonl'),
      '--endpoint',
      `tuned=${server.url}`,
      '--out',
      out,
      '-q',
    ]);
    expect(run.code).toBe(0);
    const message = `1 of 3 examples have no line for their row of validation.jsonl in ${join(dir, 'index.jsonl')}: they are "unlabeled"`;
    expect(run.stderr).toBe(`phikit: warning: ${message}\n`);
    const metrics = readMetrics(out);
    expect(metrics.warnings).toEqual([{ code: 'labels_unmatched', message, count: 1 }]);
    expect(Object.keys(metrics.endpoints[0]!.scenarios)).toEqual(['billing', 'shipping', 'unlabeled']);
    // results.jsonl is in the order answers arrived (the resume cache): compare by line.
    const byLine = readResults(out).sort((a, b) => a.line - b.line);
    expect(byLine.map((row) => row.scenario)).toEqual(['billing', 'shipping', 'unlabeled']);
  });

  it('labels answers reused from an earlier run in the same folder (nothing asked again)', async () => {
    const server = await serve();
    const dir = prepDir();
    const out = join(dir, 'run');
    const endpoints = [{ name: 'tuned', url: server.url }];
    const first = await evaluate(join(dir, 'validation.jsonl'), { out, endpoints });
    expect(Object.keys(first.metrics.endpoints[0]!.scenarios)).toEqual(['unlabeled']);
    const again = await evaluate(join(dir, 'validation.jsonl'), {
      out,
      endpoints,
      labels: join(dir, 'index.jsonl'),
    });
    expect(again.counts).toMatchObject({ requested: 0, fromCache: 3 });
    expect(Object.keys(again.metrics.endpoints[0]!.scenarios)).toEqual(['billing', 'shipping', 'unlabeled']);
    expect(readFileSync(join(out, 'results.csv'), 'utf8')).toContain(',billing,tuned,');
  });

  it('--prep-dir DIR reads DIR/index.jsonl', async () => {
    const server = await serve();
    const dir = prepDir();
    const out = join(dir, 'run');
    const run = await runCliAsync([
      'eval',
      join(dir, 'validation.jsonl'),
      '--prep-dir',
      dir,
      '--endpoint',
      `tuned=${server.url}`,
      '--out',
      out,
      '--json',
    ]);
    expect(run.code).toBe(0);
    const printed = JSON.parse(run.stdout) as EvalRunMetrics;
    expect(printed.scenarioSource).toBe(`labels: ${join(dir, 'index.jsonl')} (rows of validation.jsonl)`);
    expect(printed.endpoints[0]!.scenarios.billing!.n).toBe(1);
  });

  it('refuses a missing index (exit 3) and a second scenario source (exit 2)', async () => {
    const dir = prepDir();
    const base = ['eval', join(dir, 'validation.jsonl'), '--endpoint', 'tuned=http://127.0.0.1:9/v1'];
    const missing = await runCliAsync([...base, '--prep-dir', join(dir, 'nope'), '--out', join(dir, 'a')]);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toContain(
      `cannot read the scenario index ${join(dir, 'nope', 'index.jsonl')} (ENOENT)`,
    );
    writeFileSync(join(dir, 'broken-index.jsonl'), `${INDEX}{"file": "validation.jsonl", "row": "2"}\n`);
    await expect(
      evaluate(join(dir, 'validation.jsonl'), {
        out: join(dir, 'd'),
        endpoints: [{ name: 'tuned', url: 'http://127.0.0.1:9/v1' }],
        labels: join(dir, 'broken-index.jsonl'),
      }),
    ).rejects.toThrow(`${join(dir, 'broken-index.jsonl')}:5 is not an index line`);
    const both = await runCliAsync([
      ...base,
      '--labels',
      join(dir, 'index.jsonl'),
      '--scenario-field',
      'scenario',
      '--out',
      join(dir, 'b'),
    ]);
    expect(both.code).toBe(2);
    await expect(
      evaluate(join(dir, 'validation.jsonl'), {
        out: join(dir, 'c'),
        endpoints: [{ name: 'tuned', url: 'http://127.0.0.1:9/v1' }],
        labels: join(dir, 'index.jsonl'),
        scenarioBy: 'system',
      }),
    ).rejects.toThrow(
      new PhikitError('USAGE', 'labels and scenarioBy both name the scenario; give one', undefined, {
        options: ['labels', 'scenarioBy'],
      }),
    );
  });
});

describe('eval scenario options as in prep', () => {
  it('--scenario-rules and --scenario-by system label the examples', async () => {
    const server = await serve();
    const dir = tempDir();
    writeFileSync(join(dir, 'test.jsonl'), TEST_JSONL);
    const rules = { rules: [{ pattern: 'refund|invoice', scenario: 'money' }], default: 'other' };
    const byRules = await evaluate(join(dir, 'test.jsonl'), {
      out: join(dir, 'rules'),
      endpoints: [{ name: 'tuned', url: server.url }],
      scenarioRules: rules,
    });
    expect(Object.keys(byRules.metrics.endpoints[0]!.scenarios)).toEqual(['money', 'other']);
    expect(byRules.metrics.endpoints[0]!.scenarios.money!.n).toBe(2);

    const bySystem = await evaluate(join(dir, 'test.jsonl'), {
      out: join(dir, 'system'),
      endpoints: [{ name: 'tuned', url: server.url }],
      scenarioBy: 'system',
    });
    expect(Object.keys(bySystem.metrics.endpoints[0]!.scenarios)).toEqual([
      '(no system prompt)',
      'You are a support agent.',
      '你是客服。',
    ]);
  });

  it('says when --scenario-field is absent from every example, with the count', async () => {
    const server = await serve();
    const dir = tempDir();
    writeFileSync(join(dir, 'test.jsonl'), TEST_JSONL);
    writeFileSync(
      join(dir, 'rules.json'),
      JSON.stringify({ rules: [{ pattern: '发货', scenario: '物流' }] }),
    );
    const out = join(dir, 'run');
    const run = await runCliAsync([
      'eval',
      join(dir, 'test.jsonl'),
      '--scenario-field',
      'metadata.category',
      '--endpoint',
      `tuned=${server.url}`,
      '--out',
      out,
      '-q',
    ]);
    expect(run.code).toBe(0);
    const message = 'scenario field "metadata.category" is absent from all 4 examples: they are "unlabeled"';
    expect(run.stderr).toBe(`phikit: warning: ${message}\n`);
    expect(readMetrics(out).warnings).toEqual([{ code: 'scenario_field_missing', message, count: 4 }]);

    const byRulesFile = await runCliAsync([
      'eval',
      join(dir, 'test.jsonl'),
      '--scenario-rules',
      join(dir, 'rules.json'),
      '--endpoint',
      `tuned=${server.url}`,
      '--out',
      join(dir, 'rules-run'),
      '--json',
    ]);
    expect(byRulesFile.code).toBe(0);
    const scenarios = (JSON.parse(byRulesFile.stdout) as EvalRunMetrics).endpoints[0]!.scenarios;
    expect(Object.fromEntries(Object.entries(scenarios).map(([name, group]) => [name, group.n]))).toEqual({
      unlabeled: 3,
      物流: 1,
    });
  });
});
