// The CLI keeps V8's young generation at its start size (cli/young-generation.ts), and starting
// worker threads, which puts V8's flags back to the command line's, must not undo it
// (core/v8-flags.ts). Runs dist/ in a child process: the flag is process-wide.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/shared.js';

const distUrl = (path: string): string => pathToFileURL(join(repoRoot, 'dist', path)).href;

/** Young-generation size in MB after busy allocation, with or without the CLI's setting, once workers have started. */
function youngGenerationMb(withCliSetting: boolean): number {
  const script = join(mkdtempSync(join(tmpdir(), 'phikit-young-')), 'run.mjs');
  writeFileSync(
    script,
    [
      withCliSetting ? `await import(${JSON.stringify(distUrl('cli/young-generation.js'))});` : '',
      `const { createTokenCountPool } = await import(${JSON.stringify(distUrl('tokenize/pool.js'))});`,
      `const v8 = await import('node:v8');`,
      `const pool = await createTokenCountPool({ tokenizer: undefined, allowSpecialText: false, threads: 2 });`,
      // Short-lived objects at a high rate: what makes V8 grow the young generation.
      `let keep = [];`,
      `for (let i = 0; i < 3e6; i++) { keep.push({ i, s: 'x' + i }); if (keep.length > 50000) keep = []; }`,
      `const space = v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');`,
      `await pool.close();`,
      `console.log(space.space_size / 1048576);`,
    ].join('\n'),
  );
  const run = spawnSync(process.execPath, [script], { encoding: 'utf8', timeout: 60_000 });
  expect(run.stderr).toBe('');
  return Number(run.stdout.trim());
}

describe('the young generation of the CLI', () => {
  // It may grow a step or two while the workers start (the flag is reset until they are ready);
  // V8's default is 32 MB, which is what the run measures when the pool does not set it again.
  it('stays small after worker threads start', () => {
    expect(youngGenerationMb(true)).toBeLessThanOrEqual(8);
  });

  it("grows to V8's default without the setting (the measurement above can fail)", () => {
    expect(youngGenerationMb(false)).toBeGreaterThanOrEqual(16);
  });
});
