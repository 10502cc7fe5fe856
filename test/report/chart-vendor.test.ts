// The built chart stack (dist/report/chart-vendor.js), whose `Intl.NumberFormat` the build swaps
// for one made on first use (scripts/lazy-number-format.mjs): Plot's own number formats still
// write what Intl writes, through a method call and through a detached `format`.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import type * as ChartVendor from '../../src/report/chart-vendor.js';
import { repoRoot } from '../helpers/shared.js';

const built = (): Promise<typeof ChartVendor> =>
  import(pathToFileURL(join(repoRoot, 'dist/report/chart-vendor.js')).href) as Promise<typeof ChartVendor>;

describe('the built chart stack', () => {
  it("formats numbers as Intl does: Plot's formatNumber, and numeric axis ticks", async () => {
    const { Plot, parseHTML } = await built();
    expect(Plot.formatNumber()(1234.5)).toBe('1,234.5');
    expect(Plot.formatNumber('de-DE')(1234.5)).toBe('1.234,5');
    const { document } = parseHTML('<!doctype html><html><body></body></html>');
    const svg = Plot.plot({
      document,
      marks: [
        Plot.barY(
          [
            { x: 'a', y: 1500 },
            { x: 'b', y: 3000 },
          ],
          { x: 'x', y: 'y' },
        ),
      ],
    });
    const ticks = [...svg.querySelectorAll('g[aria-label="y-axis tick label"] text')].map(
      (t) => t.textContent,
    );
    expect(ticks).toContain('3,000');
    expect(svg.querySelectorAll('g[aria-label="bar"] rect')).toHaveLength(2);
  });
});
