// The model answers one request at a time; the others wait here in arrival order. At most `maxWaiting`
// wait besides the one being answered, so at most maxWaiting + 1 request bodies are held at once.
// Work whose client has gone is skipped before its turn, and told to stop (its signal) while it runs.

/** The reason a request's signal aborts: its connection closed before the answer was sent. */
export class ClientGone extends Error {
  override readonly name = 'ClientGone';

  constructor() {
    super('the client closed the connection before the answer was sent');
  }
}

/** Counters for logs and tests. */
export interface QueueStats {
  /** Requests admitted and not yet finished (the one answered plus those waiting). */
  inProgress: number;
  /** Work that ran to its end. */
  completed: number;
  /** Work skipped at its turn: the client had gone. */
  skipped: number;
  /** Work stopped part way: the client went while it ran. */
  aborted: number;
  /** Requests refused because the queue was full. */
  refused: number;
}

export class RequestQueue {
  private inProgress = 0;
  private tail: Promise<unknown> = Promise.resolve();
  private readonly counts = { completed: 0, skipped: 0, aborted: 0, refused: 0 };

  constructor(private readonly maxWaiting: number) {}

  /** Takes a place for a request; false when one is answered and `maxWaiting` wait already. */
  admit(): boolean {
    if (this.inProgress > this.maxWaiting) {
      this.counts.refused += 1;
      return false;
    }
    this.inProgress += 1;
    return true;
  }

  /** Gives back the place `admit()` took: once per admitted request, answered or not. */
  leave(): void {
    this.inProgress -= 1;
  }

  /** Runs `work` after all work queued before it, unless `signal` has aborted by then. */
  run<T>(signal: AbortSignal, work: () => Promise<T>): Promise<T> {
    const turn = this.tail.then(async () => {
      if (signal.aborted) {
        this.counts.skipped += 1;
        throw signal.reason;
      }
      try {
        const result = await work();
        this.counts.completed += 1;
        return result;
      } catch (error) {
        if (signal.aborted) this.counts.aborted += 1;
        throw error;
      }
    });
    this.tail = turn.catch(() => undefined);
    return turn;
  }

  stats(): QueueStats {
    return { inProgress: this.inProgress, ...this.counts };
  }
}
