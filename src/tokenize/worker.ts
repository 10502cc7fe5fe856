// Worker-thread entry of the token-counting pool: loads the tokenizer once, then counts batches of
// conversations sent by pool.ts and posts the results back in the same order.
import { parentPort, workerData } from 'node:worker_threads';
import { isPhikitError } from '../core/errors.js';
import { countConversation } from './count-job.js';
import { loadTokenizer } from './load.js';
import type { WorkerInit, WorkerReply, WorkerRequest } from './pool.js';

const init = workerData as WorkerInit;
const port = parentPort!;

loadTokenizer(init.tokenizer).then(
  (tokenizer) => {
    port.on('message', (request: WorkerRequest) => {
      let reply: WorkerReply;
      try {
        reply = {
          id: request.id,
          results: request.conversations.map((messages) =>
            countConversation(tokenizer, messages, init.allowSpecialText),
          ),
        };
      } catch (error) {
        reply = isPhikitError(error)
          ? {
              id: request.id,
              error: error.message,
              code: error.code,
              ...(error.hint ? { hint: error.hint } : {}),
            }
          : {
              id: request.id,
              error: `token counting failed: ${error instanceof Error ? error.message : String(error)}`,
            };
      }
      port.postMessage(reply);
    });
    port.postMessage({ id: -1, results: [] } satisfies WorkerReply);
  },
  (error: unknown) => {
    port.postMessage({
      id: -1,
      error: error instanceof Error ? error.message : String(error),
    } satisfies WorkerReply);
  },
);
