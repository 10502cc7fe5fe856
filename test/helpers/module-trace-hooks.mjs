// Load hook of module-trace.mjs: runs on Node's hooks thread.
import { appendFileSync } from 'node:fs';

export async function load(url, context, nextLoad) {
  if (process.env.PHIKIT_MODULE_TRACE) appendFileSync(process.env.PHIKIT_MODULE_TRACE, `${url}\n`);
  return nextLoad(url, context);
}
