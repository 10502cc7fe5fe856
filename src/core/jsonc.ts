// jsonc-parser, loaded on first use: it explains a broken JSON line (stages/parse.ts) and reads
// config files (cli/config.ts). Required, not imported: it is CommonJS (UMD), and an ES module
// import of a CommonJS package costs a thread ~8 MB (Node's export lexer), a require 1.4 MB.
// The CLI's bundles hold the package's ES module build in place of this file
// (scripts/build-cli-bundle.mjs): compiled with the rest, not read from node_modules on first use.
import { createRequire } from 'node:module';
import type * as JsoncParser from 'jsonc-parser';

let jsonc: typeof JsoncParser | undefined;

export function loadJsonc(): typeof JsoncParser {
  return (jsonc ??= createRequire(import.meta.url)('jsonc-parser') as typeof JsoncParser);
}
