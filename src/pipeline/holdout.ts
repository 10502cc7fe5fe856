// `--holdout FILE`: the evaluation set that training must not contain. Read with prep's own
// reader, parse, validate and clean stages (so both sides are compared after the same
// cleaning), then indexed by MinHash signature; an example with too few shingles to compare
// (MIN_SHINGLES in src/dedupe/minhash.ts) is counted, not indexed. Memory: ~250 bytes per
// holdout example (22 bands at 0.6).
import type { CleanRule } from '../clean/rules.js';
import { GrowableUint32 } from '../core/growable.js';
import { NearDuplicateIndex } from '../dedupe/minhash.js';
import { envelopeSignature } from '../stages/dedupe-near.js';
import type { HoldoutSet } from '../stages/decontaminate.js';
import { readChatExamples } from './chat-examples.js';

export async function loadHoldout(
  path: string,
  options: { threshold: number; shingle: number; disableClean?: CleanRule[] },
): Promise<HoldoutSet> {
  const source = await readChatExamples(path, { clean: { disabled: options.disableClean ?? [] } });
  const index = new NearDuplicateIndex(options.threshold);
  const lines = new GrowableUint32();
  let unreadable = 0;
  let tooFewShingles = 0;
  for await (const batch of source.batches) {
    for (const envelope of batch) {
      if (envelope.rejection) {
        unreadable++;
        continue;
      }
      const signature = envelopeSignature(envelope, options.shingle);
      if (!signature) {
        tooFewShingles++;
        continue;
      }
      index.add(signature);
      lines.push(envelope.line);
    }
  }
  return { path, examples: index.size, unreadable, tooFewShingles, index, lines };
}
