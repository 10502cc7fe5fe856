// `phikit rescore RUN_DIR --scorer ...`: recomputes an eval run's metrics.json, results.csv and
// report.html from its results.jsonl with other scorers; no endpoint is asked.
import type { Command } from 'commander';
import { rescore } from '../eval/rescore.js';
import { metricLines } from './eval.js';

interface RescoreFlags {
  scorer: string[];
  json?: boolean;
}

export function register(program: Command): void {
  program
    .command('rescore')
    .description(
      "recompute an eval run's metrics with other scorers, from its results.jsonl (no endpoint asked)",
    )
    .argument('<run-dir>', 'the --out folder of a `phikit eval` run')
    .option(
      '--scorer <name[:arg]>',
      'a metric to add, repeatable (as for eval): contains, regex:PATTERN, label:a|b|c, json, json-schema:FILE, rouge-l, ./module.mjs',
      (value: string, previous: string[] = []) => [...previous, value],
      [],
    )
    .option('--json', 'print metrics.json to stdout')
    .action(async (runDir: string, flags: RescoreFlags) => {
      const result = await rescore(runDir, { scorers: flags.scorer });
      if (flags.json) {
        process.stdout.write(`${JSON.stringify(result.metrics, null, 2)}\n`);
        return;
      }
      const lines = [
        `phikit rescore: ${result.rescored} results rescored in ${result.outDir}`,
        ...metricLines(result.metrics),
        '  wrote metrics.json, results.csv, report.html (rescored results appended to results.jsonl)',
      ];
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
