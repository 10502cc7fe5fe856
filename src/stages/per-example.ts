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
        if (envelope.rejection === undefined && envelope.example !== undefined)
          each(envelope as ExampleEnvelope);
      }
    },
  };
}
