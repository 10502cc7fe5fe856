// decontaminate (with `--holdout FILE`): an example whose estimated Jaccard similarity to any
// holdout example reaches the threshold is `contaminated` ("~0.74 similar to holdout line N"),
// so the evaluation set measures what training did not see.
import type { Stage } from '../core/envelope.js';
import type { GrowableUint32 } from '../core/growable.js';
import type { HoldoutFigures } from '../core/manifest.js';
import type { NearDuplicateIndex } from '../dedupe/minhash.js';
import { envelopeSignature } from './dedupe-near.js';
import { perExample } from './per-example.js';

/** The indexed holdout set (loaded by pipeline/holdout.ts). */
export interface HoldoutSet {
  path: string;
  /** Holdout examples indexed. */
  examples: number;
  /** Holdout lines that are not valid examples (not indexed). */
  unreadable: number;
  /** Holdout examples with too few shingles to compare (not indexed; see MIN_SHINGLES). */
  tooFewShingles: number;
  index: NearDuplicateIndex;
  /** Holdout line of each indexed example, by ordinal. */
  lines: GrowableUint32;
}

export interface DecontaminateStage extends Stage {
  summary(): HoldoutFigures;
}

export function createDecontaminateStage(holdout: HoldoutSet, shingle: number): DecontaminateStage {
  let dropped = 0;
  return perExample({
    name: 'decontaminate',
    needs: ['example'],
    provides: [],
    each(envelope) {
      const signature = envelopeSignature(envelope, shingle);
      const match = signature && holdout.index.query(signature);
      if (!match) return;
      const line = holdout.lines.get(match.ordinal);
      dropped++;
      envelope.rejection = {
        reason: 'contaminated',
        message: `~${match.similarity.toFixed(2)} similar to line ${line} of the holdout set (threshold ${holdout.index.threshold}); evaluating on it would measure memorised text`,
        detail: { holdoutLine: line, similarity: Number(match.similarity.toFixed(4)) },
      };
    },
    summary: () => ({
      path: holdout.path,
      threshold: holdout.index.threshold,
      holdoutExamples: holdout.examples,
      holdoutUnreadable: holdout.unreadable,
      holdoutTooFewShingles: holdout.tooFewShingles,
      contaminated: dropped,
    }),
  });
}
