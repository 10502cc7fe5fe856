// A stage that looks at one example at a time: it says what it does to one example, and this
// helper owns the loop over the batch and skips what an earlier stage rejected (the runner
// keeps the funnel counts). In the spirit of datatrove's BaseFilter.
import type { Envelope, Stage } from '../core/envelope.js';
import type { ChatExample } from '../core/example.js';

/** An envelope still in play after validation. */
export type ExampleEnvelope = Envelope & { example: ChatExample };

export type PerExampleSpec = Omit<Stage, 'run'> & {
  /** Handles one example; marks a drop by setting `envelope.rejection`. */
  each(envelope: ExampleEnvelope): void;
};

export function perExample<S extends PerExampleSpec>(spec: S): Omit<S, 'each'> & Stage {
  const { each, ...rest } = spec;
  return {
    ...rest,
    run(batch: Envelope[]) {
      for (const envelope of batch) {
        if (inPlay(envelope)) each(envelope as ExampleEnvelope);
      }
    },
  };
}

/**
 * Not rejected, and validated into an example. Asked with `in`, not by reading `example`: an
 * envelope back from a front worker carries the example only as a lazy parse of `serialized`
 * (pipeline/front-pool.ts), which the stages after it rarely need.
 */
export function inPlay(envelope: Envelope): boolean {
  return envelope.rejection === undefined && 'example' in envelope;
}
