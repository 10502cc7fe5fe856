// The lookup tables the SentencePiece BPE encoder (sp-bpe.ts) works from, derived once from a
// vocabulary's pieces and merges. Deriving them takes ~25 ms per thread, so the build writes the
// built-in Phi-3 vocabulary's tables ready-made (phi3.ts) and a start only maps them from that file.
// Memory: ~2.4 MB for Phi-3 (the merge table is 2 MB of it).

/** The vocabulary, as sp-bpe.ts reads it. */
export interface SpBpeSource {
  /** Piece for each id of the base vocabulary (added tokens excluded). */
  pieces: readonly string[];
  /** Merges in priority order (rank 0 first). */
  merges: ReadonlyArray<readonly [string, string]>;
  /** The same merges as (left, right, merged) ids, when known ahead: `merges` is then not read. */
  mergeIds?: Int32Array;
}

export const SPACE = 0x20;
export const META_SPACE = 0x2581; // "▁"
export const NOT_A_PIECE = -1;
export const HIGH_SURROGATE = -2;

export interface SpBpeTables {
  /** UTF-16 length of each piece; 0 for byte tokens, which stand for part of one character. */
  pieceLength: Int32Array;
  /** Id of the one-code-unit piece for each UTF-16 code unit; NOT_A_PIECE; HIGH_SURROGATE. */
  charId: Int32Array;
  /** Code point and id, one pair after another, of each piece that is one astral code point. */
  astralIds: Int32Array;
  /** Id of the byte-fallback piece `<0xXX>` of each byte. */
  byteId: Int32Array;
  /**
   * Open-addressing hash table (left, right) -> (rank, merged id), a power of two of slots found by
   * `mergeSlot`; one slot = 4 adjacent ints [left (-1: empty), right, rank, merged], so a probe
   * touches one cache line.
   */
  merges: Int32Array;
  /** Id of "▁". */
  metaSpaceId: number;
}

/** The home slot of the merge (left, right) in a table of `mask + 1` slots. */
export function mergeSlot(left: number, right: number, mask: number): number {
  return (Math.imul(left, 0x9e3779b1) ^ Math.imul(right, 0x85ebca6b)) & mask;
}

/** Merges as (left, right, merged) ids; a merge that uses or makes a piece outside the vocabulary is an error. */
function idsOfMerges(
  merges: ReadonlyArray<readonly [string, string]>,
  idOf: ReadonlyMap<string, number>,
): Int32Array {
  const ids = new Int32Array(merges.length * 3);
  merges.forEach(([left, right], rank) => {
    const leftId = idOf.get(left);
    const rightId = idOf.get(right);
    const resultId = idOf.get(left + right);
    if (leftId === undefined || rightId === undefined || resultId === undefined)
      throw new Error(`merge "${left} ${right}" uses or makes a piece outside the vocabulary`);
    ids.set([leftId, rightId, resultId], rank * 3);
  });
  return ids;
}

function byteIds(idOf: ReadonlyMap<string, number>): Int32Array {
  const byteId = new Int32Array(256);
  for (let byte = 0; byte < 256; byte++) {
    const id = idOf.get(`<0x${byte.toString(16).toUpperCase().padStart(2, '0')}>`);
    if (id === undefined) throw new Error(`the vocabulary has no byte-fallback piece for byte ${byte}`);
    byteId[byte] = id;
  }
  return byteId;
}

/** Piece lengths, one-code-unit and astral pieces; spaces read as "▁". */
function characterTables(
  pieces: readonly string[],
  isByteToken: Uint8Array,
  metaSpaceId: number,
): Pick<SpBpeTables, 'pieceLength' | 'charId' | 'astralIds'> {
  const pieceLength = new Int32Array(pieces.length);
  const charId = new Int32Array(0x10000).fill(NOT_A_PIECE);
  for (let code = 0xd800; code <= 0xdbff; code++) charId[code] = HIGH_SURROGATE;
  const astral: number[] = [];
  pieces.forEach((piece, id) => {
    pieceLength[id] = isByteToken[id] ? 0 : piece.length;
    if (isByteToken[id]) return;
    const first = piece.codePointAt(0);
    if (first === undefined) return;
    if (piece.length === 1 && (first < 0xd800 || first > 0xdfff)) charId[first] = id;
    else if (piece.length === 2 && first > 0xffff) astral.push(first, id);
  });
  charId[SPACE] = metaSpaceId;
  charId[META_SPACE] = metaSpaceId;
  return { pieceLength, charId, astralIds: Int32Array.from(astral) };
}

