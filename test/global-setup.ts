// CLI tests run dist/ as a user would: rebuild it first when any source file is newer, so a
// `npx vitest run` after an edit never tests stale code. (`npm test` builds just before, so
// this finds nothing to do there.)
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './helpers/shared.js';

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

function builtAt(): number {
  try {
    return statSync(join(repoRoot, 'dist/cli/main.js')).mtimeMs;
  } catch {
    return 0;
  }
}

export default function setup(): void {
  if (newestMtime(join(repoRoot, 'src')) <= builtAt()) return;
  console.warn('dist/ is older than src/: building it before the tests');
  // The same steps as `npm run build`: tsc, then the files made from dist/.
  const steps = [
    ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json'],
    ['scripts/build-tokenizer.mjs'],
    ['scripts/build-schemas.mjs'],
    ['scripts/build-chart-vendor.mjs'],
    ['scripts/build-cli-bundle.mjs'],
  ];
  for (const [script, ...args] of steps)
    execFileSync(process.execPath, [join(repoRoot, script!), ...args], { cwd: repoRoot, stdio: 'inherit' });
}
