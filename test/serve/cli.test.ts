import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { repoRoot } from '../helpers/shared.js';
import { hasModels, modelsSkipMessage, storiesPath } from '../gguf/models.js';

/** Starts `phikit serve` and waits for the URL it prints. */
async function startServe(
  flags: string[],
): Promise<{ child: ChildProcess; baseUrl: string; stderr: string }> {
  const child = spawn(
    process.execPath,
    [join(repoRoot, 'dist/cli/main.js'), 'serve', storiesPath, '--port', '0', ...flags],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  const baseUrl = await new Promise<string>((resolve, reject) => {
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => {
      stderr += chunk;
      const match = /listening on (\S+)/.exec(stderr);
      if (match) resolve(match[1]!);
    });
    child.once('exit', () => reject(new Error(`serve exited early: ${stderr}`)));
  });
  return { child, baseUrl, stderr };
}

async function stop(child: ChildProcess): Promise<number | null> {
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  return exited;
}

describe.skipIf(!hasModels)('phikit serve (built CLI)', () => {
  it('serves until SIGTERM, then exits 0', async () => {
    const { child, baseUrl, stderr } = await startServe([]);
    expect(stderr).toContain('stories260K (context 512, chat template Llama2Chat)');
    expect(baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    const models = (await (await fetch(`${baseUrl}/models`)).json()) as { data: Array<{ id: string }> };
    expect(models.data.map((entry) => entry.id)).toEqual(['stories260K']);
    expect(await stop(child)).toBe(0);
  });

  it('passes --allow-origin, --max-body-bytes and --max-queue to the server', async () => {
    const { child, baseUrl } = await startServe([
      '--allow-origin',
      'http://localhost:3000',
      '--allow-origin',
      'https://tools.example.com',
      '--max-body-bytes',
      '100',
      '--max-queue',
      '0',
    ]);
    try {
      for (const origin of ['http://localhost:3000', 'https://tools.example.com']) {
        const models = await fetch(`${baseUrl}/models`, { headers: { origin } });
        expect([models.status, models.headers.get('access-control-allow-origin')]).toEqual([200, origin]);
      }
      const refused = await fetch(`${baseUrl}/models`, { headers: { origin: 'http://evil.example' } });
      expect(refused.status).toBe(403);
      const tooLarge = await fetch(`${baseUrl}/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ prompt: 'x'.repeat(200) }),
      });
      expect(tooLarge.status).toBe(413);
    } finally {
      expect(await stop(child)).toBe(0);
    }
  });

  it('a bad --allow-origin is a usage error (2)', () => {
    const run = runCli(['serve', storiesPath, '--port', '0', '--allow-origin', 'localhost:3000']);
    expect([run.code, run.stderr]).toEqual([2, expect.stringContaining('not an origin: "localhost:3000"')]);
  });

  it('a missing model file exits with the input code (3)', () => {
    const run = runCli(['serve', join(repoRoot, 'no-such-model.gguf'), '--port', '0']);
    expect([run.code, run.stderr]).toEqual([3, expect.stringContaining('GGUF model not found')]);
  });
});

if (!hasModels) describe.skip(modelsSkipMessage, () => {});
