// HTML built by a tagged template that escapes every interpolated value, so no page can forget to.

const brand: unique symbol = Symbol('SafeHtml');

/**
 * A piece of HTML that is already safe to place in a page: built by {@link html} or {@link rawHtml}.
 *
 * @example
 * ```ts
 * const part: SafeHtml = html`<b>${'<not a tag>'}</b>`;
 * ```
 */
export interface SafeHtml {
  readonly [brand]: true;
  readonly value: string;
}

const entities: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/**
 * Escapes text for an HTML element body or a double- or single-quoted attribute value
 * (`& < > " '`). It never fails; any string goes in.
 *
 * @example
 * ```ts
 * escapeHtml('<script>"x"</script>'); // '&lt;script&gt;&quot;x&quot;&lt;/script&gt;'
 * ```
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/gu, (character) => entities[character] ?? character);
}

function isSafeHtml(value: unknown): value is SafeHtml {
  return typeof value === 'object' && value !== null && brand in value;
}

/** A value {@link html} can interpolate: text (escaped), numbers, safe HTML, lists of those, or nothing. */
export type HtmlValue = string | number | SafeHtml | null | undefined | false | readonly HtmlValue[];

function render(value: HtmlValue): string {
  if (value === null || value === undefined || value === false) return '';
  if (typeof value === 'number') return escapeHtml(String(value));
  if (typeof value === 'string') return escapeHtml(value);
  if (isSafeHtml(value)) return value.value;
  return value.map(render).join('');
}

/**
 * Tagged template for HTML: every interpolated string or number is escaped, {@link SafeHtml}
 * values are inserted as they are, arrays are joined and `null`/`undefined`/`false` vanish.
 * Interpolate only into element bodies and quoted attribute values, never into a tag name,
 * an unquoted attribute, a `<script>` or a `<style>`.
 *
 * @example
 * ```ts
 * const userName = '<img src=x onerror=alert(1)>';
 * html`<p title="${userName}">${userName}</p>`.value; // both escaped
 * ```
 */
export function html(strings: TemplateStringsArray, ...values: readonly HtmlValue[]): SafeHtml {
  let out = strings[0] ?? '';
  values.forEach((value, index) => {
    out += render(value) + (strings[index + 1] ?? '');
  });
  return { [brand]: true, value: out };
}

/**
 * Marks a constant string as safe HTML without escaping it. Only for literals written in this
 * code (a fixed stylesheet), never for anything that came from a request or a config.
 *
 * @example
 * ```ts
 * const style = rawHtml('<style>body { font-family: sans-serif }</style>');
 * ```
 */
export function rawHtml(trusted: string): SafeHtml {
  return { [brand]: true, value: trusted };
}
