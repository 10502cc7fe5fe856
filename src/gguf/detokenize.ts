// Incremental detokenization over bytes (pure): the text each token adds to the text before it, so that the
// texts of a token sequence join to its whole text. A character split over byte tokens belongs to the token
// that completes it; the tokens before have the text "". Memory: at most 3 pending bytes.

/** What the detokenizer needs to know of a vocabulary. */
export interface TokenPieces {
  /** The token's bytes as the text shows them (a SentencePiece `▁` as a space, a byte token as its byte). */
  bytes(token: number): Uint8Array;
  /** Control and user-defined tokens: llama.cpp puts a space before the text after them (and at the start). */
  isSpecial(token: number): boolean;
  /** The tokenizer adds that space (SentencePiece `add_space_prefix`): it is not in the text. */
  spacePrefix: boolean;
}

const SPACE = 0x20;
const REPLACEMENT = '\ufffd';

export class IncrementalDetokenizer {
  /** Bytes of a character not complete yet. */
  private pending: Uint8Array = new Uint8Array(0);
  /** The next text token follows a special token (or nothing): its added leading space is dropped. */
  private afterSpecial = true;

  constructor(private readonly pieces: TokenPieces) {}

  isSpecial(token: number): boolean {
    return this.pieces.isSpecial(token);
  }

  /** The text `token` would add here, without taking it (for top_logprobs alternatives). */
  peek(token: number): string {
    return this.step(token).text;
  }

  /** The text `token` adds; `hidden` tokens (a BOS the text leaves out) add none. */
  push(token: number, hidden = false): string {
    const { text, pending, afterSpecial } = this.step(token, hidden);
    this.pending = pending;
    this.afterSpecial = afterSpecial;
    return text;
  }

  /** What is left at the end: bytes of a character the tokens never completed, as U+FFFD (as a decoder). */
  finish(): string {
    const text = this.pending.length === 0 ? '' : REPLACEMENT;
    this.pending = new Uint8Array(0);
    return text;
  }

  private step(token: number, hidden = false): { text: string; pending: Uint8Array; afterSpecial: boolean } {
    const special = this.pieces.isSpecial(token);
    let bytes = hidden ? new Uint8Array(0) : this.pieces.bytes(token);
    if (!special && this.afterSpecial && this.pieces.spacePrefix && bytes[0] === SPACE)
      bytes = bytes.subarray(1);
    const all = concat(this.pending, bytes);
    const complete = completeLength(all);
    return {
      text: decoder.decode(all.subarray(0, complete)),
      pending: all.slice(complete),
      afterSpecial: special,
    };
  }
}

const decoder = new TextDecoder('utf-8');

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const joined = new Uint8Array(a.length + b.length);
  joined.set(a);
  joined.set(b, a.length);
  return joined;
}

/**
 * Bytes up to where an unfinished UTF-8 sequence starts at the end (a lead byte followed by fewer
 * continuation bytes than it announces); anything else, even invalid, decodes now as a streaming decoder would.
 */
export function completeLength(bytes: Uint8Array): number {
  for (let back = 1; back <= Math.min(3, bytes.length); back += 1) {
    const byte = bytes[bytes.length - back]!;
    if ((byte & 0xc0) === 0x80) continue;
    const needed = sequenceLength(byte, bytes[bytes.length - back + 1]);
    return needed > back ? bytes.length - back : bytes.length;
  }
  return bytes.length;
}

/** Length of the sequence a lead byte starts (1 when none), given the byte after it (some leads narrow its range). */
function sequenceLength(lead: number, next: number | undefined): number {
  if (next !== undefined && !validSecond(lead, next)) return 1;
  if (lead >= 0xc2 && lead <= 0xdf) return 2;
  if (lead >= 0xe0 && lead <= 0xef) return 3;
  if (lead >= 0xf0 && lead <= 0xf4) return 4;
  return 1;
}

/** The second byte's range per lead byte (Unicode Table 3-7): outside it the lead is an error by itself. */
function validSecond(lead: number, second: number): boolean {
  if (lead === 0xe0) return second >= 0xa0 && second <= 0xbf;
  if (lead === 0xed) return second >= 0x80 && second <= 0x9f;
  if (lead === 0xf0) return second >= 0x90 && second <= 0xbf;
  if (lead === 0xf4) return second >= 0x80 && second <= 0x8f;
  return second >= 0x80 && second <= 0xbf;
}

/** GPT-2 byte-level BPE shows each byte as a printable character; this maps them back. */
let gpt2Bytes: Map<string, number> | undefined;

export function gpt2PieceBytes(piece: string): Uint8Array {
  gpt2Bytes ??= gpt2ByteMap();
  const bytes: number[] = [];
  for (const character of piece) {
    const byte = gpt2Bytes.get(character);
    if (byte === undefined) bytes.push(...Buffer.from(character, 'utf8'));
    else bytes.push(byte);
  }
  return Uint8Array.from(bytes);
}

function gpt2ByteMap(): Map<string, number> {
  const map = new Map<string, number>();
  let shifted = 0;
  for (let byte = 0; byte < 256; byte += 1) {
    const printable =
      (byte >= 0x21 && byte <= 0x7e) || (byte >= 0xa1 && byte <= 0xac) || (byte >= 0xae && byte <= 0xff);
    map.set(String.fromCodePoint(printable ? byte : 256 + shifted++), byte);
  }
  return map;
}
