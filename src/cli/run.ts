// The CLI itself (started by main.ts, from the compiled bundle when there is one): the only place
// that exits the process: parses argv, runs one command, maps errors to exit codes.
// Also set by the launcher; set here too so the bundle's own worker pool sets it again after workers start.
import './heap-settings.js';
import { Command, CommanderError } from 'commander';
import { isPhikitError, type PhikitError } from '../core/errors.js';
import { VERSION } from '../core/version.js';
import { registerCommands } from './commands.js';
import { EXIT, EXIT_FOR_ERROR } from './exit-codes.js';
import { terminalSafe } from './terminal.js';

async function main(argv: string[]): Promise<number> {
  const program = new Command('phikit')
    .description('Prepare chat fine-tuning data for Phi-3 and evaluate fine-tuned endpoints')
    .version(VERSION)
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeErr: (text) => process.stderr.write(text) });
  await registerCommands(program, argv);
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version are "errors" to commander with exit code 0.
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (isPhikitError(error)) {
      const { message, hint } = inFlagWords(error);
      const hintLine = hint ? `\n  hint: ${terminalSafe(hint)}` : '';
      process.stderr.write(`phikit: ${terminalSafe(message)}${hintLine}\n`);
      return EXIT_FOR_ERROR[error.code];
    }
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(
      `phikit: internal error: ${message}\n  hint: this is a bug in phikit; rerun with PHIKIT_DEBUG=1 for a stack trace and report it\n`,
    );
    if (process.env.PHIKIT_DEBUG) console.error(error);
    return EXIT.internal;
  }
}

/** Library errors name options (`valRatio`); on the command line they are flags (`--val-ratio`). */
function inFlagWords(error: PhikitError): { message: string; hint: string | undefined } {
  let { message, hint } = error;
  for (const option of error.options) {
    const flag = `--${option.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`;
    const name = new RegExp(`\\b${option}\\b`, 'g');
    message = message.replace(name, flag);
    hint = hint?.replace(name, flag);
  }
  return { message, hint };
}

// `phikit tokens big.jsonl | head` closes stdout early: that is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(EXIT.ok);
  throw error;
});

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = EXIT.internal;
  },
);
