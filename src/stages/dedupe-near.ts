// dedupe-near: MinHash + LSH over word shingles of the cleaned user and assistant text. Two jobs
// on one signature store:
// - drop: the first example is kept, a later one whose estimated Jaccard similarity reaches
//   `threshold` is `near_duplicate` ("~0.91 similar to line N");
// - leakage clusters: kept examples at or above the looser `leakThreshold` are joined
//   (union-find), so the split planner can keep each cluster on one side.
// Memory per kept example: 96-byte signature + 4-byte line + ~7 bytes per band per table
// (8 bands at 0.8, 13 at 0.6; see src/dedupe/minhash.ts) + 4 bytes of cluster parent.
import type { Envelope, Stage } from '../core/envelope.js';
import { GrowableUint32 } from '../core/growable.js';
import {
  Clusters,
  conversationText,
  NearDuplicateIndex,
  PERMUTATIONS,
  SignatureStore,
  signatureOf,
} from '../dedupe/minhash.js';

export const DEFAULT_NEAR_THRESHOLD = 0.8;
export const DEFAULT_LEAK_THRESHOLD = 0.6;
export const DEFAULT_SHINGLE = 3;
/** Clusters are also joined through their other members, so pairs need less (see minhash.ts). */
const CLUSTER_CANDIDATE_PROBABILITY = 0.95;

export interface NearDedupeOptions {
  /** Estimated Jaccard similarity at or above which a later example is dropped (default 0.8); `false` keeps them. */
  threshold?: number | false;
  /** Words per shingle (default 3). */
  shingle?: number;
  /** Similarity that puts two kept examples in one leakage cluster (default 0.6); `false`: no clusters. */
  leakThreshold?: number | false;
}

export interface DedupeNearStage extends Stage {
  /** The cluster (its smallest ordinal) of the kept example stored at `ordinal`. */
  clusterOf(ordinal: number): number;
}

/** The envelope's signature, computed once and shared by the stages that need it. */
export function envelopeSignature(envelope: Envelope, shingle: number): Uint8Array {
  envelope.signature ??= signatureOf(conversationText(envelope.example!), shingle);
  return envelope.signature;
}

export function createDedupeNearStage(options: NearDedupeOptions = {}): DedupeNearStage {
  const threshold = options.threshold ?? DEFAULT_NEAR_THRESHOLD;
  const leakThreshold = options.leakThreshold ?? DEFAULT_LEAK_THRESHOLD;
  const shingleSize = options.shingle ?? DEFAULT_SHINGLE;
  const store = new SignatureStore();
  const near = threshold === false ? undefined : new NearDuplicateIndex(threshold, store);
  const leak =
    leakThreshold === false
      ? undefined
      : new NearDuplicateIndex(leakThreshold, store, CLUSTER_CANDIDATE_PROBABILITY);
  const clusters = new Clusters();
  const lines = new GrowableUint32();
  let dropped = 0;
  let joins = 0;
  return {
    name: 'dedupe-near',
    run(batch: Envelope[]) {
      for (const envelope of batch) {
        if (envelope.rejection || !envelope.example) continue;
        const signature = envelopeSignature(envelope, shingleSize);
        const match = near?.query(signature);
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
        const ordinal = store.add(signature);
        clusters.add();
        lines.push(envelope.line);
        envelope.nearOrdinal = ordinal;
        near?.index(signature, ordinal);
        if (leak) {
          leak.forEachMatch(signature, (similar) => {
            joins++;
            clusters.union(ordinal, similar.ordinal);
          });
          leak.index(signature, ordinal);
        }
      }
      // The signature is not needed past this stage.
      for (const envelope of batch) envelope.signature = undefined;
    },
    clusterOf: (ordinal) => clusters.find(ordinal),
    summary: () => {
      const bytes = store.bytes + lines.length * 4 + (near?.tableBytes ?? 0);
      return {
        threshold,
        shingle: shingleSize,
        permutations: PERMUTATIONS,
        ...(near ? { bands: near.lsh.bands, rows: near.lsh.rows } : {}),
        kept: store.size,
        dropped,
        candidatePairs: near?.candidates ?? 0,
        indexBytes: bytes,
        bytesPerKeptExample: store.size > 0 ? Math.round(bytes / store.size) : 0,
        ...(leak
          ? {
              leak: {
                threshold: leakThreshold,
                bands: leak.lsh.bands,
                rows: leak.lsh.rows,
                similarPairsJoined: joins,
                indexBytes: leak.tableBytes + clusters.bytes,
              },
            }
          : {}),
      };
    },
  };
}
