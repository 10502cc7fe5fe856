// Injected into dist/report/chart-vendor.js by build-chart-vendor.mjs in place of
// `Intl.NumberFormat`: Plot makes its default number formats when it loads, and the first format
// loads ICU's locale data (~20 ms, a tenth of a small prep past start-up) although phikit's charts
// pass every number as text. This one makes the real format on its first use.
export class LazyNumberFormat {
  #args;
  #format;

  constructor(...args) {
    this.#args = args;
  }

  #real() {
    return (this.#format ??= new Intl.NumberFormat(...this.#args));
  }

  format(value) {
    return this.#real().format(value);
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
