// dedupe-near: MinHash + LSH over word shingles of the cleaned user and assistant text; the first
// example is kept, a later one whose estimated Jaccard similarity reaches the threshold is
// `near_duplicate` ("~0.91 similar to line N"). Memory: see src/dedupe/minhash.ts (~260 B/example).
import type { Envelope, Stage } from '../core/envelope.js';
import { BANDS, minhash, NearDuplicateIndex, PERMUTATIONS, ROWS, shingles } from '../dedupe/minhash.js';
import { GrowableUint32 } from '../core/growable.js';

export interface NearDedupeOptions {
  /** Estimated Jaccard similarity at or above which a later example is dropped (default 0.8). */
  threshold?: number;
  /** Words per shingle (default 3). */
  shingle?: number;
}

export function createDedupeNearStage(options: NearDedupeOptions = {}): Stage {
  const threshold = options.threshold ?? 0.8;
  const shingleSize = options.shingle ?? 3;
  const index = new NearDuplicateIndex(threshold);
  const lines = new GrowableUint32();
  let dropped = 0;
  return {
    name: 'dedupe-near',
    run(batch: Envelope[]) {
      for (const envelope of batch) {
        if (envelope.rejection || !envelope.example) continue;
        const text = envelope.example.messages
          .filter((message) => message.role !== 'system')
          .map((message) => message.content)
          .join('\n');
        const mins = minhash(shingles(text, shingleSize));
        const match = index.query(mins);
        if (match) {
          const line = lines.get(match.ordinal);
          dropped++;
          envelope.rejection = {
            reason: 'near_duplicate',
            message: `~${match.similarity.toFixed(2)} similar to line ${line} (estimated Jaccard of ${shingleSize}-word shingles, threshold ${threshold})`,
            detail: { similarTo: line, similarity: Number(match.similarity.toFixed(4)) },
          };
          continue;
        }
        index.add(mins);
        lines.push(envelope.line);
      }
    },
    summary: () => ({
      threshold,
      shingle: shingleSize,
      permutations: PERMUTATIONS,
      bands: BANDS,
      rows: ROWS,
      kept: index.size,
      dropped,
      candidatePairs: index.candidates,
      indexBytes: index.bytes + lines.length * 4,
      bytesPerKeptExample: index.size > 0 ? Math.round((index.bytes + lines.length * 4) / index.size) : 0,
    }),
  };
}
