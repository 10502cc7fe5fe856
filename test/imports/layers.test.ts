// The import rules of .dependency-cruiser.cjs as `npm run lint` runs them: src/ is clean, and an import
// that breaks a rule, planted in a small tree of its own, fails the check with the rule's name.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const checkImports = join(root, 'scripts/check-imports.mjs');
const folder = mkdtempSync(join(tmpdir(), 'phikit-imports-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

function runCheck(cwd: string) {
  const run = spawnSync(process.execPath, [checkImports], { cwd, encoding: 'utf8' });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** A tree of modules `{ 'src/core/a.ts': ['../cli/b.js'] }`: each file imports the listed paths. */
function plantTree(name: string, modules: Record<string, string[]>): string {
  const tree = join(folder, name);
  for (const [path, imports] of Object.entries(modules)) {
    mkdirSync(dirname(join(tree, path)), { recursive: true });
    const lines = imports.map((target, i) => `import { value as v${i} } from '${target}';`);
    writeFileSync(join(tree, path), [...lines, `export const value = ${imports.length};`, ''].join('\n'));
  }
  return tree;
}

describe('import rules', () => {
  it('src has no upward or sideways imports and no cycles', () => {
    const run = runCheck(root);
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain('no dependency violations found');
    expect(run.code).toBe(0);
  });

  it('an import from core into cli fails the check', () => {
    const tree = plantTree('upward', {
      'src/core/errors.ts': ['../cli/exit-codes.js'],
      'src/cli/exit-codes.ts': [],
      'src/cli/main.ts': ['./exit-codes.js', '../core/errors.js'],
    });
    const run = runCheck(tree);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('error no-upward-from-core: src/core/errors.ts → src/cli/exit-codes.ts');
    expect(run.stderr).toContain('error nothing-imports-cli: src/core/errors.ts → src/cli/exit-codes.ts');
  });

  it('a cycle between two backends fails the check, also through a sideways import', () => {
    const tree = plantTree('cycle', {
      'src/eval/endpoint.ts': ['../gguf/endpoint.js'],
      'src/gguf/endpoint.ts': ['../eval/endpoint.js'],
      'src/serve/server.ts': ['../eval/endpoint.js'],
    });
    const run = runCheck(tree);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /error no-circular: src\/eval\/endpoint\.ts →\s+src\/gguf\/endpoint\.ts →\s+src\/eval\/endpoint\.ts/,
    );
    expect(run.stderr).toContain('error no-upward-from-gguf: src/gguf/endpoint.ts → src/eval/endpoint.ts');
    expect(run.stderr).toContain('error no-sideways-from-serve: src/serve/server.ts → src/eval/endpoint.ts');
  });
});
