// AtomicLineWriter: lines given as text or as UTF-8 bytes, added without a wait (pass 2's loop)
// or written one await at a time, land in order, with the counts and sha256 of what is on disk.
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AtomicLineWriter } from '../../src/io/atomic-writer.js';

/** ~3 MiB of lines, so the 1 MiB buffer fills several times; every third one given as bytes. */
const LINES = Array.from(
  { length: 6000 },
  (_, i) => `{"i":${i},"text":"${'日本語 مرحبا 😀 '.repeat(i % 7)}${'x'.repeat(400 + (i % 300))}"}`,
);

describe('AtomicLineWriter', () => {
  it('adds lines without waiting, asks for a flush when its buffer is full, and writes them all in order', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'phikit-writer-'));
    const path = join(dir, 'out.jsonl');
    const writer = new AtomicLineWriter(path, { prefix: '\uFEFF' });
    let flushes = 0;
    for (const [i, line] of LINES.entries()) {
      const full = i % 3 === 0 ? writer.addLineBytes(Buffer.from(line, 'utf8')) : writer.addLine(line);
      if (full) {
        flushes++;
        await writer.flush();
      }
    }
    expect(existsSync(path)).toBe(false);
    const file = await writer.commit();
    const expected = Buffer.from(`\uFEFF${LINES.join('\n')}\n`, 'utf8');
    expect(flushes).toBeGreaterThanOrEqual(2);
    expect(readFileSync(path, 'utf8')).toBe(expected.toString('utf8'));
    expect(file).toMatchObject({
      lines: LINES.length,
      bytes: expected.length,
      sha256: createHash('sha256').update(expected).digest('hex'),
    });
  });

  it('writes the same file one awaited line at a time', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'phikit-writer-'));
    const writer = new AtomicLineWriter(join(dir, 'out.jsonl'));
    for (const [i, line] of LINES.entries()) {
      if (i % 3 === 0) await writer.writeLineBytes(Buffer.from(line, 'utf8'));
      else await writer.writeLine(line);
    }
    await writer.commit();
    expect(readFileSync(join(dir, 'out.jsonl'), 'utf8')).toBe(`${LINES.join('\n')}\n`);
  });

  it('keeps every byte of lines of any size: empty, 3-byte characters filling the buffer, lone surrogates, over 1 MiB', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'phikit-writer-'));
    const path = join(dir, 'out.jsonl');
    const writer = new AtomicLineWriter(path);
    // Sizes chosen around the buffer's edges: its first 16 KiB, its doublings and 1 MiB.
    const lines = [
      '',
      '中'.repeat(5_000),
      'a\ud800b',
      '中文'.repeat(3_000),
      '\udfff',
      'x'.repeat(16 * 1024 - 3),
      'مرحبا 😀'.repeat(40_000),
      '',
      '日本語'.repeat(400_000),
      ...Array.from({ length: 300 }, (_, i) => `${'語'.repeat(i * 37)}${i}`),
    ];
    for (const [i, line] of lines.entries()) {
      const full = i % 4 === 3 ? writer.addLineBytes(Buffer.from(line, 'utf8')) : writer.addLine(line);
      if (full) await writer.flush();
    }
    const file = await writer.commit();
    const expected = Buffer.concat(lines.map((line) => Buffer.from(`${line}\n`, 'utf8')));
    expect(readFileSync(path).equals(expected)).toBe(true);
    expect(file).toMatchObject({ lines: lines.length, bytes: expected.length });
  });

  it('copies a line given as bytes: the caller may reuse its buffer at once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'phikit-writer-'));
    const path = join(dir, 'out.jsonl');
    const writer = new AtomicLineWriter(path);
    const scratch = Buffer.alloc(64);
    for (const line of ['first 中文', 'second 😀', 'third']) {
      const length = scratch.write(line, 0, 'utf8');
      writer.addLineBytes(scratch.subarray(0, length));
      scratch.fill(0x21);
    }
    await writer.commit();
    expect(readFileSync(path, 'utf8')).toBe('first 中文\nsecond 😀\nthird\n');
  });
});
