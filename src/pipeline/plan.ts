// The plan between prep's two passes: from the survivors' compact signatures alone (scenario,
// seeded unit, leakage cluster) decide each survivor's fate: train, validation, test, or dropped
// by balancing. Clusters of near-duplicates are placed whole: a cluster goes to validation (or
// then to test) only if all its members fit under their scenarios' targets, so no cluster
// straddles two splits. Clusters are taken in order of their smallest seeded unit, so neither
// input order nor batch timing changes the result. Temporary memory: ~30 bytes per survivor.
import { planBalance, type BalanceOptions } from '../stages/balance.js';
import { splitCounts, type SplitOptions } from '../stages/split.js';

export const TRAIN = 0;
export const VALIDATION = 1;
export const BALANCED_OUT = 2;
export const SMALL_SCENARIO = 3;
export const TEST = 4;
/** Clusters the manifest lists, and members listed per cluster: the curator's audit, bounded. */
export const LISTED_CLUSTERS = 20;
export const LISTED_MEMBERS = 10;

/** One of the largest clusters: kept size, its first members (survivor indexes), its side. */
export interface ClusterListing {
  size: number;
  members: number[];
  side: number;
}

export interface Survivors {
  count: number;
  /** Scenario index (into the scenario names) of survivor i. */
  scenario(i: number): number;
  /** Seeded unit in [0, 1) of survivor i. */
  unit(i: number): number;
  /** Cluster id of survivor i: equal for members of one cluster, below `clusterIds`. */
  cluster(i: number): number;
  /** One more than the largest cluster id. */
  clusterIds: number;
}

export interface Plan {
  /** TRAIN, VALIDATION, TEST, BALANCED_OUT or SMALL_SCENARIO per survivor. */
  side: Uint8Array;
  /** Survivors per scenario before balancing. */
  sizes: number[];
  /** Kept per scenario after balancing. */
  keep: number[];
  /** Scenarios below --min-per-scenario. */
  small: boolean[];
  /** Validation examples wanted and given per scenario. */
  targets: number[];
  validation: number[];
  /** Test examples wanted and given per scenario (all 0 without a test split). */
  testTargets: number[];
  test: number[];
  clusters: {
    /** Clusters of kept examples with more than one member. */
    multi: number;
    /** Kept examples in those clusters. */
    examples: number;
    largest: number;
    /** Clusters with members in two splits (0 by construction; counted as a check). */
    straddling: number;
    /** The LISTED_CLUSTERS largest with more than one member, largest first (ties: earliest first). */
    largestListed: ClusterListing[];
  };
}

export function planSplit(
  survivors: Survivors,
  scenarios: number,
  options: { balance: BalanceOptions; split: SplitOptions },
): Plan {
  const n = survivors.count;
  const side = new Uint8Array(n);
  const sizes = new Array<number>(scenarios).fill(0);
  for (let i = 0; i < n; i++) sizes[survivors.scenario(i)]!++;

  // Balance: per scenario, the `keep` smallest units stay.
  const { keep, small } = planBalance(sizes, options.balance);
  const cutoff = keepCutoffs(survivors, sizes, keep);
  for (let i = 0; i < n; i++) {
    const s = survivors.scenario(i);
    if (keep[s] === sizes[s]) continue;
    if (keep[s] === 0 && small[s]) side[i] = SMALL_SCENARIO;
    else if (survivors.unit(i) > cutoff[s]!) side[i] = BALANCED_OUT;
  }

  // Clusters of kept examples: size, smallest unit and the member holding it.
  const ids = survivors.clusterIds;
  const members = new Uint32Array(ids);
  const minUnit = new Float64Array(ids).fill(2);
  const representative = new Uint32Array(ids);
  for (let i = 0; i < n; i++) {
    if (side[i] !== TRAIN) continue;
    const c = survivors.cluster(i);
    members[c]!++;
    const unit = survivors.unit(i);
    if (unit < minUnit[c]!) {
      minUnit[c] = unit;
      representative[c] = i;
    }
  }
  // Scenario make-up of clusters with more than one member (few).
  const makeUp = new Map<number, Map<number, number>>();
  const clusters = {
    multi: 0,
    examples: 0,
    largest: 0,
    straddling: 0,
    largestListed: [] as ClusterListing[],
  };
  for (let i = 0; i < n; i++) {
    if (side[i] !== TRAIN) continue;
    const c = survivors.cluster(i);
    clusters.largest = Math.max(clusters.largest, members[c]!);
    if (members[c]! < 2) continue;
    let counts = makeUp.get(c);
    if (!counts) {
      counts = new Map();
      makeUp.set(c, counts);
      clusters.multi++;
    }
    clusters.examples++;
    const s = survivors.scenario(i);
    counts.set(s, (counts.get(s) ?? 0) + 1);
  }

  // Greedy by smallest unit: validation first (as without a test split), then test, from the
  // clusters left; a cluster goes to a split if it fits every target it touches.
  const order = new Uint32Array(n);
  let clustersKept = 0;
  for (let i = 0; i < n; i++)
    if (side[i] === TRAIN && representative[survivors.cluster(i)] === i) order[clustersKept++] = i;
  const ordered = order.subarray(0, clustersKept).sort((a, b) => survivors.unit(a) - survivors.unit(b));
  const splitOf = new Uint8Array(ids).fill(TRAIN);
  const { validation: targets, test: testTargets } = splitCounts(keep, options.split);
  const fill = { survivors, ordered, makeUp, splitOf };
  const validation = fillSplit(fill, VALIDATION, targets);
  const test = fillSplit(fill, TEST, testTargets);
  for (let i = 0; i < n; i++) if (side[i] === TRAIN) side[i] = splitOf[survivors.cluster(i)]!;

  // Check: every member is on its representative's side.
  for (let i = 0; i < n; i++) {
    if (side[i] !== TRAIN && side[i] !== VALIDATION && side[i] !== TEST) continue;
    const c = survivors.cluster(i);
    if (members[c]! > 1 && side[representative[c]!] !== side[i]) clusters.straddling++;
  }
  clusters.largestListed = listLargestClusters(survivors, side, members, [...makeUp.keys()]);
  return { side, sizes, keep, small, targets, validation, testTargets, test, clusters };
}

