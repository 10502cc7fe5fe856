// Hostile inputs through the library: a line nested too deep or too large is one rejection
// with its line number, and every other line is kept.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAX_JSON_DEPTH } from '../../src/io/json-depth.js';
import { prep } from '../../src/pipeline/prep.js';
import { validate } from '../../src/pipeline/validate.js';
import { chatLine, deepValidChatLine, nestedArrays, tempFile } from '../helpers/hostile.js';

interface RejectedLine {
  line: number;
  reason: string;
  message: string;
  raw: string;
  detail?: Record<string, unknown>;
}

async function prepRun(input: string, options: { maxLineBytes?: number } = {}) {
  const out = mkdtempSync(join(tmpdir(), 'phikit-hostile-out-'));
  const { manifest } = await prep(input, { out, report: false, tokens: false, ...options });
  const read = (name: string) => readFileSync(join(out, name), 'utf8').split('\n').filter(Boolean);
  const kept = [...read('train.jsonl'), ...read('validation.jsonl')].map(
    (line) => (JSON.parse(line) as { messages: Array<{ content: string }> }).messages[0]!.content,
  );
  const rejected = read('rejected.jsonl').map((line) => JSON.parse(line) as RejectedLine);
  return { manifest, kept: kept.sort(), rejected };
}

const tooDeep = expect.stringContaining(`nesting too deep (over ${MAX_JSON_DEPTH} levels`) as unknown;

describe('nesting depth', () => {
  it('prep rejects each too-deep line as invalid_json and keeps the others', async () => {
    const lines = [
      chatLine('one'),
      '['.repeat(5000),
      chatLine('two'),
      deepValidChatLine(1000),
      chatLine('three'),
    ];
    const { manifest, kept, rejected } = await prepRun(tempFile('deep.jsonl', lines.join('\n')));
    expect(kept).toEqual(['one', 'three', 'two']);
    expect(rejected.map((r) => [r.line, r.reason, r.message, r.raw])).toEqual([
      [2, 'invalid_json', tooDeep, lines[1]],
      [4, 'invalid_json', tooDeep, lines[3]],
    ]);
    expect(manifest.counts).toMatchObject({ records: 5, kept: 3, rejected: 2 });
  });

  it('rejects a too-deep element of a .json array and reads the elements after it', async () => {
    const input = tempFile(
      'deep.json',
      `[${chatLine('one')},\n${nestedArrays(10_000)},\n${deepValidChatLine(1000)},\n${chatLine('two')}]`,
    );
    const { kept, rejected } = await prepRun(input);
    expect(kept).toEqual(['one', 'two']);
    expect(rejected.map((r) => [r.line, r.reason, r.message])).toEqual([
      [2, 'invalid_json', tooDeep],
      [3, 'invalid_json', tooDeep],
    ]);
    const result = await validate(input);
    expect(result).toMatchObject({ records: 4, valid: 2, invalid: 2, byReason: { invalid_json: 2 } });
  });
});

describe('line size', () => {
  const big = chatLine('x'.repeat(5000));
  const sha256 = createHash('sha256').update(big).digest('hex');
  const lines = [chatLine('one'), big, chatLine('two'), '', chatLine('three')];
  const offset = Buffer.byteLength(`${lines[0]}\r\n`);

  it('prep rejects a line over maxLineBytes as too_large without copying it', async () => {
    const { manifest, kept, rejected } = await prepRun(tempFile('big.jsonl', lines.join('\r\n')), {
      maxLineBytes: 1000,
    });
    expect(kept).toEqual(['one', 'three', 'two']);
    expect(rejected).toEqual([
      {
        line: 2,
        reason: 'too_large',
        message: `line is ${big.length.toLocaleString('en-US')} bytes, over --max-line-bytes 1,000; raw text not copied (sha256 ${sha256}, byte offset ${offset})`,
        raw: '',
        detail: { bytes: big.length, maxLineBytes: 1000, sha256, offset },
      },
    ]);
    expect(manifest.counts).toMatchObject({
      read: 5,
      blank: 1,
      records: 4,
      rejectedByReason: { too_large: 1 },
    });
  });

  it('validate reports the line as too_large, and keeps a line of exactly maxLineBytes', async () => {
    const input = tempFile('big.jsonl', lines.join('\n'));
    const over = await validate(input, { maxLineBytes: big.length - 1 });
    expect(over.problems.map((p) => [p.line, p.reason])).toEqual([[2, 'too_large']]);
    const exact = await validate(input, { maxLineBytes: big.length });
    expect(exact.problems).toEqual([]);
  });

  it('rejects a .json array element over maxLineBytes as too_large', async () => {
    const input = tempFile('big.json', `[${lines.filter(Boolean).join(',')}]`);
    const { kept, rejected } = await prepRun(input, { maxLineBytes: 1000 });
    expect(kept).toEqual(['one', 'three', 'two']);
    expect(rejected).toEqual([
      {
        line: 2,
        reason: 'too_large',
        message: `element is ${big.length.toLocaleString('en-US')} bytes as JSON, over --max-line-bytes 1,000; raw text not copied (sha256 ${sha256})`,
        raw: '',
        detail: { bytes: big.length, maxLineBytes: 1000, sha256 },
      },
    ]);
  });
});
