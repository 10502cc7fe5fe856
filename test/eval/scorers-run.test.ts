// Scorers in a real run against a loopback server: a planted classification set (label scorer's
// confusion matrix), contains/json-schema/JS-module scorers per example and per scenario, in
// results.jsonl, metrics.json, results.csv and report.html; a rerun with another scorer rescores
// the cached answers without asking again; stored predictions and `rescore` give the same metrics.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { evaluate } from '../../src/eval/run.js';
import { rescore } from '../../src/eval/rescore.js';
import type { EvalResult } from '../../src/core/eval-types.js';
import { runCli, runCliAsync } from '../helpers/cli.js';
import { startFakeOpenAi, type FakeServer } from '../helpers/openai-server.js';

const tempDir = () => mkdtempSync(join(tmpdir(), 'phikit-scorers-'));
const readResults = (dir: string) =>
  readFileSync(join(dir, 'results.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as EvalResult);

let servers: FakeServer[] = [];
afterEach(async () => {
  for (const server of servers) await server.close();
  servers = [];
});

/** gold label, what the model answers, scenario. */
const PLANTED: Array<[string, string, string]> = [
  ['positive', 'Positive.', 'reviews'],
  ['positive', 'positive, clearly', 'reviews'],
  ['positive', 'I would say POSITIVE', 'reviews'],
  ['positive', 'negative', 'reviews'],
  ['negative', 'Negative!', 'reviews'],
  ['negative', '这是 negative 的', 'tweets'],
  ['negative', 'no idea 🤷', 'tweets'],
  ['neutral', 'positive', 'tweets'],
  ['这是什么', 'negative', 'tweets'],
];

function writePlantedExamples(dir: string): { path: string; answers: Record<string, string> } {
  const answers: Record<string, string> = {};
  const lines = PLANTED.map(([gold, answer, scenario], i) => {
    answers[`review ${i + 1}`] = answer;
    return JSON.stringify({
      scenario,
      messages: [
        { role: 'user', content: `review ${i + 1}` },
        { role: 'assistant', content: gold },
      ],
    });
  });
  const path = join(dir, 'examples.jsonl');
  writeFileSync(path, `${lines.join('\n')}\n`);
  return { path, answers };
}

async function serveAnswers(answers: Record<string, string>): Promise<FakeServer> {
  const server = await startFakeOpenAi({
    answer: (q) => answers[q] ?? '',
    completions: false,
    chatLogprobs: false,
  });
  servers.push(server);
  return server;
}

describe('label scorer on a planted classification set', () => {
  it('gives accuracy, per-label precision/recall/F1, macro-F1 and the confusion matrix', async () => {
    const dir = tempDir();
    const { path, answers } = writePlantedExamples(dir);
    const server = await serveAnswers(answers);
    const out = join(dir, 'run');
    const result = await evaluate(path, {
      out,
      endpoints: [{ name: 'model', url: server.url }],
      scorers: ['label:positive|negative|neutral'],
      retryBaseDelayMs: 1,
    });
    const overall = result.metrics.endpoints[0]!.overall;
    const figures = overall.classification!['label:positive|negative|neutral']!;
    expect(figures.confusion).toEqual({
      positive: { positive: 3, negative: 1, neutral: 0, '(none)': 0 },
      negative: { positive: 0, negative: 2, neutral: 0, '(none)': 1 },
      neutral: { positive: 1, negative: 0, neutral: 0, '(none)': 0 },
      '(other)': { positive: 0, negative: 1, neutral: 0, '(none)': 0 },
    });
    expect(figures.perLabel.positive).toEqual({
      precision: 0.75,
      recall: 0.75,
      f1: 0.75,
      support: 4,
      predicted: 4,
    });
    expect(figures.perLabel.negative!.precision).toBe(0.5);
    expect(figures.perLabel.negative!.f1).toBeCloseTo(4 / 7, 12);
    expect(figures.perLabel.neutral).toEqual({ precision: 0, recall: 0, f1: 0, support: 1, predicted: 0 });
    expect(figures.macroF1.value).toBeCloseTo((100 * (0.75 + 4 / 7)) / 3, 10);
    expect(figures.accuracy.value).toBeCloseTo((100 * 5) / 9, 10);
    expect(overall.scorers!['label:positive|negative|neutral']!.value).toBeCloseTo((100 * 5) / 9, 10);
    expect(
      result.metrics.endpoints[0]!.scenarios.reviews!.scorers!['label:positive|negative|neutral']!.value,
    ).toBe(80);

    const metricsFile = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8')) as typeof result.metrics;
    expect(
      metricsFile.endpoints[0]!.overall.classification!['label:positive|negative|neutral']!.confusion,
    ).toEqual(figures.confusion);
    expect(Object.keys(metricsFile.scorers!)).toEqual(['label:positive|negative|neutral']);
    const byLine = new Map(readResults(out).map((r) => [r.line, r]));
    expect(byLine.get(7)!.scorers).toEqual({
      'label:positive|negative|neutral': { score: 0, detail: { predicted: null, gold: 'negative' } },
    });

    const csv = readFileSync(join(out, 'results.csv'), 'utf8').split('\r\n');
    const header = csv[0]!.split(',');
    expect(header.slice(-2)).toEqual([
      'label:positive|negative|neutral',
      'label:positive|negative|neutral predicted',
    ]);
    expect(csv[1]!.split(',').slice(-2)).toEqual(['100', 'positive']);

    const report = readFileSync(join(out, 'report.html'), 'utf8');
    const confusion = /<table class="confusion">([\s\S]*?)<\/table>/.exec(report)![1]!;
    expect(confusion.match(/<tr>/g)).toHaveLength(5);
    expect(confusion).toContain('<th>(other)</th>');
  });
});

describe('scorers in a run', () => {
  it('scores contains, json-schema and a JS module per example, and rescoring a rerun asks nothing again', async () => {
    const dir = tempDir();
    const examples = join(dir, 'examples.jsonl');
    const rows = [
      { scenario: 'capitals', user: 'France?', assistant: 'Paris', references: ['Paris, France'] },
      { scenario: 'capitals', user: '中国?', assistant: '北京', references: undefined },
      { scenario: 'json', user: 'json please', assistant: '{"city": "Paris"}', references: undefined },
    ];
    writeFileSync(
      examples,
      rows
        .map((r) =>
          JSON.stringify({
            scenario: r.scenario,
            messages: [
              { role: 'user', content: r.user },
              { role: 'assistant', content: r.assistant },
            ],
            ...(r.references ? { references: r.references } : {}),
          }),
        )
        .join('\n'),
    );
    const answers: Record<string, string> = {
      'France?': 'It is Paris.',
      '中国?': '首都是北京 🏯',
      'json please': '```json\n{"city": "Paris"}\n```',
    };
    const server = await serveAnswers(answers);
    const schema = join(dir, 'city.schema.json');
    writeFileSync(
      schema,
      JSON.stringify({ type: 'object', required: ['city'], properties: { city: { type: 'string' } } }),
    );
    const module = join(dir, 'length.mjs');
    writeFileSync(
      module,
      'export default (prediction, reference, example) => ({ score: prediction.length > reference.length ? 1 : 0.5, detail: { line: example.line } });\n',
    );
    const out = join(dir, 'run');
    const run = (scorers: string[]) =>
      evaluate(examples, { out, endpoints: [{ name: 'm', url: server.url }], scorers, retryBaseDelayMs: 1 });
    const first = await run(['contains', `json-schema:${schema}`, module]);
    const byLine = new Map(readResults(out).map((r) => [r.line, r]));
    expect(byLine.get(1)!.scorers).toEqual({
      contains: { score: 100 },
      [`json-schema:${schema}`]: { score: 0 },
      [module]: { score: 100, detail: { line: 1 } },
    });
    expect(byLine.get(2)!.scorers!.contains).toEqual({ score: 100 });
    expect(byLine.get(3)!.scorers![`json-schema:${schema}`]).toEqual({ score: 100 });
    const scenarios = first.metrics.endpoints[0]!.scenarios;
    expect(scenarios.capitals!.scorers!.contains!.value).toBe(100);
    expect(scenarios.json!.scorers![`json-schema:${schema}`]!.value).toBe(100);
    expect(first.metrics.endpoints[0]!.overall.scorers![`json-schema:${schema}`]!.value).toBeCloseTo(
      100 / 3,
      10,
    );

    const asked = server.requests.length;
    const second = await run(['rouge-l']);
    expect(server.requests.length).toBe(asked);
    expect(second.counts.fromCache).toBe(3);
    expect(Object.keys(second.metrics.endpoints[0]!.overall.scorers!)).toEqual(['rouge-l']);
    expect(second.metrics.endpoints[0]!.overall.em).toEqual(first.metrics.endpoints[0]!.overall.em);
    // [首 都 是 北 京 🏯] vs [北 京]: LCS 2, P 2/6, R 1: F 0.5.
    expect(second.metrics.endpoints[0]!.scenarios.capitals!.scorers!['rouge-l']!.n).toBe(2);
    const last = new Map(readResults(out).map((r) => [r.line, r]));
    expect(last.get(2)!.scorers!['rouge-l']!.score).toBeCloseTo(50, 10);
  });

  it('stops with a usage error on an unknown scorer, before asking anything', async () => {
    const dir = tempDir();
    const { path, answers } = writePlantedExamples(dir);
    const server = await serveAnswers(answers);
    await expect(
      evaluate(path, {
        out: join(dir, 'run'),
        endpoints: [{ name: 'm', url: server.url }],
        scorers: ['bleu'],
      }),
    ).rejects.toMatchObject({ code: 'USAGE', message: 'unknown scorer "bleu"' });
    expect(server.requests).toHaveLength(0);
  });
});

describe('stored predictions and rescore', () => {
  it('scores a predictions file matched by id and line, counting what does not match', async () => {
    const dir = tempDir();
    const { path, answers } = writePlantedExamples(dir);
    const server = await serveAnswers(answers);
    const live = join(dir, 'live');
    const asked = await evaluate(path, {
      out: live,
      endpoints: [{ name: 'm', url: server.url }],
      retryBaseDelayMs: 1,
    });
    const ids = new Map(readResults(live).map((r) => [r.line, r.id]));
    // Lines 1-4 by id, 5-8 by line, 9 left out; then an unknown id, a line with no example, garbage and a repeat.
    const predictions = [
      ...[1, 2, 3, 4].map((line) => ({ id: ids.get(line), prediction: answers[`review ${line}`] })),
      ...[5, 6, 7, 8].map((line) => ({ line, prediction: answers[`review ${line}`] })),
      { id: 'no-such-id', prediction: 'x' },
      { line: 99, prediction: 'x' },
      { line: 1, prediction: 'again' },
    ]
      .map((p) => JSON.stringify(p))
      .concat(['not json'])
      .join('\n');
    const file = join(dir, 'gpt-preds.jsonl');
    writeFileSync(file, predictions);
    const out = join(dir, 'stored');
    const stored = await evaluate(path, {
      out,
      endpoints: [],
      predictions: file,
      scorers: ['label:positive|negative|neutral'],
    });
    expect(stored.metrics.predictions).toMatchObject({
      name: 'gpt-preds',
      matched: 8,
      unmatched: 4,
      examplesWithoutPrediction: 1,
      unmatchedLines: [
        { line: 9, message: 'no example has id "no-such-id"' },
        { line: 10, message: 'no example on line 99' },
        { line: 11, message: 'a second prediction for the example on line 1' },
        { line: 12, message: 'not JSON' },
      ],
    });
    expect(stored.warnings.map((w) => [w.code, w.count])).toEqual([
      ['predictions_unmatched', 4],
      ['examples_without_prediction', 1],
    ]);
    const endpoint = stored.metrics.endpoints[0]!;
    expect(endpoint.endpoint).toBe('gpt-preds');
    expect(endpoint.overall.n).toBe(8);
    const liveWithoutLine9 = readResults(live).filter((r) => r.line !== 9);
    const storedResults = readResults(out);
    expect(storedResults.map((r) => [r.line, r.scores])).toEqual(
      liveWithoutLine9.sort((a, b) => a.line - b.line).map((r) => [r.line, r.scores]),
    );
    expect(endpoint.overall.scorers!['label:positive|negative|neutral']!.value).toBe(62.5);
    expect(asked.counts.requested).toBe(9);
  });

  it('rescore keeps EM/F1 as the run computed them and adds the new scorer, asking no endpoint', async () => {
    const dir = tempDir();
    const { path, answers } = writePlantedExamples(dir);
    const server = await serveAnswers(answers);
    const out = join(dir, 'run');
    const original = await evaluate(path, {
      out,
      endpoints: [{ name: 'm', url: server.url }],
      concurrency: 4,
      retryBaseDelayMs: 1,
    });
    const asked = server.requests.length;
    const rescored = await rescore(out, { scorers: ['contains'] });
    expect(server.requests.length).toBe(asked);
    const [before, after] = [original.metrics.endpoints[0]!, rescored.metrics.endpoints[0]!];
    expect(after.overall.em).toEqual(before.overall.em);
    expect(after.overall.f1).toEqual(before.overall.f1);
    expect(after.scenarios).toMatchObject(
      Object.fromEntries(Object.entries(before.scenarios).map(([s, g]) => [s, { em: g.em, f1: g.f1 }])),
    );
    // Lines 1-3, 5 and 6 contain their label (line 6 inside Chinese text): 5 of 9.
    expect(after.overall.scorers!.contains!.value).toBeCloseTo((100 * 5) / 9, 10);
    expect(rescored.rescored).toBe(9);
    const metricsFile = JSON.parse(
      readFileSync(join(out, 'metrics.json'), 'utf8'),
    ) as typeof rescored.metrics;
    expect(metricsFile.endpoints[0]!.overall.scorers!.contains).toEqual(after.overall.scorers!.contains);
    expect(metricsFile.scenarioSource).toBe(original.metrics.scenarioSource);
    expect(readFileSync(join(out, 'results.csv'), 'utf8').split('\r\n')[0]!.endsWith(',contains')).toBe(true);
  });
});

describe('CLI', () => {
  it('eval --predictions and rescore --scorer print the new metrics', async () => {
    const dir = tempDir();
    const { path, answers } = writePlantedExamples(dir);
    const file = join(dir, 'preds.jsonl');
    writeFileSync(
      file,
      PLANTED.map((_, i) => JSON.stringify({ line: i + 1, prediction: answers[`review ${i + 1}`] })).join(
        '\n',
      ),
    );
    const out = join(dir, 'run');
    const evalRun = await runCliAsync([
      'eval',
      path,
      '--predictions',
      file,
      '--predictions-name',
      'offline',
      '--out',
      out,
      '--scorer',
      'contains',
    ]);
    expect(evalRun.stderr).toBe('');
    expect(evalRun.code).toBe(0);
    expect(evalRun.stdout).toContain('  offline: EM ');
    expect(evalRun.stdout).toContain('  contains 55.6 [');
    expect(evalRun.stdout).toContain('predictions from');
    const rescoreRun = runCli(['rescore', out, '--scorer', 'label:positive|negative|neutral']);
    expect(rescoreRun.stderr).toBe('');
    expect(rescoreRun.code).toBe(0);
    expect(rescoreRun.stdout).toContain('offline: label:positive|negative|neutral macro-F1 ');
    const unknown = runCli(['rescore', out, '--scorer', 'bleu']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown scorer "bleu"');
  });
});
