// prep with front workers (parse, validate, clean and the work done ahead in worker threads) gives
// the outputs of prep in one thread, byte for byte: every kind of rejection, cleaning samples spread
// over the file, unknown keys past their cap, near-duplicates, clusters, token counts and the test split.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Stage } from '../../src/core/envelope.js';
import { prep } from '../../src/pipeline/prep.js';
import { seededRandom } from '../../src/metrics/stats.js';
import { chatLine } from '../helpers/hostile.js';

const WORDS = (
  'order refund parcel invoice account password delivery address payment card label return window ' +
  'warranty screen battery update router signal plan upgrade cancel renew discount coupon store hours'
).split(' ');
const SCENARIOS = ['billing', 'shipping', 'returns', 'tech', 'rare'];

/** One line of the mixed file: mostly fine chats, and every kind of trouble the front meets. */
function line(i: number, random: () => number): string | Buffer {
  const pick = () => WORDS[Math.floor(random() * WORDS.length)]!;
  const sentence = (n: number) => Array.from({ length: n }, pick).join(' ');
  const scenario = SCENARIOS[i % 97 === 0 ? 4 : i % 4]!;
  const chat = (user: string, assistant: string, extra: Record<string, unknown> = {}) =>
    chatLine(user, assistant, { scenario, ...extra });
  const user = `Question ${i}: ${sentence(6)}?`;
  const answer = `${sentence(20 + (i % 30))}.`;
  switch (i % 23) {
    case 1:
      return chat(user, `<b>${answer}</b>`); // html noise
    case 2:
      return chat(`  ${user}  `, `${answer}\u00a0\u00a0 done`); // trim, nbsp
    case 3:
      return chat(user, `zero\u200bwidth ${answer}`, { [`key_${i % 1300}`]: 1 }); // unknown keys past the cap
    case 4:
      return chat('Where is my parcel?', 'It ships within two days of your order.'); // exact duplicates
    case 5:
      return '{"messages": [ {"role": "user", "content": "cut';
    case 6:
      return JSON.stringify({ scenario, messages: [{ role: 'robot', content: 'x' }] });
    case 7:
      return chat(user, '\u200b \u00a0');
    case 8:
      return chat(`lone ${'\ud800'} surrogate ${i}`, answer);
    case 9:
      return chat(`${user} <|end|>`, answer);
    case 10:
      return chat(user, sentence(500));
    case 11:
      return JSON.stringify({
        scenario,
        tools: [{ type: 'function', function: { name: 'f', parameters: {} } }],
        messages: [
          { role: 'user', content: user },
          { role: 'assistant', content: answer },
        ],
      });
    case 12:
      return chat(
        `问题${i}：${'退款订单包裹发票账户密码'.slice(i % 5)}怎么办？`,
        `您好，${'请在设置中更新您的地址和付款方式'.slice(i % 7)}。`,
      );
    case 13:
      return chat(user, answer, { references: [answer, `alt ${i}`] });
    case 14:
      return `${'['.repeat(300)}${']'.repeat(300)}`;
    case 15:
      return Buffer.from([0x7b, 0xff, 0x7d]);
    case 16:
      return i > 50
        ? chat(
            `Question ${i - 46}: near`,
            `${answer.split(' ').slice(0, 18).join(' ')} one two three four five six seven eight`,
          )
        : chat(user, answer);
    case 17:
      return '';
    default:
      return chat(user, answer);
  }
}

function writeMixedFile(path: string, lines: number): void {
  const random = seededRandom(11);
  const parts = Array.from({ length: lines }, (_, i) => line(i + 1, random));
  writeFileSync(
    path,
    Buffer.concat(parts.map((part) => Buffer.concat([Buffer.from(part), Buffer.from('\n')]))),
  );
}

