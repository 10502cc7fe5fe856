// Requests Azure AI model inference (serverless) accepts: the extra-parameters header for logprobs,
// the fallback when an endpoint refuses them, and --system-as-user. A loopback server stands in for
// Azure, so only --provider azure-ai-inference marks it as such.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { systemAsUser } from '../../src/eval/openai-endpoint.js';
import { evaluate } from '../../src/eval/run.js';
import type { ChatMessage } from '../../src/core/example.js';
import { runCliAsync } from '../helpers/cli.js';
import { evalAnswers, fixture } from '../helpers/fixtures.js';
import { startFakeOpenAi, type FakeServer } from '../helpers/openai-server.js';

const ANSWERS = evalAnswers();
const tempDir = () => mkdtempSync(join(tmpdir(), 'phikit-azure-'));

let servers: FakeServer[] = [];
afterEach(async () => {
  for (const server of servers) await server.close();
  servers = [];
});
async function azureLike(): Promise<FakeServer> {
  const server = await startFakeOpenAi({
    answer: (q) => ANSWERS[q] ?? '',
    completions: false,
    refuseExtraParameters: true,
  });
  servers.push(server);
  return server;
}

const chatRequests = (server: FakeServer) => server.requests.filter((r) => r.path === '/v1/chat/completions');

describe('Azure AI model inference endpoints', () => {
  it('--provider azure-ai-inference sends extra-parameters: pass-through with logprobs, and gets own-output perplexity', async () => {
    const server = await azureLike();
    const out = tempDir();
    const run = await runCliAsync([
      'eval',
      fixture('eval-examples.jsonl'),
      '-e',
      `phi=${server.url}`,
      '-o',
      out,
      '--provider',
      'azure-ai-inference',
      '--limit',
      '3',
      '-q',
    ]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const withLogprobs = chatRequests(server).filter((r) => r.body.logprobs === true);
    expect(withLogprobs.length).toBe(4); // the probe and 3 examples
    expect(withLogprobs.map((r) => r.extraParameters)).toEqual(Array(4).fill('pass-through'));
    const metrics = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8')) as {
      endpoints: Array<{ overall: { perplexity: { kind: string; value: number | null } } }>;
      endpointNotes: Record<string, string[]>;
    };
    expect(metrics.endpoints[0]!.overall.perplexity.kind).toBe('own-output');
    expect(metrics.endpointNotes.phi).toEqual([
      'Azure AI serverless Phi models turn system messages into user messages, so this deployment saw the system prompt as user text; --system-as-user sends prompts that way',
    ]);
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain(
      'Azure AI serverless Phi models turn system messages into user messages',
    );
  });

  it('without the flag, the refused probe falls back and own-output perplexity is unavailable, with the reason', async () => {
    const server = await azureLike();
    const out = tempDir();
    const result = await evaluate(fixture('eval-examples.jsonl'), {
      out,
      endpoints: [{ name: 'proxy', url: server.url }],
      limit: 3,
      retryBaseDelayMs: 1,
    });
    expect(result.counts.errors).toBe(0);
    expect(result.perplexityKinds).toEqual({ proxy: 'none' });
    // The refused probe, the probe again without logprobs, then the examples without logprobs.
    expect(chatRequests(server).map((r) => r.body.logprobs === true)).toEqual([
      true,
      false,
      false,
      false,
      false,
    ]);
    const reason = result.metrics.endpointNotes.proxy![0]!;
    expect(reason).toMatch(
      /^own-output perplexity unavailable: the endpoint refused logprobs \(HTTP 400: Extra parameters \['logprobs'\] are not allowed .*\); it answers without them\. Azure AI model inference takes logprobs only with the header extra-parameters: pass-through/,
    );
    expect(result.metrics.endpointNotes.proxy).toHaveLength(1);
    const metricsJson = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8')) as {
      endpointNotes: Record<string, string[]>;
    };
    expect(metricsJson.endpointNotes.proxy).toEqual([reason]);
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain('own-output perplexity unavailable');
  });

  it('--system-as-user sends no system role: the system text opens the first user message', async () => {
    const server = await azureLike();
    const out = tempDir();
    const run = await runCliAsync([
      'eval',
      fixture('eval-examples.jsonl'),
      '-e',
      `phi=${server.url}`,
      '-o',
      out,
      '--provider',
      'azure-ai-inference',
      '--system-as-user',
      '--limit',
      '3',
      '-q',
    ]);
    expect(run.code).toBe(0);
    const examples = chatRequests(server).slice(1);
    expect(examples).toHaveLength(3);
    const roles = examples.flatMap((r) => (r.body.messages as ChatMessage[]).map((m) => m.role));
    expect(roles).not.toContain('system');
    // The example requests run at once: found by content, not by arrival.
    const firstMessages = examples.map((r) => (r.body.messages as ChatMessage[])[0]);
    expect(firstMessages).toContainEqual({
      role: 'user',
      content: 'Answer with one word.\n\nWhat is the capital of France?',
    });
    expect(run.stdout).toContain('--system-as-user: system text merged into the first user message');
  });
});

describe('systemAsUser', () => {
  it('merges every system message, in order, into the first user message with blank lines', () => {
    expect(
      systemAsUser([
        { role: 'system', content: 'Be brief.' },
        { role: 'system', content: '简体中文。' },
        { role: 'user', content: 'Hi 😀' },
        { role: 'assistant', content: 'Hello.' },
        { role: 'user', content: 'Again' },
      ]),
    ).toEqual([
      { role: 'user', content: 'Be brief.\n\n简体中文。\n\nHi 😀' },
      { role: 'assistant', content: 'Hello.' },
      { role: 'user', content: 'Again' },
    ]);
    expect(systemAsUser([{ role: 'system', content: 'Only this.' }])).toEqual([
      { role: 'user', content: 'Only this.' },
    ]);
    const plain: ChatMessage[] = [{ role: 'user', content: 'Hi' }];
    expect(systemAsUser(plain)).toEqual(plain);
  });
});
