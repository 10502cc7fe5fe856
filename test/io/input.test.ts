import { describe, expect, it } from 'vitest';
import { openInput } from '../../src/io/input.js';
import { PhikitError } from '../../src/core/errors.js';
import { fixture } from '../helpers/fixtures.js';
import { sha256Hex } from '../../src/core/hash.js';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

async function collect(path: string) {
  const input = await openInput(path);
  const records = [];
  for await (const record of input.records) records.push({ line: record.line, blank: record.blank });
  return { input, records };
}

describe('openInput', () => {
  it('reads .gz through zlib with the same lines as the plain file, and hashes the file bytes', async () => {
    const plain = await collect(fixture('blank-lines.jsonl'));
    const gz = await collect(fixture('blank-lines.jsonl.gz'));
    expect(gz.records).toEqual(plain.records);
    expect(gz.input.gzip).toBe(true);
    expect(gz.input.sha256()).toBe(sha256Hex(readFileSync(fixture('blank-lines.jsonl.gz'))));
  });

  it('counts lines of Unicode spaces as blank, and a line with any other character as not blank', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'phikit-'));
    const lines = ['{"a":1}', ' \t', '\u00a0\u3000', '\uFEFF', ' \u00a0x', '\u00a0{}'];
    writeFileSync(join(dir, 'spaces.jsonl'), lines.join('\n'));
    const { records } = await collect(join(dir, 'spaces.jsonl'));
    expect(records.map((r) => r.blank)).toEqual([false, true, true, true, false, false]);
  });

  it('streams a top-level JSON array element by element, numbering elements from 1', async () => {
    const { input, records } = await collect(fixture('array-root.json'));
    expect(input.container).toBe('json-array');
    expect(records.map((r) => r.line)).toEqual([1, 2, 3]);
  });

  it('stops with a one-line error when a .json file is not an array', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'phikit-'));
    writeFileSync(join(dir, 'object.json'), '{"messages": []}');
    await expect(collect(join(dir, 'object.json'))).rejects.toMatchObject({
      code: 'INPUT_UNREADABLE',
      message: expect.stringContaining('not a readable JSON array'),
    });
  });

  it('reports a missing file as INPUT_NOT_FOUND', async () => {
    await expect(openInput('/nonexistent/data.jsonl')).rejects.toBeInstanceOf(PhikitError);
    await expect(openInput('/nonexistent/data.jsonl')).rejects.toMatchObject({ code: 'INPUT_NOT_FOUND' });
  });
});
