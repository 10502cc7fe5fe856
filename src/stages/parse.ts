// Stage 1, parse: JSON.parse each line; a line that is not JSON becomes `invalid_json` with the
// parser's message, the column and a hint. Invalid UTF-8 was found by the reader and is rejected here.
// JSON nested deeper than MAX_JSON_DEPTH is `invalid_json` too: later stages recurse over records.
import type * as JsoncParser from 'jsonc-parser';
import type { Envelope, Rejection, Stage } from '../core/envelope.js';
import { loadJsonc } from '../core/jsonc.js';
import { MAX_JSON_DEPTH, nestingTooDeepAt } from '../io/json-depth.js';

const HINTS: Record<string, string> = {
  PropertyNameExpected: 'property names need double quotes, and JSON allows no trailing comma',
  ValueExpected: 'a value is missing here, or there is a trailing comma',
  CloseBraceExpected: 'the object ends early: JSONL needs each example whole on one line',
  CloseBracketExpected: 'the array ends early: JSONL needs each example whole on one line',
  CommaExpected: 'a comma is missing between two items',
  ColonExpected: 'a colon is missing after a property name',
  EndOfFileExpected: 'there is text after the JSON value: put one example per line',
  InvalidSymbol: 'strings need double quotes; the only literals are true, false and null',
  InvalidCharacter: 'a control character inside a string: escape it as \\n, \\t or \\u00XX',
  InvalidCommentToken: 'JSON has no comments',
  UnexpectedEndOfString: 'a string is not closed',
  InvalidEscapeCharacter: 'a backslash escape is not valid JSON (use \\\\ for a backslash)',
  InvalidUnicode: 'a \\u escape needs four hex digits',
};

export function explainInvalidJson(text: string, error: unknown): { message: string; column: number } {
  const { parse: parseTolerant, printParseErrorCode } = loadJsonc();
  // V8 sometimes quotes the whole input in its message: keep only its first clause.
  const v8Message = (error instanceof Error ? error.message : String(error))
    .replace(/, (?:\.\.\.)?".*"(?:\.\.\.)? is not valid JSON$/s, '')
    .replace(/ (?:in JSON )?at position \d+.*$/s, '');
  const errors: JsoncParser.ParseError[] = [];
  parseTolerant(text, errors, {
    disallowComments: true,
    allowTrailingComma: false,
    allowEmptyContent: false,
  });
  const first = errors[0];
  const column = (first?.offset ?? text.length) + 1;
  const hint = first ? HINTS[printParseErrorCode(first.error)] : undefined;
  return { message: `invalid JSON at column ${column}: ${v8Message}${hint ? `; ${hint}` : ''}`, column };
}

export function createParseStage(): Stage {
  return {
    name: 'parse',
    needs: [],
    provides: ['record'],
    run(batch: Envelope[]) {
      for (const envelope of batch) {
        if (envelope.rejection) continue;
        const tooDeepAt = nestingTooDeepAt(envelope.raw);
        if (tooDeepAt > 0) {
          envelope.rejection = tooDeep(tooDeepAt);
          continue;
        }
        try {
          envelope.record = JSON.parse(envelope.raw);
        } catch (error) {
          const { message, column } = explainInvalidJson(envelope.raw, error);
          envelope.rejection = { reason: 'invalid_json', message, detail: { column } };
        }
      }
    },
  };
}

/** The rejection of a record nested deeper than MAX_JSON_DEPTH (`column` 0 when unknown). */
export function tooDeep(column: number): Rejection {
  const where = column > 0 ? ` at column ${column}` : '';
  return {
    reason: 'invalid_json',
    message: `invalid JSON${where}: nesting too deep (over ${MAX_JSON_DEPTH} levels of [ and {); flatten the record`,
    detail: { ...(column > 0 ? { column } : {}), maxDepth: MAX_JSON_DEPTH },
  };
}
