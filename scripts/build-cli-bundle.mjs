// Build step: bundles the CLI (dist/cli/run.js and all it imports, the chart stack included) into
// dist/cli/phikit.cjs, one CommonJS script that the launcher (dist/cli/main.js) compiles with V8's
// code cache, then runs a prep of the bundled sample that writes the cache
// (src/cli/compiled-bundle.ts). Packages loaded through importModule stay outside. Also makes the
// launcher executable: `npx phikit` in this folder runs it directly, and tsc writes it 0644.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const bundle = join(root, 'dist/cli/phikit.cjs');
chmodSync(join(root, 'dist/cli/main.js'), 0o755);
rmSync(`${bundle}.cache`, { force: true });
await build({
  entryPoints: [join(root, 'dist/cli/run.js')],
  outfile: bundle,
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  // Loaded at run time: Ajv only compiles a schema changed since the build; jsonc-parser is UMD,
  // whose requires esbuild cannot follow (both are imported through importModule or a require).
  external: ['ajv', 'ajv/*', 'jsonc-parser'],
  define: { 'import.meta.url': '__phikitModuleUrl' },
  banner: {
    js: `"use strict";\nconst __phikitModuleUrl = require('node:url').pathToFileURL(__filename).href;`,
  },
  legalComments: 'eof',
  logLevel: 'warning',
});
// A relative require that esbuild could not follow (a UMD module's) would look beside the bundle.
const relativeRequire = /\brequire\d*\(\s*["']\.\.?\/[^"']*["']\)/.exec(readFileSync(bundle, 'utf8'));
if (relativeRequire) {
  console.error(`build-cli-bundle: ${relativeRequire[0]} left in the bundle: mark its package external`);
  process.exit(1);
}

const out = mkdtempSync(join(tmpdir(), 'phikit-code-cache-'));
try {
  const run = spawnSync(
    process.execPath,
    [
      join(root, 'dist/cli/main.js'),
      'prep',
      'fixtures/sample.jsonl',
      '--out',
      out,
      '--scenario-field',
      'scenario',
      '-q',
    ],
    { cwd: root, env: { ...process.env, PHIKIT_WRITE_CODE_CACHE: bundle }, encoding: 'utf8' },
  );
  if (run.status !== 0 || !existsSync(`${bundle}.cache`)) {
    console.error(`build-cli-bundle: the sample prep failed (exit ${run.status}):\n${run.stderr}`);
    process.exit(1);
  }
} finally {
  rmSync(out, { recursive: true, force: true });
}
