// Worker-thread entry of the token-counting pool: loads the tokenizer once, then counts batches of
// conversations sent by pool.ts and answers with the results in the same order.
import { PhikitError } from '../core/errors.js';
import { answerRequests } from '../core/worker-pool.js';
import { countConversation, type ChatCountResult, type Conversation } from './count-job.js';
import { loadTokenizer } from './load.js';
import type { WorkerInit } from './pool.js';

answerRequests<WorkerInit, Conversation[], ChatCountResult[]>(async (init) => {
  const tokenizer = await loadTokenizer(init.tokenizer).catch((error: unknown) => {
    throw new PhikitError('TOKENIZER_UNAVAILABLE', error instanceof Error ? error.message : String(error));
  });
  return {
    ready: tokenizer.name,
    handle: (conversations) =>
      conversations.map((messages) => countConversation(tokenizer, messages, init.allowSpecialText)),
  };
});
