import { describe, expect, it } from 'vitest';
import { createTokenCountPool } from '../../src/tokenize/pool.js';
import { hasShared, sharedSkipMessage } from '../helpers/shared.js';
import { datasetConversations } from './real-data.js';

describe('token-counting pool', () => {
  it('fails before starting workers when the tokenizer does not exist', async () => {
    await expect(
      createTokenCountPool({ tokenizer: 'no-such-tokenizer', allowSpecialText: false, threads: 2 }),
    ).rejects.toMatchObject({
      code: 'TOKENIZER_UNAVAILABLE',
    });
  });

  it.skipIf(!hasShared)(
    `gives the same results in the same order on 3 threads as in-process (${hasShared ? 'reference found' : sharedSkipMessage})`,
    async () => {
      const conversations = datasetConversations().slice(0, 900);
      const inProcess = await createTokenCountPool({
        tokenizer: 'phi-3',
        allowSpecialText: false,
        threads: 1,
      });
      const threaded = await createTokenCountPool({
        tokenizer: 'phi-3',
        allowSpecialText: false,
        threads: 3,
      });
      try {
        expect(threaded.threads).toBe(3);
        const expected = await inProcess.count(conversations);
        // Two batches in flight at once, as a pipeline may send them.
        const [first, second] = await Promise.all([
          threaded.count(conversations.slice(0, 500)),
          threaded.count(conversations.slice(500)),
        ]);
        expect([...first, ...second]).toEqual(expected);
        expect(await threaded.count([])).toEqual([]);
      } finally {
        await inProcess.close();
        await threaded.close();
      }
    },
  );
});
