// A local GGUF model as the judge (`--judge local=gguf:PATH`): the tiny model's scores are junk, so
// this only checks that the gguf: path works and that answers without "Score: N" are counted.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluate } from '../../src/eval/run.js';
import type { JudgmentRecord } from '../../src/eval/judge.js';
import { evalAnswers, fixture } from '../helpers/fixtures.js';
import { startFakeOpenAi, type FakeServer } from '../helpers/openai-server.js';
import { hasModels, modelsSkipMessage, storiesPath } from '../gguf/models.js';

if (!hasModels) console.warn(`${modelsSkipMessage} (judge-gguf)`);

describe.skipIf(!hasModels)('evaluate --judge local=gguf:stories260K', () => {
  let model: FakeServer;
  beforeAll(async () => {
    const answers = evalAnswers();
    model = await startFakeOpenAi({ answer: (q) => answers[q] ?? '', completions: false });
  });
  afterAll(() => model.close());

  it('asks the local model, keeps its answers and counts the unparseable ones', async () => {
    const out = mkdtempSync(join(tmpdir(), 'phikit-judge-gguf-'));
    const result = await evaluate(fixture('eval-examples.jsonl'), {
      out,
      endpoints: [{ name: 'model', url: model.url }],
      limit: 3,
      judge: { endpoint: { name: 'local', url: `gguf:${storiesPath}` } },
    });
    const judge = result.metrics.judge!;
    expect(judge).toMatchObject({ judge: 'local', asked: 3, fromCache: 0, errors: 0 });
    const group = judge.endpoints[0]!.overall;
    expect(group.n).toBe(3);
    expect(group.scored + group.unparseable).toBe(3);
    expect(judge.unparseable).toBe(group.unparseable);
    const records = readFileSync(join(out, 'judgments.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as JudgmentRecord);
    expect(records).toHaveLength(3);
    expect(records.every((r) => typeof r.text === 'string' && r.error === null)).toBe(true);
  });
});
