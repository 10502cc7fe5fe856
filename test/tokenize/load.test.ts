import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { downloadHfTokenizer, loadTokenizer } from '../../src/tokenize/load.js';
import { hasShared, reference, sharedSkipMessage } from '../helpers/shared.js';
import { datasetConversations } from './real-data.js';

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'phikit-tokenizer-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

describe('loadTokenizer', () => {
  it('loads the built-in tokenizer by default and for every model preset', async () => {
    const builtin = await loadTokenizer();
    expect([builtin.name, builtin.engine]).toEqual(['phi-3', 'fast']);
    expect((await loadTokenizer('phi-3.5-mini')).name).toBe('phi-3');
    expect((await loadTokenizer('phi-3-legacy')).name).toBe('phi-3-legacy');
  });

  it('rejects an unknown spec with a hint listing the choices', async () => {
    await expect(loadTokenizer('gpt-2')).rejects.toMatchObject({
      code: 'TOKENIZER_UNAVAILABLE',
      hint: expect.stringContaining('phi-3-mini-4k') as unknown,
    });
  });

  it('rejects a folder without tokenizer.json', async () => {
    await expect(loadTokenizer(scratch)).rejects.toMatchObject({ code: 'TOKENIZER_UNAVAILABLE' });
  });
});

describe.skipIf(!hasShared)(
  `tokenizer folders and hf: downloads (${hasShared ? 'reference found' : sharedSkipMessage})`,
  () => {
    const folder = reference('phi3-mini');
    const sample = () => datasetConversations().filter((_, index) => index % 10 === 0);

    it('runs a Phi-3 folder on the fast encoder with the same counts as the built-in tokenizer', async () => {
      const fromFolder = await loadTokenizer(folder);
      const builtin = await loadTokenizer('phi-3');
      expect([fromFolder.name, fromFolder.engine]).toEqual([folder, 'fast']);
      expect((await loadTokenizer(join(folder, 'tokenizer.json'))).engine).toBe('fast');
      const conversations = sample();
      expect(conversations.map((messages) => fromFolder.countChat(messages))).toEqual(
        conversations.map((messages) => builtin.countChat(messages)),
      );
    });

    it('counts the same with the reference engine (@huggingface/tokenizers)', async () => {
      const referenceEngine = await loadTokenizer(folder, { engine: 'reference' });
      const builtin = await loadTokenizer('phi-3');
      expect(referenceEngine.engine).toBe('reference');
      const conversations = sample().slice(0, 60);
      expect(conversations.map((messages) => referenceEngine.countChat(messages))).toEqual(
        conversations.map((messages) => builtin.countChat(messages)),
      );
      const tricky = [
        { role: 'user' as const, content: 'a <|end|> b' },
        { role: 'assistant' as const, content: 'c' },
      ];
      expect(referenceEngine.countChat(tricky, { specialTextAsPlain: true })).toEqual(
        builtin.countChat(tricky, { specialTextAsPlain: true }),
      );
    });

    it('falls back to the reference engine for a tokenizer the fast encoder does not cover', async () => {
      const other = join(scratch, 'whitespace-split');
      const json = JSON.parse(await readFile(join(folder, 'tokenizer.json'), 'utf8')) as Record<
        string,
        unknown
      >;
      await mkdir(other, { recursive: true });
      await writeFile(
        join(other, 'tokenizer.json'),
        JSON.stringify({ ...json, pre_tokenizer: { type: 'WhitespaceSplit' } }),
      );
      await copyFile(join(folder, 'tokenizer_config.json'), join(other, 'tokenizer_config.json'));
      const tokenizer = await loadTokenizer(other);
      expect(tokenizer.engine).toBe('reference');
      expect(
        tokenizer.countChat([
          { role: 'user', content: 'hello there' },
          { role: 'assistant', content: 'hi' },
        ]).total,
      ).toBeGreaterThan(5);
    });

    describe('hf:ORG/NAME', () => {
      let server: Server;
      let endpoint: string;
      const requests: string[] = [];
      beforeAll(async () => {
        server = createServer((request, response) => {
          requests.push(request.url ?? '');
          const match = /^\/microsoft\/Phi-Test\/resolve\/main\/(tokenizer(?:_config)?\.json)$/.exec(
            request.url ?? '',
          );
          if (match === null) {
            response.writeHead(404).end('not found');
            return;
          }
          void readFile(join(folder, match[1]!)).then((body) => response.writeHead(200).end(body));
        });
        await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
        endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      });
      afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

      it('downloads tokenizer.json and tokenizer_config.json once, then reads the cache', async () => {
        const cacheDir = join(scratch, 'cache');
        const tokenizer = await loadTokenizer('hf:microsoft/Phi-Test', { cacheDir, hfEndpoint: endpoint });
        expect([tokenizer.name, tokenizer.engine]).toEqual(['hf:microsoft/Phi-Test', 'fast']);
        expect(
          tokenizer.countChat([
            { role: 'user', content: 'Hi' },
            { role: 'assistant', content: 'Hello' },
          ]),
        ).toEqual(
          (await loadTokenizer('phi-3')).countChat([
            { role: 'user', content: 'Hi' },
            { role: 'assistant', content: 'Hello' },
          ]),
        );
        expect(requests).toEqual([
          '/microsoft/Phi-Test/resolve/main/tokenizer.json',
          '/microsoft/Phi-Test/resolve/main/tokenizer_config.json',
        ]);
        await downloadHfTokenizer('microsoft/Phi-Test', { cacheDir, hfEndpoint: endpoint });
        expect(requests).toHaveLength(2);
      });

      it('reports a missing model with a hint', async () => {
        await expect(
          loadTokenizer('hf:microsoft/No-Such-Model', {
            cacheDir: join(scratch, 'cache'),
            hfEndpoint: endpoint,
          }),
        ).rejects.toMatchObject({
          code: 'TOKENIZER_UNAVAILABLE',
          message: expect.stringContaining('HTTP 404') as unknown,
        });
      });
    });
  },
);
