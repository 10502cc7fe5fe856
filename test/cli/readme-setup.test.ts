// The README's set-up runs as written: its first command's `npx phikit prep …` (after the
// `npm install` that `npm test` has done) runs through npx, as a user types it, and writes the
// files the README lists. npx runs the package's own bin directly, so this also fails when the
// build leaves dist/cli/main.js without its executable bit (it once did, on every fresh clone).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/shared.js';

/** The first command of the README's "Set up (two commands)" block, split at `&&`. */
function setupCommands(): string[][] {
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
  const section = readme.split('\n## Set up (two commands)\n')[1]?.split('\n## ')[0];
  const first = section?.match(/```sh\n([^\n]*)\n/)?.[1];
  if (first === undefined)
    throw new Error('README.md has no "## Set up (two commands)" section with a sh block');
  return first.split('&&').map((command) => command.trim().split(/\s+/));
}

describe("the README's set-up", () => {
  it('its first command runs npx phikit prep on the sample, which writes what the README lists', () => {
    const [install, prep] = setupCommands();
    expect(install).toEqual(['npm', 'install']);
    expect(prep!.slice(0, 3)).toEqual(['npx', 'phikit', 'prep']);
    const out = join(mkdtempSync(join(tmpdir(), 'phikit-setup-')), 'sample');
    const args = prep!.slice(1).map((arg, i, all) => (all[i - 1] === '--out' ? out : arg));
    const npx = join(dirname(process.execPath), 'npx');
    const run = spawnSync(existsSync(npx) ? npx : 'npx', ['--offline', ...args], {
      cwd: repoRoot,
      encoding: 'utf8',
    });
    // npm may add notices of its own ("npm notice …"); nothing else may reach stderr.
    const stderr = run.stderr.split('\n').filter((line) => line !== '' && !line.startsWith('npm '));
    expect(stderr).toEqual([]);
    expect(run.status).toBe(0);
    for (const file of [
      'train.jsonl',
      'validation.jsonl',
      'rejected.jsonl',
      'index.jsonl',
      'manifest.json',
      'report.html',
    ])
      expect(existsSync(join(out, file)), file).toBe(true);
  });
});