function mergeTable(mergeIds: Int32Array, pieces: readonly string[], isByteToken: Uint8Array): Int32Array {
  const mergeCount = mergeIds.length / 3;
  let size = 1;
  while (size < mergeCount * 2) size <<= 1;
  const mask = size - 1;
  const merges = new Int32Array(size * 4).fill(-1);
  for (let rank = 0; rank < mergeCount; rank++) {
    const leftId = mergeIds[3 * rank]!;
    const rightId = mergeIds[3 * rank + 1]!;
    if (isByteToken[leftId] || isByteToken[rightId])
      throw new Error(`merge "${pieces[leftId]} ${pieces[rightId]}" uses a byte token`);
    let slot = mergeSlot(leftId, rightId, mask);
    // A duplicated merge keeps its last rank, as HF's map building does.
    while (merges[slot * 4] !== -1) {
      if (merges[slot * 4] === leftId && merges[slot * 4 + 1] === rightId) break;
      slot = (slot + 1) & mask;
    }
    merges.set([leftId, rightId, rank, mergeIds[3 * rank + 2]!], slot * 4);
  }
  return merges;
}

/** Chunking rule 1 (sp-bpe.ts) needs this: no piece holds "▁" after another character. */
function checkWordStarts(pieces: readonly string[]): void {
  for (const piece of pieces) {
    for (let i = 1; i < piece.length; i++) {
      if (piece.charCodeAt(i) === META_SPACE && piece.charCodeAt(i - 1) !== META_SPACE) {
        throw new Error(`piece "${piece}" has "▁" inside a word: chunking at word starts would not be exact`);
      }
    }
  }
}

/** The tables of a vocabulary; throws when the vocabulary breaks an assumption the encoder's exactness rests on. */
export function buildSpBpeTables(vocabulary: SpBpeSource): SpBpeTables {
  const { pieces } = vocabulary;
  const idOf = new Map<string, number>();
  pieces.forEach((piece, id) => idOf.set(piece, id));
  const byteId = byteIds(idOf);
  const isByteToken = new Uint8Array(pieces.length);
  for (const id of byteId) isByteToken[id] = 1;
  const metaSpaceId = idOf.get('\u2581');
  if (metaSpaceId === undefined) throw new Error('the vocabulary has no "▁" piece');
  // `merges` (strings) is read only without ids: a prebuilt vocabulary builds it only when asked.
  const mergeIds = vocabulary.mergeIds ?? idsOfMerges(vocabulary.merges, idOf);
  checkWordStarts(pieces);
  return {
    ...characterTables(pieces, isByteToken, metaSpaceId),
    byteId,
    merges: mergeTable(mergeIds, pieces, isByteToken),
    metaSpaceId,
  };
}

/** The tables' int32 arrays in the order `tablesFromSections` reads them. */
export function tableSections(tables: SpBpeTables): Int32Array[] {
  const { pieceLength, charId, astralIds, byteId, merges, metaSpaceId } = tables;
  return [Int32Array.of(metaSpaceId), pieceLength, charId, astralIds, byteId, merges];
}

/** Tables from the sections of `tableSections`. */
export function tablesFromSections(sections: readonly Int32Array[]): SpBpeTables | undefined {
  const [meta, pieceLength, charId, astralIds, byteId, merges] = sections;
  if (!meta || !pieceLength || !charId || !astralIds || !byteId || !merges) return undefined;
  return { metaSpaceId: meta[0]!, pieceLength, charId, astralIds, byteId, merges };
}
