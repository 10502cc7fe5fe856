// isPlainChat may only say "valid" where chat.schema.json does: checked on random records built
// from the parts that decide it (roles, content kinds, message keys, weights, tools), in Ajv
// compiling the schema itself.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ajvOptions } from '../../src/schema/registry.js';
import { isPlainChat } from '../../src/schema/plain-chat.js';
import { repoRoot } from '../helpers/shared.js';

const schema = JSON.parse(readFileSync(join(repoRoot, 'schemas', 'chat.schema.json'), 'utf8')) as object;
const schemaAccepts = new Ajv2020(ajvOptions('fast')).compile(schema);

const role = fc.constantFrom('system', 'user', 'assistant', 'tool', 'function', 'developer', 'User', '', 1);
const content = fc.constantFrom('Hello', '你好 🙂', 'مرحبا', '', ' ', '\ud800', null, 42, ['x'], {
  text: 'x',
});
/** Any of the parts that decide validity, each key present or not. */
const oddMessage = fc.record(
  {
    role,
    content,
    name: fc.constantFrom('bob', '', 3),
    weight: fc.constantFrom(0, 1, 2, -0, 0.5, '1', null),
    tool_call_id: fc.constant('call_1'),
    extra: fc.constant('x'),
  },
  { requiredKeys: [] },
);
/** A turn as datasets write them, now and then with a weight or a name. */
const usualMessage = fc
  .tuple(
    fc.constantFrom('system', 'user', 'assistant', 'user', 'assistant'),
    fc.constantFrom('Hello', '你好 🙂', 'مرحبا', 'x', 'y', ''),
    fc.constantFrom({}, {}, {}, { weight: 0 }, { weight: 1 }, { name: 'bob' }),
  )
  .map(([r, c, extra]) => ({ role: r, content: c, ...extra }));
const message = fc.oneof({ arbitrary: usualMessage, weight: 6 }, { arbitrary: oddMessage, weight: 1 });
const messages = fc.oneof(
  { arbitrary: fc.array(message, { maxLength: 5 }), weight: 9 },
  { arbitrary: fc.constant('not a list'), weight: 1 },
);
const record = fc
  .tuple(
    messages,
    fc.constantFrom({}, {}, {}, { scenario: 'billing' }, { tools: [] }, { parallel_tool_calls: 'yes' }),
  )
  .map(([list, extra]) => ({ messages: list, ...extra }));

describe('isPlainChat', () => {
  it('property: says valid only where the chat schema does', () => {
    let plain = 0;
    fc.assert(
      fc.property(record, (value) => {
        if (!isPlainChat(value)) return;
        plain++;
        expect(schemaAccepts(value)).toBe(true);
      }),
      { numRuns: 20_000, seed: 11 },
    );
    // The property is not empty: a share of the random records is plain.
    expect(plain).toBeGreaterThan(300);
  });

  it('accepts the common shapes, so the schema validator is rarely asked', () => {
    const turn = (r: string, c: string, extra: object = {}) => ({ role: r, content: c, ...extra });
    expect(isPlainChat({ messages: [turn('user', 'Hi'), turn('assistant', 'Hello')] })).toBe(true);
    expect(
      isPlainChat({
        messages: [
          turn('system', 'Be brief.'),
          turn('user', '天气？'),
          turn('assistant', '晴 ☀️', { weight: 1 }),
        ],
        scenario: 'weather',
      }),
    ).toBe(true);
    // Left to the schema: tools, tool turns, a system turn later on, no user.
    expect(isPlainChat({ messages: [turn('user', 'a'), turn('assistant', 'b')], tools: [] })).toBe(false);
    expect(isPlainChat({ messages: [turn('user', 'a'), turn('system', 's'), turn('assistant', 'b')] })).toBe(
      false,
    );
    expect(isPlainChat({ messages: [turn('system', 's'), turn('assistant', 'b')] })).toBe(false);
  });
});
