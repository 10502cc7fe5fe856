// LLM-as-judge for `phikit eval --judge NAME=URL`: each answered example goes to a judge endpoint
// with a rubric, and the judge's full answer and its parsed 1-5 score are kept in judgments.jsonl
// in the run folder, keyed by judge location, model and the rendered prompt (which holds the rubric,
// question, references and answer), so a rerun asks nothing again. Judge calls use the run's retry
// policy and rate limiter. Memory: one judgment per answered example and endpoint.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Endpoint, EndpointOptions, EndpointSpec } from '../core/endpoint.js';
import type { ChatMessage } from '../core/example.js';
import type { EvalExample, EvalResult, ErrorKind } from '../core/eval-types.js';
import { readLines } from '../io/line-reader.js';
import { outputError } from '../io/output-error.js';
import type { JudgedAnswer } from '../metrics/judge-summary.js';
import { createEndpoint } from './endpoint.js';
import { loadRubric, parseScore, renderRubric, type Rubric } from './judge-rubric.js';
import { runPool } from './pool.js';
import { redactSecrets } from './redact.js';
import type { RateLimiter } from './retry.js';
import { withRetries, type RetryPolicy } from './retry.js';

export interface JudgeOptions {
  endpoint: EndpointSpec;
  /** The judge's key (from --judge-api-key-env); never written anywhere. */
  apiKey?: string;
  /** A rubric template file; default: the built-in correctness rubric (1-5). */
  rubric?: string;
}

/** One judge call as stored in judgments.jsonl; the last line per key wins. */
export interface JudgmentRecord {
  key: string;
  judge: string;
  location: string;
  model: string;
  rubricHash: string;
  /** The judge's full answer (null when the call failed). */
  text: string | null;
  attempts: number;
  error: { kind: ErrorKind; message: string; status?: number } | null;
}

/** A judgment of one eval answer: the record plus what it judged. */
export interface Judgment extends JudgmentRecord {
  id: string;
  endpoint: string;
  scenario: string;
  line: number;
  /** 1-5, parsed from the final `Score: N` line; null when unparseable or failed. */
  score: number | null;
}

/** judgments.jsonl: read once (damaged lines skipped), then appended one whole line per call. */
export class JudgmentCache {
  private constructor(
    private readonly path: string,
    private readonly handle: FileHandle,
    readonly previous: Map<string, JudgmentRecord>,
    /** A cut last line (no final newline) is ended before the next append. */
    private needsNewline: boolean,
  ) {}

  static async open(dir: string): Promise<JudgmentCache> {
    const path = join(dir, 'judgments.jsonl');
    const previous = new Map<string, JudgmentRecord>();
    let needsNewline = false;
    try {
      const size = (await stat(path)).size;
      for await (const line of readLines(createReadStream(path))) {
        const record = parseRecord(line.text);
        if (record) previous.set(record.key, record);
      }
      if (size > 0) needsNewline = await lastByteIsNotNewline(path, size);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw outputError(path, error);
    }
    try {
      return new JudgmentCache(path, await open(path, 'a'), previous, needsNewline);
    } catch (error) {
      throw outputError(path, error);
    }
  }

  /** A reusable answer: failed calls are asked again. */
  answered(key: string): JudgmentRecord | undefined {
    const record = this.previous.get(key);
    return record && record.error === null ? record : undefined;
  }

  async append(record: JudgmentRecord): Promise<void> {
    const line = `${this.needsNewline ? '\n' : ''}${JSON.stringify(record)}\n`;
    this.needsNewline = false;
    try {
      await this.handle.write(line);
    } catch (error) {
      throw outputError(this.path, error);
    }
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}

async function lastByteIsNotNewline(path: string, size: number): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const last = Buffer.alloc(1);
    await handle.read(last, 0, 1, size - 1);
    return last[0] !== 0x0a;
  } finally {
    await handle.close();
  }
}

function parseRecord(text: string): JudgmentRecord | undefined {
  try {
    const value = JSON.parse(text) as Partial<JudgmentRecord> | null;
    return value && typeof value.key === 'string' && 'text' in value ? (value as JudgmentRecord) : undefined;
  } catch {
    return undefined;
  }
}

/** What a judge call needs from the run: its load control and the secrets to redact. */
export interface JudgeCallContext {
  policy: RetryPolicy;
  limiter: RateLimiter;
  concurrency: number;
  /** Redacted from error messages before they are recorded. */
  secrets: string[];
}

/** Opens the judge endpoint with the run's transport options and the judge's own key. */
export function openJudge(options: JudgeOptions, transport: EndpointOptions): Promise<Endpoint> {
  return createEndpoint(options.endpoint, { ...transport, apiKey: options.apiKey });
}

