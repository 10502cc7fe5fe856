// Splits text on added tokens (<|user|>, <|end|>, <s>, ...) the way Hugging Face tokenizers do:
// leftmost-longest match on the raw text, lstrip/rstrip flags swallow the whitespace beside a token.
import type { AddedTokenSpec } from './tokenizer-json.js';

/** A run of plain text (`id === -1`) or one added token, as offsets into the text. */
export interface TextPiece {
  start: number;
  end: number;
  id: number;
}

/**
 * Rust's `char::is_whitespace` (Unicode White_Space), which the Python/Rust tokenizers use for
 * lstrip/rstrip. JavaScript's `trim` differs on two characters: it strips U+FEFF and keeps U+0085.
 */
export function isUnicodeWhitespace(code: number): boolean {
  if (code <= 0x20) return code === 0x20 || (code >= 0x09 && code <= 0x0d);
  if (code < 0x85) return false;
  return (
    code === 0x85 ||
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000
  );
}

export class AddedTokenSplitter {
  readonly tokens: readonly AddedTokenSpec[];
  private readonly byContent: Map<string, AddedTokenSpec>;
  /** The tokens' distinct first code units: text holding none of them holds no token. */
  private readonly firstUnits: readonly string[];
  /** Per first code unit, the token strings that start with it, longest first. */
  private readonly byFirstUnit: Map<string, string[]>;

  constructor(tokens: readonly AddedTokenSpec[]) {
    this.tokens = tokens;
    this.byContent = new Map(tokens.map((token) => [token.content, token]));
    // Longest first: at one position the longest token that matches wins, as in Hugging Face's matcher.
    const contents = [...this.byContent.keys()].filter((content) => content.length > 0);
    contents.sort((a, b) => b.length - a.length);
    this.firstUnits = [...new Set(contents.map((content) => content[0]!))];
    this.byFirstUnit = new Map(
      this.firstUnits.map((unit) => [unit, contents.filter((content) => content[0] === unit)]),
    );
  }

  /** The first added-token string in `text`, if any (for the special-token-in-text check). */
  firstIn(text: string): string | undefined {
    const found = this.nextToken(text, 0, new Array<number>(this.firstUnits.length).fill(-2));
    return found === undefined ? undefined : this.matched;
  }

  /** The token string `nextToken` found last. */
  private matched = '';

  /**
   * Where the leftmost token at or after `from` starts (the longest there is left in `matched`),
   * or undefined. `nextUnit[k]` caches where first unit k next occurs (-2: not looked up, -1:
   * nowhere), so a text full of near misses is still scanned once per unit. No regex: no match
   * arrays to allocate.
   */
  private nextToken(text: string, from: number, nextUnit: number[]): number | undefined {
    for (let at = from; ;) {
      let start = -1;
      for (let k = 0; k < this.firstUnits.length; k++) {
        if (nextUnit[k] === -2 || (nextUnit[k]! >= 0 && nextUnit[k]! < at))
          nextUnit[k] = text.indexOf(this.firstUnits[k]!, at);
        const position = nextUnit[k]!;
        if (position >= 0 && (start === -1 || position < start)) start = position;
      }
      if (start === -1) return undefined;
      for (const content of this.byFirstUnit.get(text[start]!)!) {
        if (text.startsWith(content, start)) {
          this.matched = content;
          return start;
        }
      }
      at = start + 1;
    }
  }

  /**
   * Pieces of `text` in order. Text pieces exclude whitespace swallowed by a neighbouring token's
   * lstrip/rstrip and are never empty. A token whose first character lies in a `plainRanges`
   * range ([start, end) pairs, sorted) is read as plain text (`--allow-special-text`).
   */
  split(text: string, plainRanges?: ReadonlyArray<readonly [number, number]>): TextPiece[] {
    const pieces: TextPiece[] = [];
    const nextUnit = new Array<number>(this.firstUnits.length).fill(-2);
    let textStart = 0;
    let rangeIndex = 0;
    for (let from = 0; ;) {
      const start = this.nextToken(text, from, nextUnit);
      if (start === undefined) break;
      if (plainRanges !== undefined) {
        while (rangeIndex < plainRanges.length && plainRanges[rangeIndex]![1] <= start) rangeIndex++;
        const range = plainRanges[rangeIndex];
        if (range !== undefined && range[0] <= start) {
          from = start + 1;
          continue;
        }
      }
      const token = this.byContent.get(this.matched)!;
      let textEnd = start;
      if (token.lstrip)
        while (textEnd > textStart && isUnicodeWhitespace(text.charCodeAt(textEnd - 1))) textEnd--;
      if (textEnd > textStart) pieces.push({ start: textStart, end: textEnd, id: -1 });
      const end = start + this.matched.length;
      pieces.push({ start, end, id: token.id });
      textStart = end;
      if (token.rstrip)
        while (textStart < text.length && isUnicodeWhitespace(text.charCodeAt(textStart))) textStart++;
      from = textStart;
    }
    if (textStart < text.length) pieces.push({ start: textStart, end: text.length, id: -1 });
    return pieces;
  }
}
