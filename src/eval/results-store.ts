// results.jsonl as the run's cache: read back on start (the last line per request key wins), then
// appended one whole line per answer, so a run killed at any moment resumes where it stopped.
// A line cut off by a kill is dropped (and the file truncated to the last whole line).
import { open, readFile, truncate } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import type { EvalResult } from './types.js';

export class ResultsStore {
  private constructor(
    private readonly handle: FileHandle,
    readonly previous: Map<string, EvalResult>,
  ) {}

  static async open(path: string): Promise<ResultsStore> {
    const previous = new Map<string, EvalResult>();
    let text = '';
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    const complete = text.lastIndexOf('\n') + 1;
    if (complete < text.length) await truncate(path, Buffer.byteLength(text.slice(0, complete)));
    for (const line of text.slice(0, complete).split('\n')) {
      if (line === '') continue;
      const result = JSON.parse(line) as EvalResult;
      previous.set(result.requestKey, result);
    }
    return new ResultsStore(await open(path, 'a'), previous);
  }

  async append(result: EvalResult): Promise<void> {
    // One write of one whole line: an interruption leaves at most a partial last line.
    await this.handle.write(`${JSON.stringify(result)}\n`);
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}