/** The largest clusters with their first members, in one pass (memory: the listed ones only). */
function listLargestClusters(
  survivors: Survivors,
  side: Uint8Array,
  members: Uint32Array,
  multi: number[],
): ClusterListing[] {
  const largest = multi.sort((a, b) => members[b]! - members[a]! || a - b).slice(0, LISTED_CLUSTERS);
  const listed = new Map(
    largest.map((c) => [c, { size: members[c]!, members: [] as number[], side: TRAIN }]),
  );
  for (let i = 0; i < survivors.count; i++) {
    const listing = listed.get(survivors.cluster(i));
    const placed = side[i] === TRAIN || side[i] === VALIDATION || side[i] === TEST;
    if (!listing || !placed || listing.members.length >= LISTED_MEMBERS) continue;
    listing.members.push(i);
    listing.side = side[i]!;
  }
  return [...listed.values()];
}

interface Fill {
  survivors: Survivors;
  /** Cluster representatives by smallest unit. */
  ordered: Uint32Array;
  /** Scenario make-up of clusters with more than one member. */
  makeUp: Map<number, Map<number, number>>;
  /** Split per cluster, TRAIN until a split takes it. */
  splitOf: Uint8Array;
}

/** Moves clusters still in train to `split` while they fit its targets; returns the counts given. */
function fillSplit(
  { survivors, ordered, makeUp, splitOf }: Fill,
  split: number,
  targets: number[],
): number[] {
  const given = targets.map(() => 0);
  let remaining = targets.reduce((sum, k) => sum + k, 0);
  for (const i of ordered) {
    if (remaining === 0) break;
    const c = survivors.cluster(i);
    if (splitOf[c] !== TRAIN) continue;
    const counts = makeUp.get(c);
    if (!counts) {
      // A single example: the common case, without a map.
      const s = survivors.scenario(i);
      if (given[s]! < targets[s]!) {
        splitOf[c] = split;
        given[s]!++;
        remaining--;
      }
      continue;
    }
    let fits = true;
    for (const [s, k] of counts) if (given[s]! + k > targets[s]!) fits = false;
    if (!fits) continue;
    splitOf[c] = split;
    for (const [s, k] of counts) {
      given[s]! += k;
      remaining -= k;
    }
  }
  return given;
}

/** Per scenario, the largest unit that stays (Infinity when all stay). */
function keepCutoffs(survivors: Survivors, sizes: readonly number[], keep: readonly number[]): number[] {
  const cutoff = sizes.map(() => Infinity);
  const trimmed = sizes.map((size, s) => keep[s]! < size && keep[s]! > 0);
  if (!trimmed.some(Boolean)) return cutoff;
  const units = sizes.map((size, s) => (trimmed[s] ? new Float64Array(size) : undefined));
  const filled = sizes.map(() => 0);
  for (let i = 0; i < survivors.count; i++) {
    const s = survivors.scenario(i);
    const bucket = units[s];
    if (bucket) bucket[filled[s]!++] = survivors.unit(i);
  }
  units.forEach((bucket, s) => {
    if (bucket) cutoff[s] = bucket.sort()[keep[s]! - 1]!;
  });
  return cutoff.map((value, s) => (keep[s] === 0 ? -1 : value));
}
