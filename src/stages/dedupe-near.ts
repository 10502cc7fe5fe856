// dedupe-near: MinHash + LSH over shingles (words; characters in Han, Kana, Hangul, Thai, ...
// runs) of the cleaned user and assistant text. Two jobs on one index of the kept examples:
// - drop: the first example is kept, a later one whose estimated Jaccard similarity reaches
//   `threshold` is `near_duplicate` ("~0.91 similar to line N");
// - leakage clusters: kept examples at or above the looser `leakThreshold` are joined
//   (union-find), so the split planner can keep each cluster on one side.
// One band table serves both: its band count is the larger of what each needs (0.995 at the
// near-duplicate threshold, 0.95 at the leak threshold), so each kept example is looked up once.
// Memory per kept example: 96-byte signature + 4-byte line + ~7 bytes per band (13 bands at
// the defaults; see src/dedupe/minhash.ts) + 4 bytes of cluster parent; plus the first
// NEAR_PAIR_SAMPLES flagged pairs (two lines and a similarity each) for the report. An example with too
// few shingles to compare keeps an ordinal (an unindexed zero signature) and its own cluster.
import type { Envelope, Stage } from '../core/envelope.js';
import { GrowableUint32 } from '../core/growable.js';
import type { NearDuplicateFigures, NearDuplicatePair } from '../core/manifest.js';
import {
  CHARACTER_SHINGLE,
  closest,
  Clusters,
  conversationParts,
  lshParameters,
  MIN_SHINGLES,
  NearDuplicateIndex,
  PERMUTATIONS,
  SignatureStore,
  nearSignatureOf,
  type NearMatch,
} from '../dedupe/minhash.js';
import { inPlay } from './per-example.js';

export const DEFAULT_NEAR_THRESHOLD = 0.8;
export const DEFAULT_LEAK_THRESHOLD = 0.6;
export const DEFAULT_SHINGLE = 3;
/** Flagged pairs kept for the report (lines and similarity only: the texts stay in the files). */
export const NEAR_PAIR_SAMPLES = 20;
/** Clusters are also joined through their other members, so pairs need less (see minhash.ts). */
const CLUSTER_CANDIDATE_PROBABILITY = 0.95;

export interface NearDedupeOptions {
  /** Estimated Jaccard similarity at or above which a later example is dropped (default 0.8); `false` keeps them. */
  threshold?: number | false;
  /** Words per shingle (default 3). */
  shingle?: number;
  /** Similarity that puts two kept examples in one leakage cluster (default 0.6); `false`: no clusters. */
  leakThreshold?: number | false;
  /** About how many examples will be indexed, if known: the band table starts that large. */
  expectedExamples?: number;
}

export interface DedupeNearStage extends Stage {
  summary(): NearDuplicateFigures;
  /** The cluster (its smallest ordinal) of the kept example stored at `ordinal`. */
  clusterOf(ordinal: number): number;
}

/**
 * The envelope's signature for `shingle`, computed once and shared by the stages that need it;
 * undefined when the text has too few shingles to be compared (see MIN_SHINGLES).
 */
export function envelopeSignature(envelope: Envelope, shingle: number): Uint8Array | undefined {
  if (envelope.signature?.shingle !== shingle)
    envelope.signature = { shingle, value: nearSignatureOf(conversationParts(envelope.example!), shingle) };
  return envelope.signature.value;
}

/** Stored for an example too short to compare: it keeps its ordinal (and cluster) but is never indexed. */
const UNINDEXED = new Uint8Array(PERMUTATIONS);

export function createDedupeNearStage(options: NearDedupeOptions = {}): DedupeNearStage {
  const threshold = options.threshold ?? DEFAULT_NEAR_THRESHOLD;
  const leakThreshold = options.leakThreshold ?? DEFAULT_LEAK_THRESHOLD;
  const shingleSize = options.shingle ?? DEFAULT_SHINGLE;
  const needs = [
    ...(threshold === false ? [] : [lshParameters(threshold)]),
    ...(leakThreshold === false ? [] : [lshParameters(leakThreshold, CLUSTER_CANDIDATE_PROBABILITY)]),
  ];
  const lsh = needs.reduce((a, b) => (b.bands > a.bands ? b : a));
  const lowest = Math.min(...[threshold, leakThreshold].filter((t): t is number => t !== false));
  const index = new NearDuplicateIndex(lowest, new SignatureStore(), lsh, options.expectedExamples);
  const clusters = new Clusters();
  const lines = new GrowableUint32();
  let dropped = 0;
  let joins = 0;
  let tooFewShingles = 0;
  const pairs: NearDuplicatePair[] = [];
  const keep = (envelope: Envelope, ordinal: number) => {
    clusters.add();
    lines.push(envelope.line);
    envelope.nearOrdinal = ordinal;
  };
  return {
    name: 'dedupe-near',
    needs: ['example'],
    provides: ['nearOrdinal'],
    run(batch: Envelope[]) {
      for (const envelope of batch) {
        if (!inPlay(envelope)) continue;
        const signature = envelopeSignature(envelope, shingleSize);
        if (!signature) {
          tooFewShingles++;
          keep(envelope, index.store.add(UNINDEXED));
          continue;
        }
        const similar: NearMatch[] = [];
        index.forEachMatch(signature, (match) => similar.push(match));
        const duplicateOf = threshold === false ? undefined : closest(similar, threshold);
        if (duplicateOf) {
          const line = lines.get(duplicateOf.ordinal);
          dropped++;
          const similarity = Number(duplicateOf.similarity.toFixed(4));
          if (pairs.length < NEAR_PAIR_SAMPLES)
            pairs.push({ kept: line, dropped: envelope.line, similarity });
          envelope.rejection = {
            reason: 'near_duplicate',
            message: `~${duplicateOf.similarity.toFixed(2)} similar to line ${line} (estimated Jaccard of shingles: ${shingleSize} words, ${CHARACTER_SHINGLE} characters in unspaced scripts; threshold ${threshold})`,
            detail: { similarTo: line, similarity },
          };
          continue;
        }
        const ordinal = index.add(signature);
        keep(envelope, ordinal);
        if (leakThreshold === false) continue;
        for (const match of similar) {
          if (match.similarity < leakThreshold) continue;
          joins++;
          clusters.union(ordinal, match.ordinal);
        }
      }
      // The signature is not needed past this stage.
      for (const envelope of batch) envelope.signature = undefined;
    },
    clusterOf: (ordinal) => clusters.find(ordinal),
    summary: () => {
      const bytes = index.bytes + lines.length * 4 + (leakThreshold === false ? 0 : clusters.bytes);
      return {
        threshold,
        shingle: shingleSize,
        permutations: PERMUTATIONS,
        bands: lsh.bands,
        rows: lsh.rows,
        kept: lines.length,
        keptWithTooFewShingles: tooFewShingles,
        minShingles: MIN_SHINGLES,
        characterShingle: CHARACTER_SHINGLE,
        dropped,
        candidatePairs: index.candidates,
        leakThreshold,
        similarPairsJoined: joins,
        indexBytes: bytes,
        bytesPerKeptExample: lines.length > 0 ? Math.round(bytes / lines.length) : 0,
        pairs: [...pairs],
      };
    },
  };
}