/** Timings and the thread count are the only figures that may differ. */
function untimed(dir: string): unknown {
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
  manifest.timings = {};
  for (const stage of manifest.stages) stage.ms = 0;
  manifest.stages.find((stage: { name: string }) => stage.name === 'token-length').details.threads = 0;
  manifest.options.tokens.threads = 0;
  delete manifest.outputs.report;
  return manifest;
}

describe('prep with front workers', () => {
  it('writes what prep in one thread writes, byte for byte', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'phikit-front-'));
    const input = join(dir, 'mixed.jsonl');
    writeMixedFile(input, 3000);
    const run = (threads: number) =>
      prep(input, {
        out: join(dir, `t${threads}`),
        scenarioField: 'scenario',
        testRatio: 0.1,
        tokens: { maxTokens: 400 },
        balance: 'cap:300',
        threads,
      });
    const one = await run(1);
    const two = await run(2);

    const reasons = Object.entries(one.manifest.counts.rejectedByReason)
      .filter(([, count]) => count > 0)
      .map(([reason]) => reason);
    expect(reasons).toEqual(
      expect.arrayContaining([
        'invalid_json',
        'invalid_utf8',
        'schema',
        'empty_after_clean',
        'invalid_unicode',
        'special_token_in_text',
        'too_long',
        'tools_unsupported',
        'duplicate',
        'near_duplicate',
        'balanced_out',
      ]),
    );
    // A worker gets JSONL lines as bytes; a line rejected after the front still has its text.
    const inputLines = readFileSync(input, 'utf8').split('\n');
    const balanced = readFileSync(join(dir, 't2', 'rejected.jsonl'), 'utf8')
      .split('\n')
      .filter((text) => text.includes('"balanced_out"'))
      .map((text) => JSON.parse(text) as { line: number; raw: string });
    expect(balanced.length).toBeGreaterThan(0);
    for (const { line, raw } of balanced) expect(raw).toBe(inputLines[line - 1]);
    expect(two.manifest.stages.find((stage) => stage.name === 'token-length')?.details?.threads).toBe(2);
    const files = readdirSync(join(dir, 't1')).filter((name) => name.endsWith('.jsonl'));
    expect(files.sort()).toEqual([
      'index.jsonl',
      'rejected.jsonl',
      'test.jsonl',
      'train.jsonl',
      'validation.jsonl',
    ]);
    for (const name of files)
      expect(readFileSync(join(dir, 't2', name)), name).toEqual(readFileSync(join(dir, 't1', name)));
    expect(untimed(join(dir, 't2'))).toEqual(untimed(join(dir, 't1')));
  });
});

describe('prep with extra stages', () => {
  it('runs the front in this thread (extra stages may read the parsed record) and writes what one thread writes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'phikit-extra-'));
    const input = join(dir, 'mixed.jsonl');
    writeMixedFile(input, 600);
    const seen: unknown[] = [];
    const noRefunds: Stage = {
      name: 'no-refunds',
      needs: ['record'],
      run(batch) {
        for (const envelope of batch) {
          if (envelope.rejection) continue;
          seen.push(envelope.record);
          if (JSON.stringify(envelope.record).includes('refund'))
            envelope.rejection = { reason: 'schema', message: 'mentions a refund' };
        }
      },
    };
    const run = (threads: number) =>
      prep(input, {
        out: join(dir, `t${threads}`),
        scenarioField: 'scenario',
        extraStages: [noRefunds],
        threads,
      });
    const one = await run(1);
    const two = await run(2);
    expect(seen.every((record) => typeof record === 'object' && record !== null)).toBe(true);
    expect(one.manifest.stages.find((stage) => stage.name === 'no-refunds')?.rejected.schema).toBeGreaterThan(
      0,
    );
    expect(two.manifest.stages.find((stage) => stage.name === 'token-length')?.details?.threads).toBe(2);
    for (const name of ['train.jsonl', 'validation.jsonl', 'rejected.jsonl', 'index.jsonl'])
      expect(readFileSync(join(dir, 't2', name)), name).toEqual(readFileSync(join(dir, 't1', name)));
  });
});
