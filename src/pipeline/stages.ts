// Runs per-record stages over a batch and keeps each stage's funnel figures and time.
import { performance } from 'node:perf_hooks';
import type { Envelope, Stage } from '../core/envelope.js';
import type { StageFigures } from '../core/manifest.js';

export class StageRunner {
  readonly figures: StageFigures[];

  constructor(readonly stages: Stage[]) {
    this.figures = stages.map((stage) => ({ name: stage.name, in: 0, out: 0, rejected: {}, ms: 0 }));
  }

  async run(batch: Envelope[]): Promise<void> {
    for (const [index, stage] of this.stages.entries()) {
      const figures = this.figures[index]!;
      const before = batch.filter((envelope) => !envelope.rejection);
      figures.in += before.length;
      const started = performance.now();
      await stage.run(batch);
      figures.ms += performance.now() - started;
      for (const envelope of before) {
        if (envelope.rejection) {
          const reason = envelope.rejection.reason;
          figures.rejected[reason] = (figures.rejected[reason] ?? 0) + 1;
        } else {
          figures.out++;
        }
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
