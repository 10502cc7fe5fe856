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
  private readonly pattern: RegExp | undefined;
  private readonly byContent: Map<string, AddedTokenSpec>;
  /** The tokens' distinct first code units: text holding none of them holds no token. */
  private readonly firstUnits: readonly string[];

  constructor(tokens: readonly AddedTokenSpec[]) {
    this.tokens = tokens;
    this.byContent = new Map(tokens.map((token) => [token.content, token]));
    // Longest first: at one position the regex takes the first alternative that matches.
    const contents = [...this.byContent.keys()].filter((content) => content.length > 0);
    contents.sort((a, b) => b.length - a.length);
    this.firstUnits = [...new Set(contents.map((content) => content[0]!))];
    this.pattern =
      contents.length === 0
        ? undefined
        : new RegExp(
            contents.map((content) => content.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'),
            'g',
          );
  }

  /** The first added-token string in `text`, if any (for the special-token-in-text check). */
  firstIn(text: string): string | undefined {
    if (this.pattern === undefined) return undefined;
    // Most message text holds no "<" at all (every Phi token starts with one): no regex then.
    if (!this.firstUnits.some((unit) => text.includes(unit))) return undefined;
    this.pattern.lastIndex = 0;
    const match = this.pattern.exec(text);
    return match === null ? undefined : match[0];
  }

  /**
   * Pieces of `text` in order. Text pieces exclude whitespace swallowed by a neighbouring token's
   * lstrip/rstrip and are never empty. A token whose first character lies in a `plainRanges`
   * range ([start, end) pairs, sorted) is read as plain text (`--allow-special-text`).
   */
  split(text: string, plainRanges?: ReadonlyArray<readonly [number, number]>): TextPiece[] {
    const pieces: TextPiece[] = [];
    if (this.pattern === undefined) {
      if (text.length > 0) pieces.push({ start: 0, end: text.length, id: -1 });
      return pieces;
    }
    let textStart = 0;
    let rangeIndex = 0;
    const pattern = this.pattern;
    pattern.lastIndex = 0;
    for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
      const start = match.index;
      if (plainRanges !== undefined) {
        while (rangeIndex < plainRanges.length && plainRanges[rangeIndex]![1] <= start) rangeIndex++;
        const range = plainRanges[rangeIndex];
        if (range !== undefined && range[0] <= start) {
          pattern.lastIndex = start + 1;
          continue;
        }
      }
      const token = this.byContent.get(match[0])!;
      let textEnd = start;
      if (token.lstrip)
        while (textEnd > textStart && isUnicodeWhitespace(text.charCodeAt(textEnd - 1))) textEnd--;
      if (textEnd > textStart) pieces.push({ start: textStart, end: textEnd, id: -1 });
      const end = start + match[0].length;
      pieces.push({ start, end, id: token.id });
      textStart = end;
      if (token.rstrip)
        while (textStart < text.length && isUnicodeWhitespace(text.charCodeAt(textStart))) textStart++;
      pattern.lastIndex = textStart;
    }
    if (textStart < text.length) pieces.push({ start: textStart, end: text.length, id: -1 });
    return pieces;
  }
}
