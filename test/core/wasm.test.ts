// Where a module finds its WebAssembly kernel, and what it gets when the kernel was not built.
import { describe, expect, it } from 'vitest';
import { builtFileUrl, WasmKernel } from '../../src/core/wasm.js';

describe('WebAssembly kernels', () => {
  it('are found in dist/ beside the built module, and in the last build from src/', () => {
    expect(builtFileUrl('tokenize/k.wasm', 'file:///p/dist/tokenize/sp-bpe-wasm.js').href).toBe(
      'file:///p/dist/tokenize/k.wasm',
    );
    expect(builtFileUrl('tokenize/k.wasm', 'file:///p/dist/cli/phikit.cjs').href).toBe(
      'file:///p/dist/tokenize/k.wasm',
    );
    expect(builtFileUrl('tokenize/k.wasm', 'file:///p/src/tokenize/sp-bpe-wasm.ts').href).toBe(
      'file:///p/dist/tokenize/k.wasm',
    );
  });

  it('give no instance when the file is missing, so callers compute in JavaScript', () => {
    const missing = new WasmKernel(new URL('file:///nonexistent/kernel.wasm'));
    expect(missing.instantiate()).toBeUndefined();
    expect(missing.instantiate()).toBeUndefined();
  });
});
