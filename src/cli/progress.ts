// Progress on stderr: a bar with lines/s and MB/s on a terminal, a plain line every few
// seconds otherwise (CI logs), nothing with --quiet.
import { createRequire } from 'node:module';
import type CliProgress from 'cli-progress';
import { formatCount } from '../core/describe.js';

export interface ProgressUpdate {
  bytesRead: number;
  totalBytes: number;
  records: number;
}

export interface ProgressReporter {
  update(progress: ProgressUpdate): void;
  stop(): void;
}

const PLAIN_EVERY_MS = 5000;
// The bar's package loads only on a terminal, synchronously (it is CommonJS).
const require = createRequire(import.meta.url);

export function createProgress(label: string, quiet: boolean): ProgressReporter {
  if (quiet) return { update: () => undefined, stop: () => undefined };
  const started = Date.now();
  const rates = (progress: ProgressUpdate) => {
    const seconds = Math.max((Date.now() - started) / 1000, 0.001);
    return {
      linesPerSecond: formatCount(Math.round(progress.records / seconds)),
      megabytesPerSecond: (progress.bytesRead / 1e6 / seconds).toFixed(1),
    };
  };
  if (process.stderr.isTTY) {
    const cliProgress = require('cli-progress') as typeof CliProgress;
    const bar = new cliProgress.SingleBar(
      {
        format: `${label} |{bar}| {percentage}% | {records} lines | {linesPerSecond} lines/s | {megabytesPerSecond} MB/s`,
        stream: process.stderr,
        hideCursor: true,
        clearOnComplete: true,
      },
      cliProgress.Presets.shades_classic,
    );
    let startedBar = false;
    return {
      update(progress) {
        const payload = { records: formatCount(progress.records), ...rates(progress) };
        if (!startedBar) {
          bar.start(Math.max(progress.totalBytes, 1), progress.bytesRead, payload);
          startedBar = true;
        } else bar.update(progress.bytesRead, payload);
      },
      stop: () => bar.stop(),
    };
  }
  let last = Date.now();
  return {
    update(progress) {
      if (Date.now() - last < PLAIN_EVERY_MS) return;
      last = Date.now();
      const { linesPerSecond, megabytesPerSecond } = rates(progress);
      const percent =
        progress.totalBytes > 0 ? Math.round((100 * progress.bytesRead) / progress.totalBytes) : 100;
      process.stderr.write(
        `${label}: ${percent}% ${formatCount(progress.records)} lines, ${linesPerSecond} lines/s, ${megabytesPerSecond} MB/s\n`,
      );
    },
    stop: () => undefined,
  };
}
