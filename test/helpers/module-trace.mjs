// Preload (`node --import ./module-trace.mjs`): appends the file of every module the process
// loads to $PHIKIT_MODULE_TRACE, one per line: ES modules through a load hook, CommonJS ones
// (which Node 20's hooks do not see when required) from the require cache at exit.
import { appendFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';
import { pathToFileURL } from 'node:url';

const trace = process.env.PHIKIT_MODULE_TRACE;
if (trace) {
  register('./module-trace-hooks.mjs', import.meta.url);
  const require = createRequire(import.meta.url);
  process.on('exit', () => {
    const files = Object.keys(require.cache).map((file) => pathToFileURL(file).href);
    appendFileSync(trace, files.map((url) => `${url}\n`).join(''));
  });
}
