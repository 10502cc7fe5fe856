// Worker-thread entry of the front pool: loads the tokenizer once (when tokens are counted), then
// runs the front of prep (pipeline/front-work.ts) on each batch it is sent.
import { answerRequests } from '../core/worker-pool.js';
import { loadTokenizer } from '../tokenize/load.js';
import { frontWork, type FrontBatch, type FrontConfig, type FrontRecords } from './front-work.js';

answerRequests<FrontConfig, FrontRecords, FrontBatch>(async (config) => {
  const tokenizer = config.tokens ? await loadTokenizer(config.tokens.tokenizer) : undefined;
  return {
    ready: tokenizer?.name ?? null,
    handle: frontWork(config, tokenizer),
    // Each batch's buffers are its own (front-work.ts): they move to the main thread uncopied.
    transfer: (batch) => [
      batch.written.buffer as ArrayBuffer,
      batch.signatures.buffer as ArrayBuffer,
      ...(batch.records ? [batch.records.buffer as ArrayBuffer] : []),
    ],
  };
});
