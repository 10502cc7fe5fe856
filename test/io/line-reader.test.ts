import { createHash } from 'node:crypto';
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

  it('hands a valid line on as its bytes (CR and BOM stripped), and an invalid one as text only', async () => {
    const read = [];
    const source = Readable.from([Buffer.from('\uFEFF{"q":"日本語 😀"}\r\nca'), Buffer.from([0xe9, 0x0a])]);
    for await (const line of readLines(source)) read.push(line);
    expect(read[0]!.bytes).toEqual(Buffer.from('{"q":"日本語 😀"}'));
    expect(read[0]!.text).toBe('{"q":"日本語 😀"}');
    expect(read[1]!.bytes).toBeUndefined();
    expect(read[1]!.text).toBe('ca\uDCE9');
  });

  it('flags invalid UTF-8 and escapes it losslessly instead of writing U+FFFD', async () => {
    const bytes = Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a]);
    const [line] = await lines([bytes]);
    expect(line).toEqual({ line: 1, text: 'caf\uDCE9', validUtf8: false });
    expect(line!.text).not.toContain('\uFFFD');
    expect(encodeSurrogateEscape(line!.text)).toEqual(bytes.subarray(0, 4));
  });
});

describe('readLines with maxLineBytes', () => {
  const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');

  /** Yields `line` in 64 KiB pieces between two short lines. */
  function* chunked(line: Buffer): Generator<Buffer> {
    yield Buffer.from('{"a":1}\n');
    for (let i = 0; i < line.length; i += 65536) yield line.subarray(i, i + 65536);
    yield Buffer.from('\r\n{"b":2}\n');
  }

  it('yields a line over the limit as tooLarge with its size, hash and offset, and no text', async () => {
    const long = Buffer.alloc(3_000_000, 'x');
    const out = [];
    for await (const line of readLines(Readable.from(chunked(long)), { maxLineBytes: 100_000 }))
      out.push({ line: line.line, text: line.text, tooLarge: line.tooLarge });
    expect(out).toEqual([
      { line: 1, text: '{"a":1}', tooLarge: undefined },
      {
        line: 2,
        text: '',
        tooLarge: { bytes: long.length, sha256: sha256(long), offset: 8 },
      },
      { line: 3, text: '{"b":2}', tooLarge: undefined },
    ]);
  });

  it('keeps a line of exactly maxLineBytes, with a BOM and CRLF around it, and rejects one byte more', async () => {
    const read = async (body: string, maxLineBytes: number) => {
      const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`${body}\r\nnext`)]);
      // One byte per chunk: the limit is checked as pieces arrive, not only at the newline.
      const chunks = [...bytes].map((b) => Buffer.from([b]));
      const out = [];
      for await (const line of readLines(Readable.from(chunks), { maxLineBytes }))
        out.push({ text: line.text, tooLarge: line.tooLarge });
      return out;
    };
    expect(await read('é'.repeat(5), 10)).toEqual([
      { text: 'é'.repeat(5), tooLarge: undefined },
      { text: 'next', tooLarge: undefined },
    ]);
    expect(await read('é'.repeat(5) + 'x', 10)).toEqual([
      { text: '', tooLarge: { bytes: 11, sha256: sha256('é'.repeat(5) + 'x'), offset: 0 } },
      { text: 'next', tooLarge: undefined },
    ]);
    expect(await read('y'.repeat(40), 10)).toEqual([
      { text: '', tooLarge: { bytes: 40, sha256: sha256('y'.repeat(40)), offset: 0 } },
      { text: 'next', tooLarge: undefined },
    ]);
  });

  it('reports a too-large last line without a newline', async () => {
    const [line] = await (async () => {
      const out = [];
      for await (const l of readLines(Readable.from([Buffer.from('z'.repeat(50))]), { maxLineBytes: 8 }))
        out.push(l);
      return out;
    })();
    expect(line).toMatchObject({
      line: 1,
      text: '',
      tooLarge: { bytes: 50, sha256: sha256('z'.repeat(50)), offset: 0 },
    });
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
