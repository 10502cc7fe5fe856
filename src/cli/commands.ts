// Every subcommand, in the order `phikit --help` lists them. A run loads only the module of the
// command it runs (each module loads the library code it needs), so `phikit prep` does not load
// the eval stack and `--version` loads no library code. The others are listed as stubs from this
// table: add one row per command (test/cli/startup.test.ts checks the rows against the modules).
import { Help, type Command } from 'commander';

export interface CommandModule {
  register(program: Command): void;
}

export interface CommandEntry {
  name: string;
  /** As `phikit --help` shows it after the name. */
  usage: string;
  description: string;
  load: () => Promise<CommandModule>;
}

export const COMMANDS: readonly CommandEntry[] = [
  {
    name: 'prep',
    usage: '[options] [file]',
    description:
      'validate, clean, deduplicate and split a chat dataset into train.jsonl / validation.jsonl (/ test.jsonl)',
    load: () => import('./prep.js'),
  },
  {
    name: 'validate',
    usage: '[options] <file>',
    description: 'check every line against the chat fine-tuning format; exit 1 if any is invalid',
    load: () => import('./validate.js'),
  },
  {
    name: 'report',
    usage: '<dir>',
    description: 'rebuild report.html from the manifest.json and rejected.jsonl of a finished prep run',
    load: () => import('./report.js'),
  },
  {
    name: 'tokens',
    usage: '[options] <file>',
    description:
      'count tokens per example as the model sees them (chat template + tokenizer), then a summary',
    load: () => import('./tokens.js'),
  },
  {
    name: 'preflight',
    usage: '[options] <file>',
    description: 'check a JSONL file the way Azure AI Foundry will when it is uploaded for fine-tuning',
    load: () => import('./preflight.js'),
  },
  {
    name: 'eval',
    usage: '[options] [examples]',
    description: 'score OpenAI-compatible endpoints on held-out chat examples (EM, F1, accuracy, perplexity)',
    load: () => import('./eval.js'),
  },
  {
    name: 'rescore',
    usage: '[options] <run-dir>',
    description:
      "recompute an eval run's metrics with other scorers, from its results.jsonl (no endpoint asked)",
    load: () => import('./rescore.js'),
  },
  {
    name: 'compare',
    usage: '[options] <runs...>',
    description:
      'compare models evaluated on the same examples: paired differences with CIs, McNemar, disagreements',
    load: () => import('./compare.js'),
  },
  {
    name: 'serve',
    usage: '[options] <model>',
    description:
      'serve a local GGUF model as an OpenAI-compatible endpoint (/v1/chat/completions, /v1/completions with echo + logprobs)',
    load: () => import('./serve.js'),
  },
];

/** The command that `argv` runs (`phikit prep …`, also `phikit help prep`), if it names one. */
export function commandToRun(argv: readonly string[]): CommandEntry | undefined {
  const words = argv.slice(2).filter((arg) => !arg.startsWith('-'));
  const name = words[0] === 'help' ? words[1] : words[0];
  return COMMANDS.find((entry) => entry.name === name);
}

/**
 * Registers the command `argv` runs from its module, and every other command as a stub that
 * only lists it in `phikit --help` (`all`: every command from its module).
 */
export async function registerCommands(
  program: Command,
  argv: readonly string[],
  all = false,
): Promise<void> {
  const running = commandToRun(argv);
  const stubUsage = new Map<Command, string>();
  for (const entry of COMMANDS) {
    if (all || entry === running) {
      (await entry.load()).register(program);
      continue;
    }
    const stub = program.command(entry.name).description(entry.description).allowUnknownOption();
    stubUsage.set(stub, entry.usage);
  }
  const help = new Help();
  program.configureHelp({
    subcommandTerm: (command) => {
      const usage = stubUsage.get(command);
      return usage === undefined ? help.subcommandTerm(command) : `${command.name()} ${usage}`;
    },
  });
}
