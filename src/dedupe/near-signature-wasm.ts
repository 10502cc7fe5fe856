// The near-duplicate signature in WebAssembly (assembly/near-signature.ts, compiled by `npm run
// build`): the same bytes as minhash.ts `nearSignatureJs`, from a kernel that is compiled before
// its first call, where the JavaScript one runs interpreted until V8 has seen enough of it.
// Without the built file (phikit run from src/ before a build) callers fall back to JavaScript.
import { builtFileUrl, WasmKernel } from '../core/wasm.js';
import { classOf } from './shingle-units.js';

/** Written by `npm run build`; from src/ (tsx), the one the last build wrote. */
export const NEAR_SIGNATURE_WASM_URL = builtFileUrl('dedupe/near-signature.wasm', import.meta.url);

/** Memory kept after a text (2 bytes per code unit); a longer text gets a fresh kernel after it. */
const KEPT_MEMORY_BYTES = 16 << 20;
const PAGE = 1 << 16;
const SIGNATURE_BYTES = 96;

interface KernelExports {
  memory: { readonly buffer: ArrayBuffer; grow(pages: number): number };
  textAddress(): number;
  signatureAddress(): number;
  bytesNeeded(length: number, size: number): number;
  signature(length: number, size: number): number;
}

interface Kernel {
  exports: KernelExports;
  text: number;
  /** A view of the whole memory, made again when the memory grows. */
  bytes: Buffer;
}

const astralClasses = new Map<number, number>();

function astralClass(codePoint: number): number {
  let known = astralClasses.get(codePoint);
  if (known === undefined) astralClasses.set(codePoint, (known = classOf(codePoint)));
  return known;
}

const built = new WasmKernel(NEAR_SIGNATURE_WASM_URL);
let kernel: Kernel | undefined;

function instantiate(): Kernel | undefined {
  const exports = built.instantiate<KernelExports>({ env: { astralClass } });
  if (exports === undefined) return undefined;
  return { exports, text: exports.textAddress(), bytes: Buffer.from(exports.memory.buffer) };
}

/** Room for a text of `length` code units and the scan's ring of unit hashes. */
function reserve(target: Kernel, length: number, shingleSize: number): void {
  const needed = target.text + target.exports.bytesNeeded(length, shingleSize);
  const memory = target.exports.memory;
  if (needed <= memory.buffer.byteLength) return;
  memory.grow(Math.ceil((needed - memory.buffer.byteLength) / PAGE));
  target.bytes = Buffer.from(memory.buffer);
}

/**
 * The signature of the lowercased parts read as one text joined by "\n": its 96 bytes, undefined
 * when it has fewer than 5 distinct shingles; null when the kernel was not built.
 */
export function wasmNearSignature(
  lowerParts: readonly string[],
  shingleSize: number,
): Uint8Array | undefined | null {
  const target = (kernel ??= instantiate());
  if (target === undefined) return null;
  let length = lowerParts.length - 1;
  for (const part of lowerParts) length += part.length;
  reserve(target, Math.max(length, 0), shingleSize);
  let at = target.text;
  lowerParts.forEach((part, index) => {
    if (index > 0) at = target.bytes.writeUInt16LE(0x0a, at);
    at += target.bytes.write(part, at, 'utf16le');
  });
  const found = target.exports.signature(Math.max(length, 0), shingleSize) === 1;
  const signature = found
    ? new Uint8Array(target.exports.memory.buffer, target.exports.signatureAddress(), SIGNATURE_BYTES).slice()
    : undefined;
  if (target.bytes.length > KEPT_MEMORY_BYTES) kernel = undefined;
  return signature;
}
