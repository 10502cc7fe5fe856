// Starts the CLI from its compiled bundle (dist/cli/phikit.cjs, made by
// scripts/build-cli-bundle.mjs) with V8's code cache of it, which the build writes after a sample
// prep: Node 20 has no compile cache of its own, and compiling the CLI's ~300 modules was about a
// quarter of a small prep's time (bench/README.md). V8 checks a cache's version and flags but
// only the length of the source, so the cache starts with the sha256 of the bundle it was made
// from and is used with that bundle only; without it V8 compiles as usual.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';

/** Set by the build to the bundle's path: the run writes the cache of what it compiled on exit. */
const WRITE_CACHE_ENV = 'PHIKIT_WRITE_CODE_CACHE';
const DIGEST_BYTES = 32;

export interface BundleStart {
  /** V8 took the cache: the code it holds was not compiled again. */
  cacheUsed: boolean;
}

/** Runs the bundle at `bundleUrl`; undefined when there is none (running from src/) or it cannot be read. */
export function startCompiledBundle(bundleUrl: URL): BundleStart | undefined {
  const file = fileURLToPath(bundleUrl);
  const bytes = readIfPresent(file);
  if (bytes === undefined) return undefined;
  // The bytes, not the string: hashing a string copies it to bytes first (2.4 MB of fresh memory).
  const digest = createHash('sha256').update(bytes).digest();
  // ASCII, in the function wrapper (the build writes it so): read as one string outside V8's heap.
  const source = bytes.toString('latin1');
  const cachedData = cacheFor(`${file}.cache`, digest);
  const script = new Script(source, { filename: file, cachedData });
  if (process.env[WRITE_CACHE_ENV] === file)
    process.once('exit', () =>
      writeFileSync(`${file}.cache`, Buffer.concat([digest, script.createCachedData()])),
    );
  const run = script.runInThisContext() as (...args: unknown[]) => void;
  const module = { exports: {} };
  run.call(module.exports, module.exports, createRequire(file), module, file, dirname(file));
  return { cacheUsed: cachedData !== undefined && !script.cachedDataRejected };
}

/** The V8 data of the cache file, if it was made from the source with this digest. */
function cacheFor(path: string, digest: Buffer): Buffer | undefined {
  const cache = readIfPresent(path);
  if (!cache || !cache.subarray(0, DIGEST_BYTES).equals(digest)) return undefined;
  return cache.subarray(DIGEST_BYTES);
}

/** The file's bytes; undefined when it cannot be read (absent, or unreadable: the modules still work). */
function readIfPresent(path: string): Buffer | undefined {
  try {
    return readFileSync(path);
  } catch {
    return undefined;
  }
}
