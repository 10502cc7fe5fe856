// A real HTTP server on 127.0.0.1 that speaks enough of the OpenAI protocol for phikit eval:
// chat completions (with logprobs), completions with echo + logprobs (prompt logprobs, as vLLM),
// and injected faults: 429 with retry-after, 500s, slow answers and dropped connections.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Fault =
  | { kind: '429'; retryAfter: string }
  | { kind: '500' }
  | { kind: 'slow'; ms: number }
  | { kind: 'drop' }
  | { kind: '400' };

export interface FakeModelOptions {
  /** The answer to the last user message; default: echo it. */
  answer?: (lastUser: string) => string;
  /** Faults for chat requests, consumed in order (one per request). */
  faults?: Fault[];
  /** Delay every chat answer by this many ms. */
  delayMs?: number;
  /** Serve /v1/completions with echo (reference perplexity); default true. */
  completions?: boolean;
  /** Return logprobs on chat completions when asked; default true. */
  chatLogprobs?: boolean;
  /** Every prompt token of an echo gets this logprob. */
  tokenLogprob?: number;
  /** As Azure AI model inference: 400 for logprobs/top_logprobs without `extra-parameters: pass-through`. */
  refuseExtraParameters?: boolean;
}

export interface FakeServer {
  url: string;
  /** Chat requests per user message, and all requests in order. */
  chatRequests: Map<string, number>;
  requests: Array<{
    path: string;
    body: Record<string, unknown>;
    authorization?: string;
    extraParameters?: string;
  }>;
  close(): Promise<void>;
}

export async function startFakeOpenAi(options: FakeModelOptions = {}): Promise<FakeServer> {
  const faults = [...(options.faults ?? [])];
  const chatRequests = new Map<string, number>();
  const requests: FakeServer['requests'] = [];
  const answer = options.answer ?? ((text: string) => text);
  const logprob = options.tokenLogprob ?? -1;

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let raw = '';
    req.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
    req.on('end', () => {
      const body = (raw ? JSON.parse(raw) : {}) as Record<string, unknown>;
      const extraParameters = req.headers['extra-parameters'] as string | undefined;
      requests.push({ path: req.url ?? '', body, authorization: req.headers.authorization, extraParameters });
      const send = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify(payload));
      };
      const extra = ['logprobs', 'top_logprobs'].filter((key) => key in body);
      if (options.refuseExtraParameters && extra.length > 0 && extraParameters !== 'pass-through') {
        const names = extra.map((key) => `'${key}'`).join(', ');
        const message = `Extra parameters [${names}] are not allowed when extra-parameters is not set or set to be 'error'. Set extra-parameters to 'pass-through' to pass to the model.`;
        return send(400, { error: { code: 'Invalid input', message, status: 400 } });
      }
      if (req.url === '/v1/chat/completions') {
        const messages = body.messages as Array<{ role: string; content: string }>;
        const lastUser = [...messages].reverse().find((m) => m.role === 'user')?.content ?? '';
        chatRequests.set(lastUser, (chatRequests.get(lastUser) ?? 0) + 1);
        const fault = faults.shift();
        if (fault?.kind === '429')
          return send(429, { error: { message: 'slow down' } }, { 'retry-after': fault.retryAfter });
        if (fault?.kind === '500') return send(500, { error: { message: 'boom' } });
        if (fault?.kind === '400') return send(400, { error: { message: 'bad request' } });
        if (fault?.kind === 'drop') return req.socket.destroy();
        const text = answer(lastUser);
        const tokens = text.split(/(?<= )/);
        const reply = () =>
          send(200, {
            id: 'chatcmpl-test',
            object: 'chat.completion',
            choices: [
              {
                index: 0,
                message: { role: 'assistant', content: text },
                finish_reason: 'stop',
                logprobs:
                  body.logprobs && options.chatLogprobs !== false
                    ? {
                        content: tokens.map((token) => ({
                          token,
                          logprob: logprob / 2,
                          bytes: [],
                          top_logprobs: [],
                        })),
                      }
                    : null,
              },
            ],
            usage: { prompt_tokens: 10, completion_tokens: tokens.length, total_tokens: 10 + tokens.length },
          });
        const delay = (fault?.kind === 'slow' ? fault.ms : 0) + (options.delayMs ?? 0);
        if (delay > 0) setTimeout(reply, delay);
        else reply();
        return;
      }
      if (req.url === '/v1/completions' && options.completions !== false) {
        const prompt = String(body.prompt);
        // Tokens: runs of whitespace, <|special|> markers, and words; offsets into the prompt.
        const tokens: string[] = [];
        const offsets: number[] = [];
        const pattern = /\s+|<\|[^|]*\|>|[^\s<]+|</g;
        for (let match = pattern.exec(prompt); match; match = pattern.exec(prompt)) {
          tokens.push(match[0]);
          offsets.push(match.index);
        }
        return send(200, {
          choices: [
            {
              text: body.echo ? prompt : '',
              logprobs: {
                tokens,
                text_offset: offsets,
                token_logprobs: tokens.map((_, i) => (i === 0 ? null : logprob)),
              },
            },
          ],
        });
      }
      send(404, { error: { message: `no route ${req.url}` } });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    chatRequests,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
