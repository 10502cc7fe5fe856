// A worker_threads pool for token counting: each batch is cut into one contiguous slice per thread
// and reassembled in input order, so results are identical to one thread. With one thread the work
// runs in-process. Memory: one tokenizer (and its word cache) per thread.
import { availableParallelism } from 'node:os';
import { startWorkers } from '../core/worker-pool.js';
import { countConversation, type ChatCountResult, type Conversation } from './count-job.js';
import { loadTokenizer } from './load.js';

export interface WorkerInit {
  tokenizer: string | undefined;
  allowSpecialText: boolean;
}

export interface TokenCountPoolOptions extends WorkerInit {
  /** Default: every core (os.availableParallelism()). */
  threads?: number;
}

export interface TokenCountPool {
  readonly threads: number;
  /** The tokenizer's name (loaded in this thread too, so a bad spec fails before any worker starts). */
  readonly tokenizer: string;
  count(conversations: readonly Conversation[]): Promise<ChatCountResult[]>;
  close(): Promise<void>;
}

export function defaultThreads(): number {
  return availableParallelism();
}

export async function createTokenCountPool(options: TokenCountPoolOptions): Promise<TokenCountPool> {
  const threads = Math.max(1, Math.floor(options.threads ?? defaultThreads()));
  const tokenizer = await loadTokenizer(options.tokenizer);
  if (threads === 1) {
    return {
      threads,
      tokenizer: tokenizer.name,
      count: async (conversations) =>
        conversations.map((messages) => countConversation(tokenizer, messages, options.allowSpecialText)),
      close: async () => {},
    };
  }
  const init: WorkerInit = { tokenizer: options.tokenizer, allowSpecialText: options.allowSpecialText };
  const workers = await startWorkers<Conversation[], ChatCountResult[]>(
    new URL('../tokenize/worker.js', import.meta.url),
    init,
    threads,
    'token-counting',
  );
  return {
    threads,
    tokenizer: tokenizer.name,
    async count(conversations) {
      const size = Math.ceil(conversations.length / threads);
      const slices = workers.map((worker, index) => {
        const slice = conversations.slice(index * size, (index + 1) * size);
        return slice.length === 0 ? Promise.resolve([]) : worker.run(slice);
      });
      return (await Promise.all(slices)).flat();
    },
    async close() {
      await Promise.all(workers.map((worker) => worker.terminate()));
    },
  };
}
