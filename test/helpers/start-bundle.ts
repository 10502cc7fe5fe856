// Child process for test/cli/compiled-bundle.test.ts: starts the bundle named on the command line
// as the launcher does (its V8 flags first) and prints what startCompiledBundle returned.
import '../../src/cli/heap-settings.js';
import { pathToFileURL } from 'node:url';
import { startCompiledBundle } from '../../src/cli/compiled-bundle.js';

const started = startCompiledBundle(pathToFileURL(process.argv[2]!));
process.stdout.write(`${JSON.stringify(started ?? null)}\n`);
