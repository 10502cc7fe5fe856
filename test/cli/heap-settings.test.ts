// The CLI's V8 heap settings (cli/heap-settings.ts): the young generation stays at its start size,
// and the old generation grows by a fixed factor, not V8's up to 4x. Starting worker threads puts
// V8's flags back to the command line's, which must not undo either (core/v8-flags.ts). Runs
// dist/ in a child process: the flags are process-wide.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/shared.js';

const distUrl = (path: string): string => pathToFileURL(join(repoRoot, 'dist', path)).href;

/**
 * Runs `workload` (script lines that leave a number of MB in `mb`) after starting a token pool,
 * with the CLI's settings, or with only `otherFlags` set.
 */
function measureMb(setup: { cli: true } | { otherFlags: string[] }, workload: string[]): number {
  const script = join(mkdtempSync(join(tmpdir(), 'phikit-heap-')), 'run.mjs');
  const flags = 'otherFlags' in setup ? setup.otherFlags : [];
  writeFileSync(
    script,
    [
      'cli' in setup ? `await import(${JSON.stringify(distUrl('cli/heap-settings.js'))});` : '',
      `const v8 = await import('node:v8');`,
      ...flags.map((flag) => `v8.setFlagsFromString(${JSON.stringify(flag)});`),
      `const { createTokenCountPool } = await import(${JSON.stringify(distUrl('tokenize/pool.js'))});`,
      `const pool = await createTokenCountPool({ tokenizer: undefined, allowSpecialText: false, threads: 2 });`,
      `const spaceMb = (name) => v8.getHeapSpaceStatistics().find((s) => s.space_name === name).space_size / 1048576;`,
      `let mb = 0;`,
      ...workload,
      `await pool.close();`,
      `console.log(mb);`,
    ].join('\n'),
  );
  const run = spawnSync(process.execPath, [script], { encoding: 'utf8', timeout: 60_000 });
  expect(run.stderr).toBe('');
  return Number(run.stdout.trim());
}

// Short-lived objects at a high rate: what makes V8 grow the young generation.
const churnYoung = [
  `let keep = [];`,
  `for (let i = 0; i < 3e6; i++) { keep.push({ i, s: 'x' + i }); if (keep.length > 50000) keep = []; }`,
  `mb = spaceMb('new_space');`,
];

// A live set, batches that outlive a few young collections and die (promoted garbage), and
// short-lived garbage at a high rate, as prep makes: V8 alone lets the old generation grow to
// several times the live set; the peak old space is the figure.
const churnOld = [
  `const live = Array.from({ length: 150000 }, (_, i) => ({ i, s: 'live ' + i }));`,
  `const batches = [];`,
  `for (let round = 0; round < 150; round++) {`,
  `  batches.push(Array.from({ length: 10000 }, (_, i) => ({ i, s: 'b' + i + ' ' + round })));`,
  `  if (batches.length > 3) batches.shift();`,
  `  let length = 0;`,
  `  for (let k = 0; k < 2e5; k++) length += ('x' + k).length;`,
  `  mb = Math.max(mb, spaceMb('old_space') + (length > 0 && live.length > 0 ? 0 : 1));`,
  `}`,
];

describe('the V8 heap of the CLI', () => {
  // It may grow a step or two while the workers start (the flag is reset until they are ready);
  // V8's default is 32 MB, which is what the run measures when the pool does not set it again.
  it('keeps the young generation small after worker threads start', () => {
    expect(measureMb({ cli: true }, churnYoung)).toBeLessThanOrEqual(8);
  });

  it("grows the young generation to V8's default without the setting (the measurement above can fail)", () => {
    expect(measureMb({ otherFlags: [] }, churnYoung)).toBeGreaterThanOrEqual(16);
  });

  // Live set ~15 MB: 2x plus a step is ~33-37 MB; V8's own choice reached 56-100 MB here.
  it('lets the old generation grow to about twice its live size, after worker threads start', () => {
    expect(measureMb({ cli: true }, churnOld)).toBeLessThanOrEqual(48);
  });

  // The control: without the setting the figure breaks the bound above. V8's growth lands on one of
  // a few steps (56 or 84 MB in runs of this script with the prebuilt encoder tables off the heap),
  // so the control asks for the bound itself, not for a step.
  it("lets the old generation grow more with V8's own growth factor (the measurement above can fail)", () => {
    expect(measureMb({ otherFlags: ['--semi-space-growth-factor=1'] }, churnOld)).toBeGreaterThan(48);
  });
});
