// `npm run lint`'s import check: dependency-cruiser with .dependency-cruiser.cjs over src/.
// Runs dependency-cruiser through its API because its command line refuses Node 20 (engines ^22).
// Usage: node scripts/check-imports.mjs [folder...] (default src), run from the project root;
// the rules name paths from the current folder (`^src/core/`), so a test can cruise a planted tree.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { cruise } from 'dependency-cruiser';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';

const require = createRequire(import.meta.url);
const { forbidden, options } = require('../.dependency-cruiser.cjs');

const folders = process.argv.length > 2 ? process.argv.slice(2) : ['src'];
const tsConfigFile = resolve('tsconfig.json');
const hasTsConfig = existsSync(tsConfigFile);
const transpileOptions = hasTsConfig ? { tsConfig: extractTSConfig(tsConfigFile) } : {};

const result = await cruise(
  folders,
  {
    ...options,
    tsConfig: hasTsConfig ? options.tsConfig : undefined,
    validate: true,
    ruleSet: { forbidden },
    outputType: 'err',
  },
  undefined,
  transpileOptions,
);
// The `err` report lists each violation, or says there are none.
const report = String(result.output);
if (result.exitCode === 0) process.stdout.write(report);
else {
  process.stderr.write(report);
  process.exitCode = 1;
}
