// `phikit compare RUN_DIR... --out DIR`: paired comparison of evaluated models.
import type { Command } from 'commander';
import { compare } from '../index.js';
import { EVAL_DEFAULTS, EVAL_LIMITS } from '../eval/limits.js';
import { damagedWarning, parseInRange } from './eval.js';

export function register(program: Command): void {
  program
    .command('compare')
    .description(
      'compare models evaluated on the same examples: paired differences with CIs, McNemar, disagreements',
    )
    .argument('<runs...>', 'output folders of `phikit eval` (one with several endpoints is enough)')
    .requiredOption('-o, --out <dir>', 'where comparison.json and compare.html go')
    .option('--seed <n>', 'seed for the paired bootstrap', parseInRange(EVAL_LIMITS.seed), EVAL_DEFAULTS.seed)
    .option('--json', 'print comparison.json without the examples')
    .action(async (runs: string[], flags: { out: string; seed: number; json?: boolean }) => {
      const comparison = await compare(runs, { out: flags.out, seed: flags.seed });
      if (comparison.damagedLines.length > 0) process.stderr.write(damagedWarning(comparison.damagedLines));
      if (flags.json) {
        process.stdout.write(
          `${JSON.stringify({ models: comparison.models, pairs: comparison.pairs }, null, 2)}\n`,
        );
        return;
      }
      const lines = [`phikit compare: ${comparison.models.join(' vs ')}`];
      const ci = (d: { value: number; low: number; high: number; pValue: number }) =>
        `${d.value >= 0 ? '+' : ''}${d.value.toFixed(1)} [${d.low.toFixed(1)}, ${d.high.toFixed(1)}] p=${d.pValue.toFixed(3)}`;
      for (const pair of comparison.pairs) {
        lines.push(
          `  ${pair.candidate} - ${pair.baseline} (n=${pair.n}): EM ${ci(pair.em)}, F1 ${ci(pair.f1)}; McNemar p=${pair.mcnemar.pValue.toFixed(4)}; F1 wins/ties/losses ${pair.wins}/${pair.ties}/${pair.losses}`,
        );
      }
      lines.push(`  wrote comparison.json, compare.html in ${flags.out}`);
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