export function judgmentKey(judge: Endpoint, prompt: string): string {
  return createHash('sha256')
    .update(JSON.stringify({ location: judge.location, model: judge.model, prompt }))
    .digest('hex');
}

/** Asks the judge `prompt` (from the cache when answered before) and appends a new answer. */
export async function askJudge(
  judge: Endpoint,
  prompt: string,
  rubricHash: string,
  cache: JudgmentCache,
  context: JudgeCallContext,
): Promise<{ record: JudgmentRecord; fromCache: boolean }> {
  const key = judgmentKey(judge, prompt);
  const cached = cache.answered(key);
  if (cached) return { record: cached, fromCache: true };
  const answer = await withRetries(context.policy, async () => {
    await context.limiter.wait();
    return judge.chat({ messages: [{ role: 'user', content: prompt }], temperature: 0, logprobs: false });
  });
  const error = answer.error;
  const record: JudgmentRecord = {
    key,
    judge: judge.name,
    location: judge.location,
    model: judge.model,
    rubricHash,
    text: answer.value?.text ?? null,
    attempts: answer.attempts,
    error: error
      ? {
          kind: error.kind,
          message: redactSecrets(error.message, context.secrets),
          ...(error.status ? { status: error.status } : {}),
        }
      : null,
  };
  await cache.append(record);
  return { record, fromCache: false };
}

export interface JudgeRun {
  judge: Endpoint;
  rubric: Rubric;
  /** One per answered result, in the results' order. */
  judgments: Judgment[];
  asked: number;
  fromCache: number;
}

/** Judges every answered result of the run; failed answers are not judged. */
export async function judgeAnswers(
  outDir: string,
  results: readonly EvalResult[],
  examples: readonly EvalExample[],
  options: JudgeOptions,
  transport: EndpointOptions,
  context: JudgeCallContext,
): Promise<JudgeRun> {
  const rubric = await loadRubric(options.rubric);
  const byId = new Map(examples.map((example) => [example.id, example]));
  const answered = results.filter((r) => r.prediction !== null && r.error === null);
  const judge = await openJudge(options, transport);
  const cache = await JudgmentCache.open(outDir);
  const judgments: Judgment[] = new Array<Judgment>(answered.length);
  let fromCache = 0;
  try {
    await runPool([...answered.keys()], context.concurrency, async (index) => {
      const result = answered[index]!;
      const prompt = judgePrompt(rubric, byId.get(result.id), result);
      const asked = await askJudge(judge, prompt, rubric.hash, cache, context);
      if (asked.fromCache) fromCache++;
      judgments[index] = {
        ...asked.record,
        id: result.id,
        endpoint: result.endpoint,
        scenario: result.scenario,
        line: result.line,
        score: asked.record.text === null ? null : parseScore(asked.record.text),
      };
    });
  } finally {
    await cache.close();
    await judge.close?.();
  }
  return { judge, rubric, judgments, asked: answered.length - fromCache, fromCache };
}

function judgePrompt(rubric: Rubric, example: EvalExample | undefined, result: EvalResult): string {
  return renderRubric(rubric, {
    question: example ? questionText(example.prompt) : '',
    reference: referenceText(result),
    answer: result.prediction ?? '',
  });
}

/** The prompt as the judge reads it: a lone user turn as it is, a longer chat with its roles. */
export function questionText(prompt: readonly ChatMessage[]): string {
  const turns = prompt.filter((m) => m.role !== 'system');
  if (turns.length === 1) return turns[0]!.content;
  return prompt.map((m) => `[${m.role}] ${m.content}`).join('\n\n');
}

/** The final assistant message and further accepted answers, one per line when there are several. */
export function referenceText(result: Pick<EvalResult, 'reference' | 'references'>): string {
  const all = [result.reference, ...(result.references ?? [])];
  return all.length === 1 ? all[0]! : all.map((r) => `- ${r}`).join('\n');
}

/** What the summary needs of each judged answer: its F1 and the judge's score or why there is none. */
export function judgedAnswers(run: JudgeRun, results: readonly EvalResult[]): JudgedAnswer[] {
  const f1ByAnswer = new Map(results.map((r) => [`${r.endpoint}\u0000${r.id}`, r.scores?.f1 ?? null]));
  return run.judgments.map((j) => ({
    endpoint: j.endpoint,
    scenario: j.scenario,
    f1: f1ByAnswer.get(`${j.endpoint}\u0000${j.id}`) ?? null,
    score: j.score,
    outcome: j.error ? 'error' : j.score === null ? 'unparseable' : 'scored',
  }));
}
