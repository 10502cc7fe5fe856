// A worker_threads pool for token counting: each batch is cut into one contiguous slice per thread
// and reassembled in input order, so results are identical to one thread. With one thread the work
// runs in-process. Memory: one tokenizer (and its word cache) per thread.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { PhikitError, type PhikitErrorCode } from '../core/errors.js';
import { countConversation, type ChatCountResult, type Conversation } from './count-job.js';
import { loadTokenizer } from './load.js';

export interface WorkerInit {
  tokenizer: string | undefined;
  allowSpecialText: boolean;
}

export interface WorkerRequest {
  id: number;
  conversations: Conversation[];
}

/** `id: -1` is the ready (or failed-to-load) signal. */
export type WorkerReply =
  | { id: number; results: ChatCountResult[] }
  | { id: number; error: string; code?: PhikitErrorCode; hint?: string };

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
  const workers = await Promise.all(Array.from({ length: threads }, () => startWorker(init)));
  let nextId = 0;
  return {
    threads,
    tokenizer: tokenizer.name,
    async count(conversations) {
      const size = Math.ceil(conversations.length / threads);
      const slices = workers.map((worker, index) => {
        const slice = conversations.slice(index * size, (index + 1) * size);
        return slice.length === 0 ? Promise.resolve([]) : worker.run({ id: nextId++, conversations: slice });
      });
      return (await Promise.all(slices)).flat();
    },
    async close() {
      await Promise.all(workers.map((worker) => worker.terminate()));
    },
  };
}

interface PoolWorker {
  run(request: WorkerRequest): Promise<ChatCountResult[]>;
  terminate(): Promise<void>;
}

/** From the TypeScript sources (tests, tsx) the worker runs through tsx; from dist it is plain JS. */
function spawn(init: WorkerInit): Worker {
  if (import.meta.url.endsWith('.ts')) {
    const entry = new URL('./worker.ts', import.meta.url).href;
    const bootstrap = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(entry)}); })`;
    return new Worker(bootstrap, { eval: true, workerData: init });
  }
  return new Worker(new URL('./worker.js', import.meta.url), { workerData: init });
}

function startWorker(init: WorkerInit): Promise<PoolWorker> {
  const worker = spawn(init);
  const pending = new Map<
    number,
    { resolve(results: ChatCountResult[]): void; reject(error: Error): void }
  >();
  let failure: Error | undefined;
  const failAll = (error: Error): void => {
    failure ??= error;
    for (const waiter of pending.values()) waiter.reject(error);
    pending.clear();
  };
  return new Promise((resolveReady, rejectReady) => {
    worker.on('message', (reply: WorkerReply) => {
      if (reply.id === -1) {
        if ('error' in reply) {
          rejectReady(new PhikitError('TOKENIZER_UNAVAILABLE', `token-counting worker: ${reply.error}`));
          void worker.terminate();
        } else {
          resolveReady({
            run(request) {
              if (failure) return Promise.reject(failure);
              return new Promise((resolve, reject) => {
                pending.set(request.id, { resolve, reject });
                worker.postMessage(request);
              });
            },
            terminate: async () => {
              await worker.terminate();
            },
          });
        }
        return;
      }
      const waiter = pending.get(reply.id);
      if (waiter === undefined) return;
      pending.delete(reply.id);
      if ('error' in reply) waiter.reject(new PhikitError(reply.code ?? 'INTERNAL', reply.error, reply.hint));
      else waiter.resolve(reply.results);
    });
    worker.on('error', (error) => {
      const wrapped = new PhikitError(
        'INTERNAL',
        `token-counting worker crashed: ${error.message}`,
        undefined,
        {
          cause: error,
        },
      );
      rejectReady(wrapped);
      failAll(wrapped);
    });
    worker.on('exit', (code) => {
      if (code !== 0) failAll(new PhikitError('INTERNAL', `token-counting worker exited with code ${code}`));
    });
  });
}
