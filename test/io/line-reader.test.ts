import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readLines } from '../../src/io/line-reader.js';
import { decodeSurrogateEscape, encodeSurrogateEscape } from '../../src/io/utf8.js';

async function lines(chunks: Array<Buffer | string>) {
  const out = [];
  for await (const line of readLines(
    Readable.from(chunks.map((c) => (typeof c === 'string' ? Buffer.from(c) : c))),
  )) {
    out.push({ line: line.line, text: line.text, validUtf8: line.validUtf8 });
  }
  return out;
}

describe('readLines', () => {
  it('numbers lines from 1 and keeps blank ones', async () => {
    expect(await lines(['a\n\nb\n'])).toEqual([
      { line: 1, text: 'a', validUtf8: true },
      { line: 2, text: '', validUtf8: true },
      { line: 3, text: 'b', validUtf8: true },
    ]);
  });

  it('strips a UTF-8 BOM on the first line only, and CR of CRLF', async () => {
    expect(await lines([Buffer.from([0xef, 0xbb, 0xbf]), 'x\r\n\uFEFFy\r\n'])).toEqual([
      { line: 1, text: 'x', validUtf8: true },
      { line: 2, text: '\uFEFFy', validUtf8: true },
    ]);
  });

  it('reads a last line without a newline', async () => {
    expect((await lines(['a\nb'])).map((l) => l.text)).toEqual(['a', 'b']);
  });

  it('joins lines split across chunks, including a multi-byte character cut in two', async () => {
    const euro = Buffer.from('€');
    const result = await lines([
      Buffer.concat([Buffer.from('ab'), euro.subarray(0, 1)]),
      euro.subarray(1),
      '\ncd\n',
    ]);
    expect(result.map((l) => l.text)).toEqual(['ab€', 'cd']);
  });

  it('reads a very long line', async () => {
    const long = 'x'.repeat(5_000_000);
    const chunks = [];
    for (let i = 0; i < long.length; i += 65536) chunks.push(long.slice(i, i + 65536));
    const result = await lines([...chunks, '\nshort\n']);
    expect(result.map((l) => l.text.length)).toEqual([5_000_000, 5]);
  });

  it('flags invalid UTF-8 and escapes it losslessly instead of writing U+FFFD', async () => {
    const bytes = Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a]);
    const [line] = await lines([bytes]);
    expect(line).toEqual({ line: 1, text: 'caf\uDCE9', validUtf8: false });
    expect(line!.text).not.toContain('\uFFFD');
    expect(encodeSurrogateEscape(line!.text)).toEqual(bytes.subarray(0, 4));
  });
});

describe('surrogate escape', () => {
  it('round-trips every kind of ill-formed sequence and keeps valid characters', () => {
    const cases = [
      [0xc0, 0xaf], // overlong
      [0xed, 0xa0, 0x80], // encoded surrogate
      [0xf4, 0x90, 0x80, 0x80], // above U+10FFFF
      [0xe2, 0x82], // truncated
      [0x80], // lone continuation
      [...Buffer.from('ok 😀 é'), 0xff],
    ];
    for (const bytes of cases) {
      const buffer = Buffer.from(bytes);
      expect(encodeSurrogateEscape(decodeSurrogateEscape(buffer))).toEqual(buffer);
    }
    expect(decodeSurrogateEscape(Buffer.from('ok 😀 é'))).toBe('ok 😀 é');
  });
});
