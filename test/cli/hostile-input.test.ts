// Hostile input files through the built CLI: a line nested too deep or too large is one rejection
// with its line number and the run ends normally; dataset text never reaches the terminal raw.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { chatLine, deepValidChatLine } from '../helpers/hostile.js';

const folder = mkdtempSync(join(tmpdir(), 'phikit-cli-hostile-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

function write(name: string, lines: string[]): string {
  const path = join(folder, name);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

function prepRejections(input: string, extra: string[] = []) {
  const out = join(folder, `out-${Math.random().toString(36).slice(2)}`);
  const run = runCli(['prep', input, '--out', out, '--quiet', '--no-tokens', ...extra]);
  const read = (name: string) => readFileSync(join(out, name), 'utf8').split('\n').filter(Boolean);
  const rejected =
    run.code === 0 ? read('rejected.jsonl').map((l) => JSON.parse(l) as Record<string, unknown>) : [];
  const kept = run.code === 0 ? read('train.jsonl').length + read('validation.jsonl').length : 0;
  return { run, rejected, kept };
}

describe('lines nested too deep', () => {
  const input = write('deep.jsonl', [
    chatLine('one'),
    '['.repeat(5000),
    chatLine('two'),
    deepValidChatLine(1000),
    chatLine('three'),
  ]);

  it('prep rejects them as invalid_json and writes the other lines', () => {
    const { run, rejected, kept } = prepRejections(input);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(rejected.map((r) => [r.line, r.reason])).toEqual([
      [2, 'invalid_json'],
      [4, 'invalid_json'],
    ]);
    expect(kept).toBe(3);
  });

  it('validate lists them with their line numbers and exits 1', () => {
    const run = runCli(['validate', input, '--quiet']);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('5 records (0 blank lines skipped): 3 valid, 2 invalid');
    expect(run.stdout).toContain('line 2: invalid JSON at column 257: nesting too deep (over 256 levels');
    expect(run.stdout).toContain('line 4: invalid JSON at column 307: nesting too deep (over 256 levels');
  });

  it('tokens skips them and counts the others', () => {
    const run = runCli(['tokens', input, '--threads', '1']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^2\t-\t-\tskipped: invalid JSON at column 257: nesting too deep/m);
    expect(run.stdout).toMatch(/^4\t-\t-\tskipped: invalid JSON at column 307: nesting too deep/m);
    expect(run.stdout).toContain('3 examples (2 lines skipped)');
  });
});

describe('a 40 MB line with --max-line-bytes 1000000', () => {
  const huge = chatLine('h'.repeat(40_000_000));
  const input = write('huge.jsonl', [chatLine('one'), huge, chatLine('two'), '', chatLine('three')]);
  const size = `line is ${Buffer.byteLength(huge).toLocaleString('en-US')} bytes, over --max-line-bytes 1,000,000; raw text not copied`;

  it('prep rejects it as too_large without its text and keeps the other lines', () => {
    const { run, rejected, kept } = prepRejections(input, ['--max-line-bytes', '1000000']);
    expect(run.code).toBe(0);
    expect(rejected).toEqual([
      {
        line: 2,
        reason: 'too_large',
        message: expect.stringContaining(size) as unknown,
        raw: '',
        detail: expect.objectContaining({
          bytes: Buffer.byteLength(huge),
          offset: chatLine('one').length + 1,
        }) as unknown,
      },
    ]);
    expect(kept).toBe(3);
  });

  it('validate and tokens report it on line 2 and number the lines after it right', () => {
    const validate = runCli(['validate', input, '--quiet', '--max-line-bytes', '1000000']);
    expect(validate.code).toBe(1);
    expect(validate.stdout).toContain(`line 2: ${size}`);
    expect(validate.stdout).toContain('4 records (1 blank lines skipped): 3 valid, 1 invalid');
    const tokens = runCli(['tokens', input, '--threads', '1', '--max-line-bytes', '1000000', '--json']);
    expect(tokens.code).toBe(0);
    const rows = tokens.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { line?: number; error?: string });
    expect(rows.slice(0, -1).map((r) => [r.line, r.error?.slice(0, size.length)])).toEqual([
      [1, undefined],
      [2, size],
      [3, undefined],
      [5, undefined],
    ]);
  });
});

describe('control characters from the data', () => {
  const red = '\u001b[31mred\u001b[0m';
  const title = '\u001b]0;title\u0007';
  const input = write('controls.jsonl', [
    JSON.stringify({
      messages: [
        { role: 'user', content: 'hello', [red]: 1 },
        { role: 'assistant', content: 'hi' },
      ],
    }),
    JSON.stringify({ messages: [{ role: title, content: title }] }),
    `{"messages": \u001b[2J${title}}`,
    JSON.stringify({
      messages: [
        { role: 'user', content: 'hey', 'new\nline\u009b2J': 2 },
        { role: 'assistant', content: 'hi' },
      ],
    }),
    JSON.stringify({
      scenario: `${red}\u202espoof`,
      messages: [
        { role: 'user', content: `hello ${title}` },
        { role: 'assistant', content: 'hi' },
      ],
    }),
    chatLine('fine'),
  ]);
  const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/u;
  const expectInert = (run: { stdout: string; stderr: string }) => {
    expect(run.stdout).not.toMatch(UNSAFE);
    expect(run.stderr).not.toMatch(UNSAFE);
  };

  it('validate shows key names and messages escaped, in text and JSON', () => {
    const run = runCli(['validate', input, '--quiet']);
    expect(run.code).toBe(1);
    expectInert(run);
    expect(run.stdout).toContain('unknown key "\\u001b[31mred\\u001b[0m"');
    expect(run.stdout).toContain('unknown key "new\\nline\\u009b2J"');
    expect(run.stdout).toContain('line 3: invalid JSON at column 14');
    const json = runCli(['validate', input, '--json']);
    expectInert(json);
    expect(JSON.stringify(JSON.parse(json.stdout))).toContain(JSON.stringify(red).slice(1, -1));
  });

  it('tokens and prep print nothing raw', () => {
    expectInert(runCli(['tokens', input, '--threads', '1']));
    expectInert(runCli(['tokens', input, '--threads', '1', '--json']));
    const out = join(folder, 'controls-out');
    const args = ['prep', input, '--out', out, '--no-tokens', '--scenario-field', 'scenario'];
    const prep = runCli([...args, '--min-per-scenario', '5']);
    expect(prep.code).toBe(0);
    expectInert(prep);
    expect(prep.stdout).toContain('\\u001b[31mred');
    expectInert(runCli([...args, '--json', '--quiet']));
  });
});
