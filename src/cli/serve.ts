// `phikit serve MODEL.gguf`: a local GGUF model as an OpenAI-compatible server until Ctrl-C.
import { readFile } from 'node:fs/promises';
import { InvalidArgumentError, type Command } from 'commander';
import { GgufModel } from '../gguf/model.js';
import { PhikitError } from '../core/errors.js';
import { serveModel } from '../serve/server.js';
import { normalizeOrigin } from '../serve/origin.js';
import { DEFAULT_HOST, DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_QUEUE, DEFAULT_PORT } from '../serve/server.js';
import { parseNonNegativeInteger, parsePositiveInteger } from './options.js';

interface ServeFlags {
  host: string;
  port: number;
  contextSize?: number;
  threads?: number;
  chatTemplate?: string;
  modelId?: string;
  maxQueue: number;
  maxBodyBytes: number;
  allowOrigin: string[];
}

export function register(program: Command): void {
  program
    .command('serve')
    .description(
      'serve a local GGUF model as an OpenAI-compatible endpoint (/v1/chat/completions, /v1/completions with echo + logprobs)',
    )
    .argument('<model>', 'a .gguf model file (node-llama-cpp, CPU)')
    .option('--port <port>', 'port to listen on (0 picks a free one)', parseNonNegativeInteger, DEFAULT_PORT)
    .option(
      '--host <host>',
      'interface to bind; anything but loopback exposes the model to your network, without authentication',
      DEFAULT_HOST,
    )
    .option(
      '--context-size <n>',
      "context window in tokens (default: the model's, at most 4096)",
      parsePositiveInteger,
    )
    .option(
      '--threads <n>',
      'CPU threads (default: 1 for models under 64 MiB, else the math cores)',
      parsePositiveInteger,
    )
    .option('--chat-template <file>', "a Jinja chat template file replacing the model's own")
    .option('--model-id <id>', 'model id clients see (default: the file name without .gguf)')
    .option(
      '--max-queue <n>',
      'requests that may wait besides the one answered; more get 503 with retry-after',
      parseNonNegativeInteger,
      DEFAULT_MAX_QUEUE,
    )
    .option(
      '--max-body-bytes <n>',
      'largest request body in bytes; a larger one gets 413',
      parsePositiveInteger,
      DEFAULT_MAX_BODY_BYTES,
    )
    .option(
      '--allow-origin <origin>',
      'let web pages on this origin (http://localhost:3000) call the server, with CORS headers (repeatable)',
      (value: string, previous: string[]) => [...previous, parseOrigin(value)],
      [] as string[],
    )
    .action(async (path: string, flags: ServeFlags) => {
      const chatTemplate =
        flags.chatTemplate === undefined ? undefined : await readTemplate(flags.chatTemplate);
      const model = await GgufModel.open(path, {
        contextSize: flags.contextSize,
        threads: flags.threads,
        chatTemplate,
      });
      const server = await serveModel(model, {
        host: flags.host,
        port: flags.port,
        modelId: flags.modelId,
        maxQueue: flags.maxQueue,
        maxBodyBytes: flags.maxBodyBytes,
        allowOrigins: flags.allowOrigin,
      });
      process.stderr.write(
        `phikit serve: ${flags.modelId ?? model.name} (context ${model.contextSize}, chat template ${model.chatWrapperName})\n` +
          `listening on ${server.baseUrl}\n`,
      );
      await new Promise<void>((resolve) => {
        const stop = (): void => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await server.close();
      await model.dispose();
    });
}

async function readTemplate(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new PhikitError(
      'INPUT_NOT_FOUND',
      `cannot read chat template ${path}`,
      'pass a Jinja template file',
      {
        cause: error,
      },
    );
  }
}

/** An --allow-origin value, or commander's usage error (exit 2) before the model is loaded. */
function parseOrigin(value: string): string {
  try {
    return normalizeOrigin(value);
  } catch (error) {
    const hint = error instanceof PhikitError && error.hint !== undefined ? ` (${error.hint})` : '';
    throw new InvalidArgumentError(`not an origin: "${value}"${hint}`);
  }
}
