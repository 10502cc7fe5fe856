// The two tiny real GGUF models in ../shared/reference/models, and a direct node-llama-cpp scorer that
// shares no code with src/gguf (the independent check of the numbers phikit reports).
import { existsSync } from 'node:fs';
import { getLlama, type Llama, type LlamaModel, type Token } from 'node-llama-cpp';
import { hasShared, reference } from '../helpers/shared.js';

export const storiesPath = reference('models', 'stories260K.gguf');
export const randomLlamaPath = reference('models', 'llama-2-tiny-random.gguf');
export const hasModels = hasShared && existsSync(storiesPath) && existsSync(randomLlamaPath);
export const modelsSkipMessage = `tiny GGUF models not found under ${reference('models')}: skipping GGUF tests`;
if (!hasModels) console.warn(modelsSkipMessage);

let llama: Promise<Llama> | undefined;
const models = new Map<string, Promise<LlamaModel>>();

export function directModel(path: string): Promise<LlamaModel> {
  llama ??= getLlama({ gpu: false, build: 'never', skipDownload: true, progressLogs: false });
  let model = models.get(path);
  if (model === undefined) {
    model = llama.then((instance) => instance.loadModel({ modelPath: path, gpuLayers: 0 }));
    models.set(path, model);
  }
  return model;
}

/**
 * log p(tokens[i] | tokens[<i]) for i >= from, from the full logits vector at each position,
 * log-softmax in float64 here (no filters, no totalLogitWeight).
 */
export async function directLogprobs(
  path: string,
  tokens: readonly Token[],
  from: number,
): Promise<number[]> {
  const model = await directModel(path);
  const context = await model.createContext({
    contextSize: Math.max(256, tokens.length),
    sequences: 1,
    threads: 1,
  });
  try {
    const sequence = context.getSequence();
    const results = await sequence.controlledEvaluate(
      tokens.map((token, index) =>
        index >= from - 1 && index < tokens.length - 1 ? [token, { generateNext: { logits: true } }] : token,
      ),
    );
    const logprobs: number[] = [];
    for (let index = from; index < tokens.length; index += 1) {
      const logits = results[index - 1]!.next.logits!;
      const values = [...logits.values()];
      const max = Math.max(...values);
      const logTotal = Math.log(values.reduce((sum, value) => sum + Math.exp(value - max), 0));
      logprobs.push(logits.get(tokens[index]!)! - max - logTotal);
    }
    return logprobs;
  } finally {
    await context.dispose();
  }
}
