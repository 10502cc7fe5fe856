// Injected into dist/report/chart-vendor.js by build-chart-vendor.mjs in place of
// `Intl.NumberFormat`: Plot makes its default number formats when it loads, and the first format
// loads ICU's locale data (~20 ms, a tenth of a small prep past start-up) although phikit's charts
// pass every number as text. This one makes the real format on its first use.
// The build's `define` rewrites every `Intl.NumberFormat` in the bundle, this file's too: the real
// constructor is reached through Reflect, or a format would make another lazy one, forever.
const RealNumberFormat = Reflect.get(Intl, 'NumberFormat');

export class LazyNumberFormat {
  #args;
  #format;

  constructor(...args) {
    this.#args = args;
  }

  #real() {
    return (this.#format ??= new RealNumberFormat(...this.#args));
  }

  /** Intl's own `format`: a getter whose function is bound to its format (callers may detach it). */
  get format() {
    return this.#real().format;
  }

  formatToParts(value) {
    return this.#real().formatToParts(value);
  }

  formatRange(start, end) {
    return this.#real().formatRange(start, end);
  }

  resolvedOptions() {
    return this.#real().resolvedOptions();
  }
}
