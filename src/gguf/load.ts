// Loads node-llama-cpp (an optional dependency) on first use only, and one CPU-only llama.cpp instance per process.
// Nothing here builds or downloads: a missing or unusable binary is a DEPENDENCY_MISSING error with a hint.
import type * as NodeLlamaCppModule from 'node-llama-cpp';
import type { Llama } from 'node-llama-cpp';
import { PhikitError } from '../core/errors.js';
import { importModule } from '../core/import-module.js';

export type NodeLlamaCpp = typeof NodeLlamaCppModule;

const INSTALL_HINT =
  'install the optional dependency: npm install node-llama-cpp@3 (prebuilt CPU binaries come inside the npm package)';

let modulePromise: Promise<NodeLlamaCpp> | undefined;
let llamaPromise: Promise<Llama> | undefined;

/** The node-llama-cpp module, imported the first time a GGUF model is used. */
export function loadNodeLlamaCpp(): Promise<NodeLlamaCpp> {
  modulePromise ??= importModule<NodeLlamaCpp>('node-llama-cpp').catch((error: unknown) => {
    modulePromise = undefined;
    throw new PhikitError(
      'DEPENDENCY_MISSING',
      `node-llama-cpp is needed for GGUF models and could not be loaded: ${messageOf(error)}`,
      INSTALL_HINT,
      { cause: error },
    );
  });
  return modulePromise;
}

/**
 * The process-wide llama.cpp instance: CPU only, prebuilt binary only (`build: 'never'`, `skipDownload`),
 * so a machine without a matching binary fails here instead of compiling or fetching llama.cpp.
 */
export function getCpuLlama(): Promise<Llama> {
  llamaPromise ??= loadNodeLlamaCpp()
    .then((nodeLlamaCpp) =>
      nodeLlamaCpp.getLlama({
        gpu: false,
        build: 'never',
        skipDownload: true,
        usePrebuiltBinaries: true,
        progressLogs: false,
        logLevel: nodeLlamaCpp.LlamaLogLevel.error,
      }),
    )
    .catch((error: unknown) => {
      llamaPromise = undefined;
      if (error instanceof PhikitError) throw error;
      throw new PhikitError(
        'DEPENDENCY_MISSING',
        `node-llama-cpp has no usable prebuilt llama.cpp binary for ${process.platform}-${process.arch}: ${messageOf(error)}`,
        `${INSTALL_HINT}; phikit never builds llama.cpp from source`,
        { cause: error },
      );
    });
  return llamaPromise;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
