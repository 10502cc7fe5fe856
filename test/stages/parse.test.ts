import { describe, expect, it } from 'vitest';
import { MAX_JSON_DEPTH } from '../../src/io/json-depth.js';
import { validate } from '../../src/pipeline/validate.js';
import { problemsByLine } from '../helpers/fixtures.js';
import { chatLine, deepValidChatLine, nestedArrays, tempFile } from '../helpers/hostile.js';

describe('parse stage', () => {
  it('rejects each malformed line as invalid_json with the column and a hint', async () => {
    expect(await problemsByLine('malformed-json.jsonl')).toEqual({
      2: [
        'invalid_json',
        "invalid JSON at column 79: Unexpected token ']'; a value is missing here, or there is a trailing comma",
      ],
      3: [
        'invalid_json',
        "invalid JSON at column 2: Expected property name or '}'; strings need double quotes; the only literals are true, false and null",
      ],
      4: [
        'invalid_json',
        "invalid JSON at column 79: Expected ',' or '}' after property value; the object ends early: JSONL needs each example whole on one line",
      ],
      5: [
        'invalid_json',
        'invalid JSON at column 17: Unexpected non-whitespace character after JSON; there is text after the JSON value: put one example per line',
      ],
      6: [
        'invalid_json',
        "invalid JSON at column 1: Unexpected token 'h'; strings need double quotes; the only literals are true, false and null",
      ],
      7: ['invalid_json', 'invalid JSON at column 39: Unterminated string; a string is not closed'],
    });
  });

  it('rejects invalid UTF-8 lines as invalid_utf8, not as JSON errors', async () => {
    expect(await problemsByLine('invalid-utf8.jsonl')).toEqual({
      2: ['invalid_utf8', 'not valid UTF-8 (byte 0xe9 at column 43); re-save the file as UTF-8'],
      3: ['invalid_utf8', 'not valid UTF-8 (byte 0xc0 at column 40); re-save the file as UTF-8'],
    });
  });

  it('accepts a BOM, CRLF endings and blank lines', async () => {
    expect(await problemsByLine('bom-crlf.jsonl')).toEqual({});
    expect(await problemsByLine('blank-lines.jsonl')).toEqual({});
  });
});

describe('parse stage: messages', () => {
  it('does not echo the line text that V8 quotes in its message', async () => {
    const path = tempFile('echo.jsonl', `{"messages": \u001b[2J\u001b]0;title\u0007 and more text}\n`);
    expect((await validate(path)).problems.map((p) => p.message)).toEqual([
      "invalid JSON at column 14: Unexpected token '\u001b'; strings need double quotes; the only literals are true, false and null",
    ]);
  });
});

describe('parse stage: nesting depth', () => {
  const depthMessage = (column: number) =>
    `invalid JSON at column ${column}: nesting too deep (over ${MAX_JSON_DEPTH} levels of [ and {); flatten the record`;

  it('rejects malformed and valid JSON nested too deep as invalid_json, and keeps reading', async () => {
    const path = tempFile(
      'deep.jsonl',
      [
        chatLine('first'),
        '['.repeat(5000),
        chatLine('second'),
        `{"messages":${nestedArrays(1000)}}`,
        deepValidChatLine(1000),
        `{"a":"${'['.repeat(400)}", "b":${nestedArrays(5)}}`,
        chatLine('last'),
      ].join('\n'),
    );
    const result = await validate(path, { maxErrors: 100 });
    expect(result.problems.map((p) => [p.line, p.reason, p.message])).toEqual([
      [2, 'invalid_json', depthMessage(MAX_JSON_DEPTH + 1)],
      [4, 'invalid_json', depthMessage(12 + MAX_JSON_DEPTH)],
      [5, 'invalid_json', depthMessage(53 + MAX_JSON_DEPTH - 2)],
      [6, 'schema', expect.stringContaining('"messages"') as unknown],
    ]);
    expect(result).toMatchObject({ records: 7, valid: 3, invalid: 4 });
  });

  it('accepts nesting up to the limit', async () => {
    const path = tempFile('limit.jsonl', `{"messages":[],"x":${nestedArrays(MAX_JSON_DEPTH - 1)}}\n`);
    const [problem] = (await validate(path)).problems;
    expect(problem?.reason).toBe('schema');
  });
});
