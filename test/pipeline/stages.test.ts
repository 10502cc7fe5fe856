import { describe, expect, it } from 'vitest';
import type { Envelope, Stage } from '../../src/core/envelope.js';
import { StageRunner } from '../../src/pipeline/stages.js';

const batchOf = (first: number): Envelope[] =>
  [0, 1].map((i) => ({ line: first + i, raw: '', scenario: 'unlabeled' }));

describe('StageRunner', () => {
  it('lets batches overlap but shows each stage the batches in input order', async () => {
    const seen: Record<string, number[]> = { slow: [], after: [] };
    // The first batch waits longest, so without ordering the second would overtake it.
    const slow: Stage = {
      name: 'slow',
      async run(batch) {
        await new Promise((resolve) => setTimeout(resolve, batch[0]!.line === 1 ? 30 : 1));
        seen.slow!.push(batch[0]!.line);
      },
    };
    const after: Stage = {
      name: 'after',
      run(batch) {
        seen.after!.push(batch[0]!.line);
        for (const envelope of batch) {
          if (envelope.line % 2 === 0) envelope.rejection = { reason: 'schema', message: 'even' };
        }
      },
    };
    const runner = new StageRunner([slow, after]);
    await Promise.all([runner.run(batchOf(1)), runner.run(batchOf(3)), runner.run(batchOf(5))]);
    expect(seen).toEqual({ slow: [1, 3, 5], after: [1, 3, 5] });
    expect(
      runner.finish().map(({ name, in: entered, out, rejected }) => ({ name, entered, out, rejected })),
    ).toEqual([
      { name: 'slow', entered: 6, out: 6, rejected: {} },
      { name: 'after', entered: 6, out: 3, rejected: { schema: 3 } },
    ]);
  });
});
