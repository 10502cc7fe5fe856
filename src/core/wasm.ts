// The WebAssembly kernels `npm run build` compiles from assembly/ (scripts/build-wasm.mjs): where
// a module finds its kernel, and the kernel compiled once per thread. A kernel that was not built
// (phikit run from src/ before a build) is null: its caller computes the same in JavaScript.
import { readFileSync } from 'node:fs';
import { endianness } from 'node:os';

// The part of the WebAssembly global used here (TypeScript's lib declares it only with the DOM).
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: object };
};

/**
 * The built file `dist/<path>` for a module one folder below src/ or dist/ (`moduleUrl` is its
 * import.meta.url): beside it when it runs built, the last build's when it runs from src/ (tsx).
 */
export function builtFileUrl(path: string, moduleUrl: string): URL {
  return new URL(moduleUrl.endsWith('.ts') ? `../../dist/${path}` : `../${path}`, moduleUrl);
}

/** A kernel compiled once (per thread); none when its file is missing. */
export class WasmKernel {
  private compiled: object | null | undefined;

  constructor(readonly url: URL) {}

  /**
   * A new instance's exports, or undefined when the kernel was not built. Also undefined on a
   * big-endian machine: callers write int32 tables through typed arrays in the machine's order,
   * and WebAssembly reads little-endian.
   */
  instantiate<Exports>(imports: object = {}): Exports | undefined {
    if (this.compiled === undefined) this.compiled = endianness() === 'LE' ? this.compile() : null;
    if (this.compiled === null) return undefined;
    return new WebAssembly.Instance(this.compiled, imports).exports as Exports;
  }

  private compile(): object | null {
    try {
      return new WebAssembly.Module(readFileSync(this.url));
    } catch {
      return null;
    }
  }
}
