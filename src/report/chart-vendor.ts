// The chart stack (Observable Plot and the linkedom document it draws on) behind one module: the
// build bundles it into a single file (scripts/build-chart-vendor.mjs), which loads in a quarter of
// the time of its ~500 separate modules. From the TypeScript sources it is plain re-exports.
export * as Plot from '@observablehq/plot';
export { parseHTML } from 'linkedom';
