// `phikit serve MODEL.gguf`: a local GGUF model as an OpenAI-compatible server until Ctrl-C.
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { PhikitError } from '../core/errors.js';
import { GgufModel } from '../gguf/model.js';
import { DEFAULT_HOST, DEFAULT_PORT, serveModel } from '../serve/server.js';
import { parseNonNegativeInteger, parsePositiveInteger } from './options.js';

interface ServeFlags {
  host: string;
  port: number;
  contextSize?: number;
  threads?: number;
  chatTemplate?: string;
  modelId?: string;
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
    .action(async (path: string, flags: ServeFlags) => {
      const chatTemplate =
        flags.chatTemplate === undefined ? undefined : await readTemplate(flags.chatTemplate);
      const model = await GgufModel.open(path, {
        contextSize: flags.contextSize,
        threads: flags.threads,
        chatTemplate,
      });
      const server = await serveModel(model, { host: flags.host, port: flags.port, modelId: flags.modelId });
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
