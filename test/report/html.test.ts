import { describe, expect, it } from 'vitest';
import { escapeHtml, formatBytes, formatNumber, html, page, raw, truncated } from '../../src/report/html.js';

describe('html building blocks', () => {
  it('escapes every interpolated value unless it is SafeHtml', () => {
    const evil = '<script>alert("x")</script><img src=x onerror=\'alert(1)\'>&';
    expect(html`<td>${evil}</td>`.value).toBe(
      '<td>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;img src=x onerror=&#39;alert(1)&#39;&gt;&amp;</td>',
    );
    expect(html`<p>${[html`<b>${'<i>'}</b>`, raw('<br>')]}</p>`.value).toBe('<p><b>&lt;i&gt;</b><br></p>');
    expect(html`${null}${undefined}${false}${0}`.value).toBe('0');
    expect(escapeHtml(`"'`)).toBe('&quot;&#39;');
  });

  it('formats numbers with thousands separators and states the full length of cut text', () => {
    expect(formatNumber(1234567)).toBe('1,234,567');
    expect(formatNumber(0.5, 2)).toBe('0.50');
    expect(formatBytes(12_345_678)).toBe('12.3 MB');
    expect(truncated('x'.repeat(500), 10).value).toBe(
      'xxxxxxxxxx<span class="more">… (500 characters in all)</span>',
    );
  });

  it('pins the page script by hash in a CSP that allows no network', () => {
    const document = page({ title: '<t>', script: 'console.log(1)' }, html`<p>hi</p>`);
    expect(document).toContain('<title>&lt;t&gt;</title>');
    expect(document).toMatch(
      /content="default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src 'sha256-[A-Za-z0-9+/=]+'"/,
    );
  });
});
