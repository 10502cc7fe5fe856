import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  buildPhi3BaseVocabulary,
  phi3AddedTokens,
  readPrebuiltVocabulary,
  writePrebuiltVocabulary,
} from '../../src/tokenize/phi3.js';
import { SpBpeEncoder } from '../../src/tokenize/sp-bpe.js';
import { buildSpBpeTables, tableSections } from '../../src/tokenize/sp-bpe-tables.js';

const folder = mkdtempSync(join(tmpdir(), 'phikit-prebuilt-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

describe('prebuilt Phi-3 vocabulary (written by npm run build)', () => {
  it('reads back exactly the vocabulary and merge order built from llama-tokenizer-js', async () => {
    const path = join(folder, 'phi3-vocabulary.bin');
    await writePrebuiltVocabulary(path);
    const prebuilt = await readPrebuiltVocabulary(path);
    const built = await buildPhi3BaseVocabulary();
    expect(prebuilt?.pieces).toHaveLength(32000);
    expect(prebuilt?.merges).toHaveLength(61249);
    expect(prebuilt!.pieces).toEqual(built.pieces);
    expect(prebuilt!.merges).toEqual(built.merges);
    // The ids the encoder reads: each merge's two pieces and the piece they make.
    const ids = prebuilt!.mergeIds!;
    expect(ids).toHaveLength(61249 * 3);
    const idOf = new Map(built.pieces.map((piece, id) => [piece, id]));
    const expected = built.merges.flatMap(([left, right]) => [
      idOf.get(left),
      idOf.get(right),
      idOf.get(left + right),
    ]);
    expect(Array.from(ids)).toEqual(expected);
  });

  it('holds the encoder tables the vocabulary makes, so a start derives nothing', async () => {
    const prebuilt = (await readPrebuiltVocabulary(join(folder, 'phi3-vocabulary.bin')))!;
    const built = buildSpBpeTables(await buildPhi3BaseVocabulary());
    // Compared as digests of each table's bytes: toEqual walks 2.4 MB of elements one by one.
    const digests = (sections: Int32Array[]) =>
      sections.map((section) =>
        createHash('sha256')
          .update(new Uint8Array(section.buffer, section.byteOffset, section.byteLength))
          .digest('hex'),
      );
    expect(digests(tableSections(prebuilt.tables!))).toEqual(digests(tableSections(built)));
    expect(prebuilt.tables!.merges).toHaveLength(131072 * 4);
    // An encoder made from the tables alone reads neither pieces nor merges.
    const tablesOnly = {
      get pieces(): string[] {
        throw new Error('pieces read');
      },
      get merges(): Array<[string, string]> {
        throw new Error('merges read');
      },
      tables: prebuilt.tables!,
      addedTokens: phi3AddedTokens('phi-3'),
    };
    expect(new SpBpeEncoder(tablesOnly).encode('Hello world')).toEqual([15043, 3186]);
  });

  it('gives the same ids as the in-memory build on mixed text', async () => {
    const prebuilt = (await readPrebuiltVocabulary(join(folder, 'phi3-vocabulary.bin')))!;
    const built = await buildPhi3BaseVocabulary();
    const addedTokens = phi3AddedTokens('phi-3');
    const text = 'Hello  world <|user|>\n你好，世界 🙂 <b>HTML</b>\t  ```ts\nconst x = 1;\n```';
    expect(new SpBpeEncoder({ ...prebuilt, addedTokens }).encode(text)).toEqual(
      new SpBpeEncoder({ ...built, addedTokens }).encode(text),
    );
  });

  it('is absent or of another format: undefined, so the caller builds in memory', async () => {
    expect(await readPrebuiltVocabulary(join(folder, 'missing.bin'))).toBeUndefined();
    const other = join(folder, 'other.bin');
    writeFileSync(other, JSON.stringify({ format: 'something-else/9', pieces: [], merges: [] }));
    expect(await readPrebuiltVocabulary(other)).toBeUndefined();
    // Cut short (a build stopped mid-write): not read as a smaller vocabulary.
    const whole = readFileSync(join(folder, 'phi3-vocabulary.bin'));
    const cut = join(folder, 'cut.bin');
    writeFileSync(cut, whole.subarray(0, whole.length - 5));
    expect(await readPrebuiltVocabulary(cut)).toBeUndefined();
    // The layout before the tables (format 3): not read as this one.
    const older = join(folder, 'older.bin');
    writeFileSync(older, Buffer.concat([Buffer.from('phikit-phi3-vocabulary/3'), whole.subarray(24)]));
    expect(await readPrebuiltVocabulary(older)).toBeUndefined();
  });
});
