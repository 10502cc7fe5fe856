// Build step: bundles the CLI (dist/cli/run.js and all it imports, the chart stack included) into
// dist/cli/phikit.cjs, one CommonJS script that the launcher (dist/cli/main.js) compiles with V8's
// code cache, then runs a prep of the bundled sample that writes the cache
// (src/cli/compiled-bundle.ts). Packages loaded through importModule stay outside. Also makes the
// launcher executable: `npx phikit` in this folder runs it directly, and tsc writes it 0644.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const bundle = join(root, 'dist/cli/phikit.cjs');
chmodSync(join(root, 'dist/cli/main.js'), 0o755);
rmSync(`${bundle}.cache`, { force: true });
await bundleOf('dist/cli/run.js', bundle);
// prep's front worker as a plain CommonJS file that core/worker-pool.ts starts in its module's
// place: a worker loading ~100 ES modules spent ~100 ms in Node's ES module loader before its first batch.
await bundleOf('dist/pipeline/front-worker.js', join(root, 'dist/pipeline/front-worker.cjs'));
const source = readFileSync(bundle, 'utf8');
// In the function wrapper Node's loader would add: the launcher compiles the file as it is.
writeFileSync(
  bundle,
  `(function (exports, require, module, __filename, __dirname) {${asciiOnly(source)}\n})`,
);

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

/**
 * esbuild leaves non-ASCII characters in regular expressions and template literals; one of them
 * makes V8 hold the whole 2.4 MB script as a two-byte string (ASCII loads as an external string).
 * A \uXXXX escape means the same there, unless a template's raw text is read (String.raw) or the
 * character was itself escaped: both stop the build.
 */
function asciiOnly(text) {
  if (text.includes('String.raw')) fail('String.raw in the bundle: its non-ASCII text cannot be escaped');
  const escaped = /\\[^\x00-\x7f]/.exec(text);
  if (escaped) fail(`an escaped non-ASCII character (${JSON.stringify(escaped[0])}) in the bundle`);
  return text.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

async function bundleOf(entry, outfile) {
  await build({
    entryPoints: [join(root, entry)],
    outfile,
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    // Loaded at run time: Ajv only compiles a schema changed since the build.
    external: ['ajv', 'ajv/*'],
    plugins: [jsoncFromEsm()],
    define: { 'import.meta.url': '__phikitModuleUrl' },
    banner: {
      js: `"use strict";\nconst __phikitModuleUrl = require('node:url').pathToFileURL(__filename).href;`,
    },
    legalComments: 'eof',
    logLevel: 'warning',
  });
  // A relative require that esbuild could not follow (a UMD module's) would look beside the bundle.
  const relativeRequire = /\brequire\d*\(\s*["']\.\.?\/[^"']*["']\)/.exec(readFileSync(outfile, 'utf8'));
  if (relativeRequire) fail(`${relativeRequire[0]} left in ${outfile}: mark its package external`);
}

/**
 * jsonc-parser's main file is UMD, whose requires esbuild cannot follow: the bundles hold its ES
 * module build in place of dist/core/jsonc.js, which requires the package from node_modules.
 */
function jsoncFromEsm() {
  return {
    name: 'jsonc-from-esm',
    setup(plugin) {
      plugin.onLoad({ filter: /[\\/]dist[\\/]core[\\/]jsonc\.js$/ }, () => ({
        contents: `import * as jsonc from 'jsonc-parser/lib/esm/main.js';\nexport const loadJsonc = () => jsonc;\n`,
        resolveDir: root,
      }));
    },
  };
}

function fail(message) {
  console.error(`build-cli-bundle: ${message}`);
  process.exit(1);
}
