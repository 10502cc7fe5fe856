// The CLI starts from its compiled bundle with V8's code cache (src/cli/compiled-bundle.ts): the
// cache is written on request, used when it matches the bundle, and never used with another
// bundle, even one of the same length (V8 itself would take it and run the old code).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/shared.js';

interface Started {
  printed: string[];
  started: { cacheUsed: boolean } | null;
}

function start(bundle: string, env: NodeJS.ProcessEnv = {}): Started {
  const run = spawnSync(
    process.execPath,
    ['--import', 'tsx', join(repoRoot, 'test/helpers/start-bundle.ts'), bundle],
    { cwd: repoRoot, env: { ...process.env, ...env }, encoding: 'utf8' },
  );
  expect(run.stderr).toBe('');
  const lines = run.stdout.trim().split('\n');
  return { printed: lines.slice(0, -1), started: JSON.parse(lines.at(-1)!) as Started['started'] };
}

/** A bundle as the build writes it: ASCII, in the CommonJS function wrapper. */
const bundleSource = (value: number) =>
  '(function (exports, require, module, __filename, __dirname) {' +
  `const add = (a, b) => a + b;\nconsole.log(String(add(${value}, 0)), typeof require, __filename.endsWith('.cjs'));\n})`;

describe('the compiled bundle and its code cache', () => {
  it('is written on request, then used; a changed bundle of the same length runs without it', () => {
    const bundle = join(mkdtempSync(join(tmpdir(), 'phikit-bundle-')), 'phikit.cjs');
    writeFileSync(bundle, bundleSource(41));
    expect(start(bundle, { PHIKIT_WRITE_CODE_CACHE: bundle })).toEqual({
      printed: ['41 function true'],
      started: { cacheUsed: false },
    });
    expect(existsSync(`${bundle}.cache`)).toBe(true);
    expect(start(bundle)).toEqual({ printed: ['41 function true'], started: { cacheUsed: true } });

    writeFileSync(bundle, bundleSource(42));
    expect(start(bundle)).toEqual({ printed: ['42 function true'], started: { cacheUsed: false } });
  });

  it('is absent when running from sources: the launcher then imports the modules', () => {
    const folder = mkdtempSync(join(tmpdir(), 'phikit-bundle-'));
    expect(start(join(folder, 'phikit.cjs')).started).toBeNull();
  });

  it('the build made an ASCII bundle and a cache that V8 takes, with the flags the CLI sets', () => {
    const bundle = join(repoRoot, 'dist/cli/phikit.cjs');
    // One non-ASCII character and V8 would hold the whole script as a two-byte string.
    expect(readFileSync(bundle, 'latin1').search(/[^\x00-\x7f]/)).toBe(-1);
    const cache = readFileSync(`${bundle}.cache`);
    expect(cache.length).toBeGreaterThan(100_000);
    // The bundle is the CLI: with no arguments it prints its usage (and exits 1 after this line).
    const run = spawnSync(
      process.execPath,
      ['--import', 'tsx', join(repoRoot, 'test/helpers/start-bundle.ts'), bundle],
      { cwd: repoRoot, encoding: 'utf8' },
    );
    expect(run.stdout.trim().split('\n').at(-1)).toBe('{"cacheUsed":true}');
  });
});
