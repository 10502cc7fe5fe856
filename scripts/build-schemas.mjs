// Build step: writes dist/schema/prebuilt/<schema>.<mode>.cjs, each schema in schemas/ compiled by
// Ajv into standalone code, so `phikit` neither loads nor runs Ajv's compiler on start
// (src/schema/registry.ts loads them; it compiles a schema itself when its file has changed since).
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import standaloneCode from 'ajv/dist/standalone/index.js';
import { sha256Hex } from '../dist/core/hash.js';
import { ajvOptions, PREBUILT_DIR_URL, prebuiltFileName, SCHEMAS_DIR_URL } from '../dist/schema/registry.js';

const require = createRequire(import.meta.url);
const RUNTIME_REQUIRE = /require\("(ajv\/dist\/runtime\/[\w-]+)"\)\.default/g;

/**
 * Ajv's standalone code requires its small runtime helpers (`ucs2length` for minLength): each is
 * inlined from its own source, so the validator needs no package at all.
 */
function inlineRuntime(code) {
  const helpers = new Map();
  const inlined = code.replace(RUNTIME_REQUIRE, (_, module) => {
    const name = `runtime_${module.split('/').pop().replace(/-/g, '_')}`;
    helpers.set(name, require(module).default.toString());
    return name;
  });
  if (/\brequire\(/.test(inlined))
    throw new Error(`standalone code still requires a module: ${inlined.match(/require\([^)]*\)/)[0]}`);
  return inlined.replace(
    '"use strict";',
    `"use strict";${[...helpers].map(([name, source]) => `const ${name} = ${source};`).join('')}`,
  );
}

const outDir = fileURLToPath(PREBUILT_DIR_URL);
mkdirSync(outDir, { recursive: true });
for (const name of readdirSync(SCHEMAS_DIR_URL).filter((file) => file.endsWith('.schema.json'))) {
  const text = readFileSync(new URL(name, SCHEMAS_DIR_URL), 'utf8');
  for (const mode of ['fast', 'explain']) {
    const ajv = new Ajv2020({ ...ajvOptions(mode), code: { source: true } });
    const code = inlineRuntime(standaloneCode(ajv, ajv.compile(JSON.parse(text))));
    const stamp = `\nmodule.exports.schemaSha256 = ${JSON.stringify(sha256Hex(text))};\n`;
    writeFileSync(new URL(prebuiltFileName(name, mode), PREBUILT_DIR_URL), code + stamp);
  }
}
