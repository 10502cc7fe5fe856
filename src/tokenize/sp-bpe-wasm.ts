// The SentencePiece BPE token count in WebAssembly (assembly/sp-bpe-count.ts, compiled by `npm run
// build`): the same counts as sp-bpe.ts `countRangesJs`, from a kernel that is compiled before its
// first call, where the JavaScript one runs interpreted until V8 has seen enough of it. Without the
// built file (phikit run from src/ before a build) the encoder counts in JavaScript.
// Memory: the vocabulary's tables (~2.4 MB for Phi-3), the word cache as it fills (at most 16 MB),
// and the largest call's text (2 bytes per code unit) and merge scratch (~70 bytes per code unit
// of its longest chunk); a kernel whose memory grew past KEPT_MEMORY_BYTES is dropped after the
// call and made again.
import { builtFileUrl, WasmKernel } from '../core/wasm.js';
import type { TextPiece } from './added-tokens.js';
import type { SpBpeTables } from './sp-bpe-tables.js';

/** Written by `npm run build`; from src/ (tsx), the one the last build wrote. */
export const SP_BPE_COUNT_WASM_URL = builtFileUrl('tokenize/sp-bpe-count.wasm', import.meta.url);

/** The tables and word cache take ~19 MB of address space (touched as used); a call may add ~20 MB and keep it. */
const KEPT_MEMORY_BYTES = 40 << 20;

interface CountExports {
  memory: { readonly buffer: ArrayBuffer };
  setup(vocabulary: number, mergeInts: number, astralPairs: number, metaSpaceId: number): void;
  pieceLengthsAddress(): number;
  charIdsAddress(): number;
  byteIdsAddress(): number;
  mergesAddress(): number;
  astralAddress(): number;
  inputAddress(): number;
  reserve(length: number, pieces: number, rangePairs: number): void;
  piecesAddress(): number;
  rangesAddress(): number;
  countRanges(pieces: number, rangePairs: number): number;
  inRangesCount(): number;
}

const built = new WasmKernel(SP_BPE_COUNT_WASM_URL);

/** Astral pieces as (code point, id) pairs sorted by code point, as the kernel searches them. */
function sortedAstral(astralIds: Int32Array): Int32Array {
  const pairs: Array<[number, number]> = [];
  for (let i = 0; i < astralIds.length; i += 2) pairs.push([astralIds[i]!, astralIds[i + 1]!]);
  pairs.sort((a, b) => a[0] - b[0]);
  return Int32Array.from(pairs.flat());
}

/** A kernel with the vocabulary's tables in its memory; undefined when it was not built. */
function instantiate(tables: SpBpeTables): CountExports | undefined {
  const kernel = built.instantiate<CountExports>();
  if (kernel === undefined) return undefined;
  const astral = sortedAstral(tables.astralIds);
  kernel.setup(tables.pieceLength.length, tables.merges.length, astral.length / 2, tables.metaSpaceId);
  const copy = (address: number, table: Int32Array) =>
    new Int32Array(kernel.memory.buffer, address, table.length).set(table);
  copy(kernel.pieceLengthsAddress(), tables.pieceLength);
  copy(kernel.charIdsAddress(), tables.charId);
  copy(kernel.byteIdsAddress(), tables.byteId);
  copy(kernel.mergesAddress(), tables.merges);
  copy(kernel.astralAddress(), astral);
  return kernel;
}

export class WasmTokenCounter {
  private constructor(
    private kernel: CountExports,
    private readonly tables: SpBpeTables,
  ) {}

  /** A counter for these tables; undefined when the kernel was not built. */
  static create(tables: SpBpeTables): WasmTokenCounter | undefined {
    const kernel = instantiate(tables);
    return kernel === undefined ? undefined : new WasmTokenCounter(kernel, tables);
  }

  /** sp-bpe.ts `countRanges`: total tokens of `text` and those starting inside the sorted, disjoint `ranges`. */
  countRanges(
    text: string,
    pieces: readonly TextPiece[],
    ranges: ReadonlyArray<readonly [number, number]>,
  ): { total: number; inRanges: number } {
    const kernel = this.kernel;
    kernel.reserve(text.length, pieces.length, ranges.length);
    const buffer = kernel.memory.buffer;
    Buffer.from(buffer).write(text, kernel.inputAddress(), 'utf16le');
    const pieceInts = new Int32Array(buffer, kernel.piecesAddress(), pieces.length * 3);
    pieces.forEach((piece, i) => {
      pieceInts[i * 3] = piece.start;
      pieceInts[i * 3 + 1] = piece.end;
      pieceInts[i * 3 + 2] = piece.id;
    });
    const rangeInts = new Int32Array(buffer, kernel.rangesAddress(), ranges.length * 2);
    ranges.forEach(([start, end], i) => {
      rangeInts[i * 2] = start;
      rangeInts[i * 2 + 1] = end;
    });
    const total = kernel.countRanges(pieces.length, ranges.length);
    const inRanges = kernel.inRangesCount();
    // Built once already, so it instantiates again.
    if (kernel.memory.buffer.byteLength > KEPT_MEMORY_BYTES) this.kernel = instantiate(this.tables)!;
    return { total, inRanges };
  }
}
