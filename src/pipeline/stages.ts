// Runs per-record stages over batches and keeps each stage's funnel figures and time.
// Several batches may be in flight (while one waits for worker threads, the next is read),
// but each stage still sees the batches one at a time, in input order.
import { performance } from 'node:perf_hooks';
import type { Envelope, Stage } from '../core/envelope.js';
import { PhikitError } from '../core/errors.js';
import type { StageFigures } from '../core/manifest.js';

export class StageRunner {
  readonly figures: StageFigures[];
  /** Per stage, the moment the previous batch left it. */
  private readonly turns: Array<Promise<void>>;

  /**
   * `consumerNeeds`: fields whoever reads the finished envelopes relies on. `timeOf`: a stage's
   * time on a batch from the time it took here, when part of its work ran in another thread.
   */
  constructor(
    readonly stages: Stage[],
    consumerNeeds: ReadonlyArray<keyof Envelope> = [],
    private readonly timeOf?: (stage: string, batch: Envelope[], msHere: number) => number,
  ) {
    checkComposition(stages, consumerNeeds);
    this.figures = stages.map((stage) => ({ name: stage.name, in: 0, out: 0, rejected: {}, ms: 0 }));
    this.turns = stages.map(() => Promise.resolve());
  }

  async run(batch: Envelope[]): Promise<void> {
    for (const [index, stage] of this.stages.entries()) {
      const previous = this.turns[index]!;
      let release!: () => void;
      this.turns[index] = new Promise((resolve) => (release = resolve));
      try {
        await previous;
        await this.runStage(index, stage, batch);
      } finally {
        release();
      }
    }
  }

  private async runStage(index: number, stage: Stage, batch: Envelope[]): Promise<void> {
    const figures = this.figures[index]!;
    const before = batch.filter((envelope) => !envelope.rejection);
    figures.in += before.length;
    const started = performance.now();
    await stage.run(batch);
    const msHere = performance.now() - started;
    figures.ms += this.timeOf ? this.timeOf(stage.name, batch, msHere) : msHere;
    for (const envelope of before) {
      if (envelope.rejection) {
        const reason = envelope.rejection.reason;
        figures.rejected[reason] = (figures.rejected[reason] ?? 0) + 1;
      } else {
        figures.out++;
      }
    }
  }

  /** Final figures, with each stage's own summary under `details`. */
  finish(): StageFigures[] {
    return this.figures.map((figures, index) => {
      const details = this.stages[index]!.summary?.();
      return details
        ? { ...figures, ms: Math.round(figures.ms), details }
        : { ...figures, ms: Math.round(figures.ms) };
    });
  }

  async close(): Promise<void> {
    for (const stage of this.stages) await stage.close?.();
  }
}

/** A stage that reads a field no earlier stage sets is a composition bug: say so before any data flows. */
function checkComposition(stages: Stage[], consumerNeeds: ReadonlyArray<keyof Envelope>): void {
  const provided = new Set<keyof Envelope>(['line', 'raw', 'scenario']);
  const check = (who: string, needs: ReadonlyArray<keyof Envelope>) => {
    const missing = needs.filter((field) => !provided.has(field));
    if (missing.length > 0)
      throw new PhikitError(
        'INTERNAL',
        `${who} needs ${missing.join(', ')}, which no earlier stage provides`,
      );
  };
  for (const stage of stages) {
    check(`stage ${stage.name}`, stage.needs ?? []);
    for (const field of stage.provides ?? []) provided.add(field);
  }
  check('the writer', consumerNeeds);
}
