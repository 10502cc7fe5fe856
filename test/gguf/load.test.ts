import { execFile } from 'node:child_process';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/shared.js';

const run = promisify(execFile);

describe('loading node-llama-cpp where it is not installed', () => {
  let dir: string | undefined;
  afterAll(async () => {
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('imports the GGUF modules without it; opening a model (any existing file) is DEPENDENCY_MISSING with a hint', async () => {
    // The real source files, copied outside the repo where no node_modules holds node-llama-cpp,
    // run by plain Node (through tsx) so module resolution is Node's own.
    dir = await mkdtemp(join(tmpdir(), 'phikit-no-llama-'));
    for (const file of [
      'gguf/load.ts',
      'gguf/model.ts',
      'gguf/detokenize.ts',
      'gguf/logprobs.ts',
      'gguf/sampling.ts',
      'core/errors.ts',
      'core/hash.ts',
      'core/example.ts',
      'core/import-module.ts',
    ]) {
      await cp(join(repoRoot, 'src', file), join(dir, file));
    }
    await writeFile(join(dir, 'package.json'), '{"type":"module"}');
    await writeFile(
      join(dir, 'main.ts'),
      `import { GgufModel } from './gguf/model.js';
const error = await GgufModel.open(${JSON.stringify(join(repoRoot, 'package.json'))}).catch((caught) => caught);
console.log(JSON.stringify({ name: error.name, code: error.code, message: error.message, hint: error.hint }));`,
    );
    const { stdout } = await run(
      process.execPath,
      [join(repoRoot, 'node_modules/tsx/dist/cli.mjs'), 'main.ts'],
      {
        cwd: dir,
      },
    );
    const error = JSON.parse(stdout) as Record<string, string>;
    expect(error).toMatchObject({ name: 'PhikitError', code: 'DEPENDENCY_MISSING' });
    expect(error.message).toContain('node-llama-cpp is needed for GGUF models');
    expect(error.hint).toContain('npm install node-llama-cpp@3');
  });
});
