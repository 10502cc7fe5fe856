// An explicit --format skips the detection read, so the input stream is first read later: no
// line may be lost in between (it was: "read 0 lines").
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { countTokens, prep, validate } from '../../src/index.js';
import { fixture } from '../helpers/fixtures.js';

describe('an explicit --format', () => {
  it('reads every line in prep, validate and tokens, as auto does', async () => {
    const input = fixture('sample.jsonl');
    const out = await mkdtemp(join(tmpdir(), 'phikit-format-'));
    const auto = await prep(input, { out: join(out, 'auto'), tokens: false, report: false });
    const given = await prep(input, {
      out: join(out, 'given'),
      format: 'messages',
      tokens: false,
      report: false,
    });
    expect(given.manifest.counts).toEqual(auto.manifest.counts);
    expect(given.manifest.counts.read).toBe(44);
    expect((await validate(input, { format: 'messages' })).records).toBe(43);
    const rows: unknown[] = [];
    const summary = await countTokens(input, { format: 'messages', threads: 1 }, (row) => rows.push(row));
    expect(rows).toHaveLength(43);
    expect(summary.examples).toBeGreaterThan(30);
  });
});
