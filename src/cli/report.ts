// `phikit report DIR`: rebuilds report.html from a finished prep run without redoing the work.
import type { Command } from 'commander';
import { writePrepReport } from '../report/prep-report.js';

export function register(program: Command): void {
  program
    .command('report')
    .description('rebuild report.html from the manifest.json and rejected.jsonl of a finished prep run')
    .argument('<dir>', 'the --out folder of `phikit prep`')
    .action(async (dir: string) => {
      const path = await writePrepReport(dir);
      process.stdout.write(`wrote ${path}\n`);
    });
}
