import { describe, expect, it } from 'vitest';
import { checkChatExample } from '../../src/schema/chat.js';
import { toChat } from '../../src/formats/convert.js';
import { decideFormat } from '../../src/formats/detect.js';
import { scenarioOf } from '../../src/stages/validate.js';
import { problemsByLine } from '../helpers/fixtures.js';

describe('validate stage', () => {
  it('explains wrong roles, system turns, weights and non-object lines', async () => {
    expect(await problemsByLine('wrong-roles.jsonl')).toEqual({
      1: [
        'schema',
        'messages[1].role must be one of system, user, assistant, tool, function (got "bot") (and 1 more)',
      ],
      2: ['schema', 'messages[1].role: a system message may only come first'],
      3: ['schema', 'messages[1] is missing "tool_call_id"'],
      4: ['schema', 'the line must be a JSON object with a "messages" array (got an array)'],
      5: ['schema', 'messages[0].weight is only allowed on assistant messages'],
      6: ['schema', 'messages[1].weight must be 0 or 1 (got 2)'],
    });
  });

  it('explains null, number, empty and missing content (text parts are read)', async () => {
    expect(await problemsByLine('bad-content.jsonl')).toEqual({
      1: [
        'schema',
        'messages[0].content is null: only an assistant message with tool_calls may have no content',
      ],
      2: ['schema', 'messages[0].content must be a string (got 42)'],
      3: ['schema', 'messages[0].content is empty'],
      5: ['schema', 'messages[0] is missing "content"'],
    });
  });

  it('explains a missing assistant, a last turn from the user and a wrong root', async () => {
    expect(await problemsByLine('bad-structure.jsonl', 'messages')).toEqual({
      1: [
        'schema',
        'messages[1].role: the last message must be from the assistant (got "user") (and 1 more)',
      ],
      2: ['schema', 'messages[2].role: the last message must be from the assistant (got "user")'],
      3: [
        'schema',
        'messages[0].role: the last message must be from the assistant (got "user") (and 2 more)',
      ],
      4: [
        'schema',
        'missing "messages" and no known format: the record has "prompt", "completion"; map them with --fields user=KEY,assistant=KEY[,system=KEY] or pick --format',
      ],
      5: ['schema', 'messages must be an array (got "Hi")'],
    });
  });

  it('keeps every error of a line', () => {
    const check = checkChatExample({
      messages: [
        { role: 'user', content: 'a' },
        { role: 'bot', content: 5 },
      ],
    });
    expect(check).toEqual({
      ok: false,
      errors: [
        'messages[1].role must be one of system, user, assistant, tool, function (got "bot")',
        'messages[1].content must be a string (got 5)',
        'messages has no assistant message',
      ],
    });
  });

  it('says what an Alpaca record holds where text belongs (a list of labels, a missing field)', () => {
    expect(
      toChat({ instruction: 'Roles?', input: 'مقال', output: ['Deceiver', 'Corrupt'] }, 'alpaca'),
    ).toEqual({
      ok: false,
      error: 'output must be a string (Alpaca format; got an array)',
    });
    expect(toChat({ input: 'x', output: 'y' }, 'alpaca')).toEqual({
      ok: false,
      error: 'instruction must be a string (Alpaca format; missing)',
    });
  });

  it('names the fix for OpenAI\'s "developer" role', () => {
    const check = checkChatExample({
      messages: [
        { role: 'developer', content: 'أجب باختصار.' },
        { role: 'user', content: '2+2?' },
        { role: 'assistant', content: '4' },
      ],
    });
    expect(check).toEqual({
      ok: false,
      errors: [
        'messages[0].role must be one of system, user, assistant, tool, function (got "developer": OpenAI\'s name for the system role; rename it "system")',
      ],
    });
  });

  // MathMentorAI's formated-data.jsonl: system and user in messages, the answer in "response".
  it('names a top-level answer beside messages that end with the user, and moves nothing', () => {
    const record = {
      messages: [
        { role: 'system', content: 'Output JSON.' },
        { role: 'user', content: '1/3 还是 1/4？' },
      ],
      response: '{"is_correct": false}',
    };
    const check = checkChatExample(record);
    expect(check.ok).toBe(false);
    expect(!check.ok && check.errors[0]).toBe(
      'messages[1].role: the last message must be from the assistant (got "user"); the record\'s top-level "response" may be the answer: phikit reads answers only from messages, so add it as the last message {"role": "assistant", "content": …}',
    );
    const withoutAnswer = checkChatExample({ messages: record.messages, response: 42 });
    expect(!withoutAnswer.ok && withoutAnswer.errors[0]).toBe(
      'messages[1].role: the last message must be from the assistant (got "user")',
    );
  });

  it('converts ShareGPT, Alpaca and prompt/completion by the documented mapping', async () => {
    expect(
      toChat(
        {
          id: 'a',
          system: 'S',
          conversations: [
            { from: 'human', value: 'Q' },
            { from: 'gpt', value: 'A' },
          ],
        },
        'sharegpt',
      ),
    ).toEqual({
      ok: true,
      value: {
        id: 'a',
        messages: [
          { role: 'system', content: 'S' },
          { role: 'user', content: 'Q' },
          { role: 'assistant', content: 'A' },
        ],
      },
    });
    expect(
      toChat({ instruction: 'Do', input: 'this', output: 'done', history: [['h', 'i']] }, 'alpaca'),
    ).toEqual({
      ok: true,
      value: {
        messages: [
          { role: 'user', content: 'h' },
          { role: 'assistant', content: 'i' },
          { role: 'user', content: 'Do\n\nthis' },
          { role: 'assistant', content: 'done' },
        ],
      },
    });
    expect(toChat({ prompt: 'P', completion: 'C' }, 'prompt-completion')).toEqual({
      ok: true,
      value: {
        messages: [
          { role: 'user', content: 'P' },
          { role: 'assistant', content: 'C' },
        ],
      },
    });
    expect(await problemsByLine('sharegpt.jsonl', 'sharegpt')).toEqual({
      3: ['schema', 'conversations[1].value of a function_call needs a "name" (got an object)'],
    });
    expect(await problemsByLine('alpaca.jsonl', 'alpaca')).toEqual({
      3: ['schema', 'output must be a string (Alpaca format; got 5)'],
    });
    expect(await problemsByLine('prompt-completion.jsonl')).toEqual({
      3: ['schema', 'missing "completion" (prompt/completion format: assistant turn)'],
    });
  });

  it('auto-detects the format by majority of the first records and says so', () => {
    expect(decideFormat([{ conversations: [] }, { conversations: [] }, { messages: [] }])).toEqual({
      format: 'sharegpt',
      reason: 'auto: sharegpt (2 of the first 3 parseable records look like it)',
    });
    expect(decideFormat([1, 'x']).format).toBe('messages');
  });

  it('reads the scenario from a dotted path', () => {
    expect(scenarioOf({ metadata: { category: ' billing ' } }, ['metadata', 'category'])).toBe('billing');
    expect(scenarioOf({ metadata: {} }, ['metadata', 'category'])).toBe('unlabeled');
    expect(scenarioOf({ level: 3 }, ['level'])).toBe('3');
  });
});
