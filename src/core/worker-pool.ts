// Worker threads that each load something once (a tokenizer) and then answer requests, one at a
// time, in the order sent. Both sides of the protocol live here: `startWorkers` (the caller) and
// `answerRequests` (the worker's entry). A request is `{ id, payload }`; the reply carries the
// same id and a result or an error; id -1 is the worker's ready (or failed-to-load) signal.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import type * as WorkerThreads from 'node:worker_threads';
import { isPhikitError, PhikitError, type PhikitErrorCode } from './errors.js';
import { reapplyV8Flags } from './v8-flags.js';

/** Node's worker_threads, loaded when a pool starts: a small prep runs in one thread and never pays its ~4 ms. */
const workerThreads = (): typeof WorkerThreads =>
  createRequire(import.meta.url)('node:worker_threads') as typeof WorkerThreads;

interface Request<P> {
  id: number;
  payload: P;
}

type Reply<R> =
  { id: number; result: R } | { id: number; error: string; code?: PhikitErrorCode; hint?: string };

export interface PoolWorker<P, R> {
  /** What the worker said when it was ready (e.g. the tokenizer's name). */
  readonly ready: unknown;
  /** Sends `payload`; the ArrayBuffers in `transfer` move to the worker (the caller must not touch them again). */
  run(payload: P, transfer?: ArrayBuffer[]): Promise<R>;
  terminate(): Promise<void>;
}

/**
 * Starts `count` workers running the module at `entry` (a .js URL next to the caller; from the
 * TypeScript sources, as in tests, the .ts module runs through tsx). Rejects when one fails to load.
 */
export async function startWorkers<P, R>(
  entry: URL,
  init: unknown,
  count: number,
  what: string,
): Promise<Array<PoolWorker<P, R>>> {
  const started = Array.from({ length: count }, () => startWorker<P, R>(entry, init, what));
  const settled = await Promise.allSettled(started);
  reapplyV8Flags();
  const failed = settled.find((result) => result.status === 'rejected');
  if (failed) {
    await Promise.all(
      settled.map((result) => (result.status === 'fulfilled' ? result.value.terminate() : undefined)),
    );
    throw failed.reason;
  }
  return settled.map((result) => (result as PromiseFulfilledResult<PoolWorker<P, R>>).value);
}

function spawn(entry: URL, init: unknown): WorkerThreads.Worker {
  const { Worker } = workerThreads();
  if (import.meta.url.endsWith('.ts')) {
    const source = entry.href.replace(/\.js$/, '.ts');
    const bootstrap = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(source)}); })`;
    return new Worker(bootstrap, { eval: true, workerData: init });
  }
  return new Worker(bundleOf(entry) ?? entry, { workerData: init });
}

/**
 * The entry's CommonJS bundle beside it (`x.js` -> `x.cjs`, made by the build), which starts
 * without Node's ES module loader; undefined when there is none (or PHIKIT_NO_BUNDLE is set).
 */
function bundleOf(entry: URL): URL | undefined {
  if (process.env.PHIKIT_NO_BUNDLE) return undefined;
  const bundle = new URL(entry.href.replace(/\.js$/, '.cjs'));
  return bundle.href !== entry.href && existsSync(bundle) ? bundle : undefined;
}

function startWorker<P, R>(entry: URL, init: unknown, what: string): Promise<PoolWorker<P, R>> {
  const worker = spawn(entry, init);
  const pending = new Map<number, { resolve(result: R): void; reject(error: Error): void }>();
  let failure: Error | undefined;
  let nextId = 0;
  const failAll = (error: Error): void => {
    failure ??= error;
    for (const waiter of pending.values()) waiter.reject(error);
    pending.clear();
  };
  const pool = (ready: unknown): PoolWorker<P, R> => ({
    ready,
    run(payload, transfer = []) {
      if (failure) return Promise.reject(failure);
      return new Promise((resolve, reject) => {
        const id = nextId++;
        pending.set(id, { resolve, reject });
        worker.postMessage({ id, payload } satisfies Request<P>, transfer);
      });
    },
    terminate: async () => {
      await worker.terminate();
    },
  });
  return new Promise((resolveReady, rejectReady) => {
    worker.on('message', (reply: Reply<R>) => {
      if (reply.id === -1) {
        if ('error' in reply) {
          // A coded error (a tokenizer that does not load) says what it is; anything else names the worker.
          const message = reply.code ? reply.error : `${what} worker: ${reply.error}`;
          rejectReady(new PhikitError(reply.code ?? 'INTERNAL', message, reply.hint));
          void worker.terminate();
        } else resolveReady(pool(reply.result));
        return;
      }
      const waiter = pending.get(reply.id);
      if (waiter === undefined) return;
      pending.delete(reply.id);
      if ('error' in reply) waiter.reject(new PhikitError(reply.code ?? 'INTERNAL', reply.error, reply.hint));
      else waiter.resolve(reply.result);
    });
    worker.on('error', (error) => {
      const wrapped = new PhikitError('INTERNAL', `${what} worker crashed: ${error.message}`, undefined, {
        cause: error,
      });
      rejectReady(wrapped);
      failAll(wrapped);
    });
    worker.on('exit', (code) => {
      if (code !== 0) failAll(new PhikitError('INTERNAL', `${what} worker exited with code ${code}`));
    });
  });
}

/** What a worker's `load` gives: its ready signal, its answer to a request, and what of an answer moves instead of being copied. */
export interface RequestHandler<P, R> {
  ready: unknown;
  handle(payload: P): R | Promise<R>;
  /** ArrayBuffers of the result handed over to the caller (the worker must not touch them again). */
  transfer?(result: R): ArrayBuffer[];
}

/**
 * The worker side: `load` runs once with the pool's init (its `ready` is the ready signal's result,
 * its `handle` answers every request; requests are answered in the order they came).
 */
export function answerRequests<I, P, R>(load: (init: I) => Promise<RequestHandler<P, R>>): void {
  const { parentPort, workerData } = workerThreads();
  const port = parentPort!;
  load(workerData as I).then(
    ({ ready, handle, transfer }) => {
      let previous = Promise.resolve();
      port.on('message', (request: Request<P>) => {
        previous = previous.then(async () => {
          let reply: Reply<R>;
          let moved: ArrayBuffer[] = [];
          try {
            const result = await handle(request.payload);
            reply = { id: request.id, result };
            moved = transfer?.(result) ?? [];
          } catch (error) {
            reply = errorReply(request.id, error);
          }
          port.postMessage(reply, moved);
        });
      });
      port.postMessage({ id: -1, result: ready } satisfies Reply<unknown>);
    },
    (error: unknown) => port.postMessage(errorReply(-1, error)),
  );
}

function errorReply(id: number, error: unknown): Reply<never> {
  if (isPhikitError(error))
    return { id, error: error.message, code: error.code, ...(error.hint ? { hint: error.hint } : {}) };
  return { id, error: error instanceof Error ? error.message : String(error) };
}
