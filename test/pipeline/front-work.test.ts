// The front's two ways of receiving a batch: JSONL lines packed as UTF-8 bytes (what prep sends
// its workers) and records as text (JSON array elements) give the same outcomes and written forms.
import { describe, expect, it } from 'vitest';
import { frontWork, PackBuffers, packRecords, type FrontConfig } from '../../src/pipeline/front-work.js';

const LINES = [
  { role: 'user', text: '日本語の質問です。返品はできますか？' },
  { role: 'user', text: 'مرحبا، أين طلبي؟ 😀' },
  { role: 'user', text: '<b>Bold</b> question &amp; more' },
  { role: 'user', text: 'x' },
].map(({ role, text }) =>
  JSON.stringify({
    messages: [
      { role, content: text },
      { role: 'assistant', content: `answer to ${text}` },
    ],
  }),
);
const RECORDS = [
  ...LINES,
  '{"messages": [broken',
  JSON.stringify({ messages: [{ role: 'robot', content: 'x' }] }),
];

const config: FrontConfig = {
  validate: { format: 'messages' },
  disableClean: [],
  tokens: undefined,
  shingle: 3,
  seed: 1,
};

const envelopesOf = (lines: string[]) =>
  lines.map((raw, i) => ({ line: i + 1, raw, bytes: Buffer.from(raw, 'utf8') }));

describe('front batches as bytes', () => {
  it('packs lines back to back with their line numbers and ends', () => {
    const packed = packRecords(envelopesOf(RECORDS))!;
    expect([...packed.lines]).toEqual([1, 2, 3, 4, 5, 6]);
    expect(Buffer.from(packed.bytes).toString('utf8')).toBe(RECORDS.join(''));
    expect(packed.ends[5]).toBe(Buffer.byteLength(RECORDS.join('')));
    // Its own ArrayBuffer, so it can be transferred.
    expect(packed.bytes.byteOffset).toBe(0);
    expect(packed.bytes.buffer.byteLength).toBe(packed.bytes.byteLength);
  });

  it('sends text when a record has no bytes or the batch is over its byte limit', () => {
    expect(packRecords([...envelopesOf(LINES), { line: 9 }])).toBeUndefined();
    const total = Buffer.byteLength(RECORDS.join(''));
    expect(packRecords(envelopesOf(RECORDS), total - 1)).toBeUndefined();
    expect(packRecords(envelopesOf(RECORDS), total)).toBeDefined();
  });

  it('gives the same outcomes and written forms for packed bytes as for text', async () => {
    const work = frontWork(config, undefined);
    const fromText = await work(RECORDS.map((raw, i) => ({ line: i + 1, raw })));
    const fromBytes = await work(packRecords(envelopesOf(RECORDS))!);
    expect(fromBytes.outcomes).toEqual(fromText.outcomes);
    expect(Buffer.from(fromBytes.written)).toEqual(Buffer.from(fromText.written));
    expect(fromBytes.outcomes.map((outcome) => outcome.rejection?.rejection.reason)).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      'invalid_json',
      'schema',
    ]);
    expect(Buffer.from(fromBytes.written).toString('utf8')).toContain('😀');
  });
});

describe('pack buffers back from the workers', () => {
  it('packs a later batch into a buffer given back, when it fits, else into a new one', () => {
    const buffers = new PackBuffers();
    const first = packRecords(envelopesOf(RECORDS), undefined, buffers)!;
    const total = Buffer.byteLength(RECORDS.join(''));
    expect(first.bytes.byteLength).toBe(total);
    // Room for a later batch a little larger.
    expect(first.bytes.buffer.byteLength).toBe(Math.ceil(total * 1.25));
    buffers.give(first.bytes.buffer as ArrayBuffer);
    const second = packRecords(envelopesOf(LINES), undefined, buffers)!;
    expect(second.bytes.buffer).toBe(first.bytes.buffer);
    expect(Buffer.from(second.bytes).toString('utf8')).toBe(LINES.join(''));
    const larger = packRecords(envelopesOf([...RECORDS, ...RECORDS]), undefined, buffers)!;
    expect(larger.bytes.buffer).not.toBe(first.bytes.buffer);
    expect(Buffer.from(larger.bytes).toString('utf8')).toBe(RECORDS.join('').repeat(2));
  });

  it('keeps no buffer over 8 MiB', () => {
    const buffers = new PackBuffers();
    const huge = new ArrayBuffer(8 * 1024 * 1024 + 1);
    buffers.give(huge);
    expect(buffers.take(10).buffer).not.toBe(huge);
  });

  it("sends a packed batch's bytes back with its result, and nothing for text", async () => {
    const work = frontWork(config, undefined);
    const packed = packRecords(envelopesOf(RECORDS))!;
    expect((await work(packed)).records).toBe(packed.bytes);
    expect((await work(RECORDS.map((raw, i) => ({ line: i + 1, raw })))).records).toBeUndefined();
  });
});

describe('front written forms', () => {
  // Long texts are measured before they are encoded; every written form stays its example's
  // JSON, and its content key is that of exactKey (the one-thread path's), batch after batch.
  it('writes each kept example as exactKey does, long and multi-byte texts included', async () => {
    const { exactKey } = await import('../../src/stages/dedupe-exact.js');
    const long = `${'長い回答🙂 '.repeat(40_000)}end`; // 240,003 code units, mostly 3-4 UTF-8 bytes each
    const records = [
      JSON.stringify({
        messages: [
          { role: 'user', content: 'q1' },
          { role: 'assistant', content: long },
        ],
      }),
      JSON.stringify({
        messages: [
          { role: 'user', content: 'مرحبا' },
          { role: 'assistant', content: 'أهلاً' },
        ],
      }),
      JSON.stringify({
        messages: [
          { role: 'user', content: 'q3' },
          { role: 'assistant', content: 'x'.repeat(70_000) },
        ],
      }),
    ];
    const work = frontWork(config, undefined);
    for (let batch = 0; batch < 2; batch++) {
      const result = await work(packRecords(envelopesOf(records))!);
      for (const [i, outcome] of result.outcomes.entries()) {
        const expected = exactKey(JSON.parse(records[i]!) as never);
        const [start, end] = outcome.kept!.written;
        expect(Buffer.from(result.written.subarray(start, end)).toString('utf8')).toBe(expected.serialized);
        expect(outcome.kept!.contentKey).toBe(expected.contentKey);
      }
    }
  });
});
