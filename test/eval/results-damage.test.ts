// A damaged results.jsonl (a garbage line, a zero-filled block after a crash) does not stop later
// runs: the damaged lines are skipped, counted and reported with file and line, and only the
// missing answers are asked again.
import { appendFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliAsync } from '../helpers/cli.js';
import { evalAnswers, fixture } from '../helpers/fixtures.js';
import { startFakeOpenAi, type FakeServer } from '../helpers/openai-server.js';

const ANSWERS = evalAnswers();

describe('phikit eval on a damaged results.jsonl', () => {
  let servers: FakeServer[] = [];
  beforeAll(async () => {
    const start = () =>
      startFakeOpenAi({ answer: (q) => ANSWERS[q] ?? '', completions: false, chatLogprobs: false });
    servers = [await start(), await start()];
  });
  afterAll(async () => {
    for (const server of servers) await server.close();
  });

  const chatRequests = () =>
    servers.flatMap((server) => [...server.chatRequests.values()]).reduce((a, b) => a + b, 0);
  const evalRun = (out: string, limit: number) =>
    runCliAsync([
      'eval',
      fixture('eval-examples.jsonl'),
      '-e',
      `base=${servers[0]!.url}`,
      '-e',
      `tuned=${servers[1]!.url}`,
      '-o',
      out,
      '--limit',
      `${limit}`,
      '-q',
    ]);

  it.each([
    { damage: 'a garbage line', bytes: 'garbage{"not json\n', message: 'not JSON (' },
    {
      damage: 'a zero-filled block (4 KB of NUL bytes)',
      bytes: `${'\0'.repeat(4096)}\n`,
      message: '4096 NUL bytes (a zero-filled block, e.g. after a crash)',
    },
  ])('skips $damage, says so, and asks only what is missing', async ({ bytes, message }) => {
    const out = mkdtempSync(join(tmpdir(), 'phikit-damage-'));
    const results = join(out, 'results.jsonl');
    expect((await evalRun(out, 2)).code).toBe(0);
    appendFileSync(results, bytes);

    const asked = chatRequests();
    const rerun = await evalRun(out, 4);
    expect(rerun.code).toBe(0);
    // The probes are remembered in probes.json: only the 2 new examples are asked, of both endpoints.
    expect(chatRequests() - asked).toBe(4);
    expect(rerun.stdout).toContain(
      '4 examples (0 lines skipped as not chat examples); 4 asked, 4 from the cache',
    );
    expect(rerun.stdout).toContain('skipped 1 damaged lines of results.jsonl (see metrics.json)');
    expect(rerun.stderr).toContain(
      `phikit: warning: skipped 1 damaged line of results.jsonl: ${results}:5 (${message}`,
    );
    const metrics = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8')) as {
      resultsFile: {
        skippedLines: number;
        damagedLines: Array<{ file: string; line: number; message: string }>;
      };
      endpoints: Array<{ overall: { n: number; errors: number } }>;
    };
    expect(metrics.resultsFile).toEqual({
      skippedLines: 1,
      damagedLines: [{ file: results, line: 5, message: expect.stringContaining(message) }],
    });
    expect(metrics.endpoints.map((e) => e.overall)).toMatchObject([
      { n: 4, errors: 0 },
      { n: 4, errors: 0 },
    ]);
    // Lines after the damage are read as usual.
    const lines = readFileSync(results, 'utf8').split('\n');
    expect(lines).toHaveLength(4 + 1 + 4 + 1);

    const compared = await runCliAsync(['compare', out, '-o', join(out, 'cmp')]);
    expect(compared.code).toBe(0);
    expect(compared.stderr).toContain(`skipped 1 damaged line of results.jsonl: ${results}:5`);
  });

  it('still truncates a cut last line silently and asks its example again', async () => {
    const out = mkdtempSync(join(tmpdir(), 'phikit-damage-'));
    expect((await evalRun(out, 2)).code).toBe(0);
    appendFileSync(join(out, 'results.jsonl'), '{"id":"cut off by a kill');
    const asked = chatRequests();
    const rerun = await evalRun(out, 3);
    expect(rerun.code).toBe(0);
    expect(rerun.stderr).toBe('');
    expect(chatRequests() - asked).toBe(2);
    expect(readFileSync(join(out, 'results.jsonl'), 'utf8').trim().split('\n')).toHaveLength(6);
  });
});
