// Every subcommand, registered in the order `phikit --help` lists them.
// Each command module exports `register(program)`; add one line here per command.
import type { Command } from 'commander';

export const commandModules: Array<() => Promise<{ register(program: Command): void }>> = [
  () => import('./prep.js'),
  () => import('./validate.js'),
  () => import('./report.js'),
  () => import('./tokens.js'),
  () => import('./preflight.js'),
  () => import('./eval.js'),
  () => import('./rescore.js'),
  () => import('./compare.js'),
  () => import('./serve.js'),
];
