// The API key never reaches a file or the terminal, even when a server echoes it in an error body
// (OpenAI's 401, gateways' HTML pages) or Node quotes it in a header error.
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PhikitError } from '../../src/core/errors.js';
import { evaluate } from '../../src/eval/run.js';
import { runCliAsync } from '../helpers/cli.js';
import { evalAnswers, fixture } from '../helpers/fixtures.js';
import { startFakeOpenAi, type FakeServer } from '../helpers/openai-server.js';

const SECRET = 'sk-phikit-LEAK-0123456789abcdefXYZ';

/** Every way a server can answer a bad key with the key in the body. */
function echoBody(route: string, req: IncomingMessage): { status: number; type: string; body: string } {
  const authorization = req.headers.authorization ?? '';
  const apiKey = String(req.headers['api-key'] ?? '');
  if (route === 'json401')
    return {
      status: 401,
      type: 'application/json',
      body: JSON.stringify({
        error: {
          message: `Incorrect API key provided: ${authorization.replace(/^Bearer /, '')}. You can find your API key at https://platform.openai.com/account/api-keys.`,
          type: 'invalid_request_error',
          code: 'invalid_api_key',
        },
      }),
    };
  if (route === 'text401')
    return { status: 401, type: 'text/plain', body: `Unauthorized. Authorization: ${authorization}` };
  if (route === 'html500') {
    // The key straddles character 200, where long bodies are cut: no half key may be left.
    const head =
      '<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1><p>';
    const padding = 'x'.repeat(190 - head.length - '</p><pre>Authorization: Bearer '.length);
    return {
      status: 500,
      type: 'text/html',
      body: `${head}${padding}</p><pre>Authorization: ${authorization}</pre></body></html>`,
    };
  }
  // Azure OpenAI style: the api-key header, echoed in a plain-text 500.
  return { status: 500, type: 'text/plain', body: `upstream failed; request headers: api-key: ${apiKey}` };
}

async function startEchoServer(): Promise<{ url: string; server: Server }> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    req.on('end', () => {
      const route = (req.url ?? '').split('/')[1] ?? '';
      const { status, type, body } = echoBody(route, req);
      res.writeHead(status, { 'content-type': type });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

describe('the API key stays out of every output', () => {
  let echo: { url: string; server: Server };
  let good: FakeServer;
  beforeAll(async () => {
    echo = await startEchoServer();
    const answers = evalAnswers();
    good = await startFakeOpenAi({ answer: (q) => answers[q] ?? '' });
  });
  afterAll(async () => {
    await good.close();
    echo.server.closeAllConnections();
    await new Promise((resolve) => echo.server.close(resolve));
  });

  it('redacts keys echoed in 401 and 500 bodies (JSON, text, HTML, api-key) from eval and compare', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'phikit-redact-'));
    const runDir = join(dir, 'run');
    const evalRun = await runCliAsync(
      [
        'eval',
        fixture('eval-examples.jsonl'),
        '-e',
        `good=${good.url}`,
        '-e',
        `json401=${echo.url}/json401/v1`,
        '-e',
        `text401=${echo.url}/text401/v1`,
        '-e',
        `html500=${echo.url}/html500/v1`,
        '-e',
        `azure=${echo.url}/azure/openai/deployments/phi3`,
        '-o',
        runDir,
        '--api-key-env',
        'PHIKIT_TEST_KEY',
        '--retries',
        '0',
        '--limit',
        '2',
        '-q',
      ],
      { env: { PHIKIT_TEST_KEY: SECRET } },
    );
    expect(evalRun.code).toBe(1);
    const compareRun = await runCliAsync(['compare', runDir, '-o', join(dir, 'cmp')]);
    expect(compareRun.code).toBe(0);

    const outputs = filesUnder(dir).sort();
    expect(outputs.map((path) => path.slice(dir.length + 1))).toEqual([
      'cmp/compare.html',
      'cmp/comparison.json',
      'run/metrics.json',
      'run/probes.json',
      'run/report.html',
      'run/results.csv',
      'run/results.jsonl',
    ]);
    const leaks = [evalRun.stdout, evalRun.stderr, compareRun.stdout, compareRun.stderr]
      .concat(outputs.map((path) => readFileSync(path, 'utf8')))
      .filter((text) => text.includes(SECRET.slice(0, 9)) || text.includes(SECRET.slice(-12)));
    expect(leaks).toEqual([]);

    // The errors were recorded, with the key replaced: the test above is not vacuous.
    const errors = readFileSync(join(runDir, 'results.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { endpoint: string; error: { message: string } | null })
      .filter((r) => r.error)
      .map((r) => [r.endpoint, r.error!.message]);
    expect(errors).toHaveLength(8);
    expect(Object.fromEntries(errors)).toEqual({
      json401: expect.stringContaining('Incorrect API key provided: [redacted]. You can find'),
      text401: 'HTTP 401: Unauthorized. Authorization: Bearer [redacted]',
      html500: expect.stringContaining('</p><pre>Authorization: Bearer [redac'),
      azure: 'HTTP 500: upstream failed; request headers: api-key: [redacted]',
    });
  });

  it('refuses a key with a newline before any request, exit 2, without printing it', async () => {
    const out = mkdtempSync(join(tmpdir(), 'phikit-redact-'));
    const key = `${SECRET}\nsecond-line`;
    const before = good.requests.length;
    const run = await runCliAsync(
      [
        'eval',
        fixture('eval-examples.jsonl'),
        '-e',
        `m=${good.url}`,
        '-o',
        out,
        '--api-key-env',
        'PHIKIT_TEST_KEY',
        '-q',
      ],
      { env: { PHIKIT_TEST_KEY: key } },
    );
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.split('\n')[0]).toBe(
      'phikit: environment variable PHIKIT_TEST_KEY holds a control character (e.g. a trailing newline), which no HTTP header may carry',
    );
    expect(run.stderr).not.toContain(SECRET);
    expect(run.stderr).not.toContain('second-line');
    expect(good.requests.length).toBe(before);
    for (const path of filesUnder(out)) expect(readFileSync(path, 'utf8')).not.toContain(SECRET);
  });

  it('evaluate() refuses a key with a control character as a usage error', async () => {
    const refused = await evaluate(fixture('eval-examples.jsonl'), {
      out: mkdtempSync(join(tmpdir(), 'phikit-redact-')),
      endpoints: [{ name: 'm', url: good.url }],
      apiKey: `${SECRET}\r\n`,
    }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(PhikitError);
    expect(refused).toMatchObject({
      code: 'USAGE',
      message: 'evaluate: options.apiKey contains a control character (e.g. a newline)',
    });
  });
});
