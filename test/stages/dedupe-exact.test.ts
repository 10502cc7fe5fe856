import { describe, expect, it } from 'vitest';
import { createDedupeExactStage } from '../../src/stages/dedupe-exact.js';
import { SignatureTable } from '../../src/core/signature-table.js';
import type { Envelope } from '../../src/core/envelope.js';
import { problemsByLine } from '../helpers/fixtures.js';
import { prep } from '../../src/pipeline/prep.js';
import { fixture } from '../helpers/fixtures.js';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const example = (user: string, assistant: string): Envelope['example'] => ({
  messages: [
    { role: 'user', content: user },
    { role: 'assistant', content: assistant },
  ],
});

describe('dedupe-exact stage', () => {
  it('keeps the first occurrence and points later ones at its line', async () => {
    const stage = createDedupeExactStage();
    const batch: Envelope[] = [
      { line: 3, raw: '', scenario: 'a', example: example('q', 'a') },
      { line: 5, raw: '', scenario: 'a', example: example('q', 'b') },
      { line: 9, raw: '', scenario: 'b', example: example('q', 'a') },
    ];
    await stage.run(batch);
    expect(batch.map((e) => e.rejection)).toEqual([
      undefined,
      undefined,
      { reason: 'duplicate', message: 'same as line 3 (after cleaning)', detail: { sameAs: 3 } },
    ]);
  });

  it('finds duplicates that differ only in whitespace and invisible characters (after cleaning)', async () => {
    expect(await problemsByLine('whitespace-dupes.jsonl')).toEqual({});
    const out = mkdtempSync(join(tmpdir(), 'phikit-'));
    await prep(fixture('whitespace-dupes.jsonl'), { out, report: false, nearDedup: false });
    const rejected = readFileSync(join(out, 'rejected.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { line: number; reason: string; message: string });
    expect(rejected.map(({ line, reason, message }) => ({ line, reason, message }))).toEqual([
      { line: 2, reason: 'duplicate', message: 'same as line 1 (after cleaning)' },
      { line: 3, reason: 'duplicate', message: 'same as line 1 (after cleaning)' },
    ]);
  });
});

describe('SignatureTable', () => {
  it('stores many signatures through growth and finds each again', () => {
    const table = new SignatureTable(4);
    for (let i = 1; i <= 10_000; i++) expect(table.addIfAbsent(i * 7919, i, i)).toBeUndefined();
    for (let i = 1; i <= 10_000; i++) expect(table.addIfAbsent(i * 7919, i, 99_999)).toBe(i);
    expect(table.size).toBe(10_000);
    expect(table.addIfAbsent(7919, 2, 1)).toBeUndefined();
  });
});
