import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { repoRoot } from '../helpers/shared.js';
import { hasModels, modelsSkipMessage, storiesPath } from '../gguf/models.js';

describe.skipIf(!hasModels)('phikit serve (built CLI)', () => {
  it('serves until SIGTERM, then exits 0', async () => {
    const child = spawn(
      process.execPath,
      [join(repoRoot, 'dist/cli/main.js'), 'serve', storiesPath, '--port', '0'],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let stderr = '';
    const baseUrl = await new Promise<string>((resolve, reject) => {
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (chunk: string) => {
        stderr += chunk;
        const match = /listening on (\S+)/.exec(stderr);
        if (match) resolve(match[1]!);
      });
      child.once('exit', () => reject(new Error(`serve exited early: ${stderr}`)));
    });
    expect(stderr).toContain('stories260K (context 512, chat template Llama2Chat)');
    expect(baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    const models = (await (await fetch(`${baseUrl}/models`)).json()) as { data: Array<{ id: string }> };
    expect(models.data.map((entry) => entry.id)).toEqual(['stories260K']);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('a missing model file exits with the input code (3)', () => {
    const run = runCli(['serve', join(repoRoot, 'no-such-model.gguf'), '--port', '0']);
    expect([run.code, run.stderr]).toEqual([3, expect.stringContaining('GGUF model not found')]);
  });
});

if (!hasModels) describe.skip(modelsSkipMessage, () => {});
