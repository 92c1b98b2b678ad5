import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapeHtml, html, rawHtml } from './html.js';

const unescape = (text: string) =>
  text.replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&quot;', '"').replaceAll('&#39;', "'").replaceAll('&amp;', '&');

describe('html template (example pages)', () => {
  it('escapes every interpolated string: no markup character survives, and the text comes back whole', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        const out = html`<p title="${text}">${text}</p>`.value;
        const inner = out.slice('<p title="'.length, -'</p>'.length).split('">');
        expect(inner).toHaveLength(2);
        for (const part of inner) {
          expect(part).not.toMatch(/[<>"']/u);
          expect(unescape(part)).toBe(text);
        }
      }),
    );
  });

  it('escapes ampersands first, so an entity in the input stays visible text: &lt; → &amp;lt;', () => {
    expect(escapeHtml('&lt;b&gt;')).toBe('&amp;lt;b&amp;gt;');
  });

  it('inserts nested safe HTML as it is, joins lists, and drops null, undefined and false', () => {
    const items = ['<a>', 'b'].map((item) => html`<li>${item}</li>`);
    expect(html`<ul>${items}${null}${undefined}${false}${rawHtml('<hr>')}${3}</ul>`.value).toBe('<ul><li>&lt;a&gt;</li><li>b</li><hr>3</ul>');
  });
});
