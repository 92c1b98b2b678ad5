// HTML built by a tagged template that escapes every interpolated value, so no page can forget to.

const brand: unique symbol = Symbol('castgate.SafeHtml');

/** A piece of HTML that is already safe to place in a page: built by {@link html} or {@link rawHtml}. */
export interface SafeHtml {
  readonly [brand]: true;
  readonly value: string;
}

const specials = /[&<>"']/gu;
const entities: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

function entityOf(character: string): string {
  return entities[character] ?? character;
}

/** Escapes text for an element body or a quoted attribute value (`& < > " '`). */
export function escapeHtml(text: string): string {
  return text.replace(specials, entityOf);
}

/** A value {@link html} can interpolate: text (escaped), numbers, safe HTML, lists of those, or nothing. */
export type HtmlValue = string | number | SafeHtml | null | undefined | false | readonly HtmlValue[];

function render(value: HtmlValue): string {
  if (value === null || value === undefined || value === false) return '';
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return escapeHtml(value);
  if (brand in value) return value.value;
  let out = '';
  for (const item of value) out += render(item);
  return out;
}

/**
 * Tagged template for HTML: interpolated strings are escaped, {@link SafeHtml} is inserted as it is,
 * arrays are joined and `null`/`undefined`/`false` vanish. Interpolate only into element bodies and
 * quoted attribute values.
 */
export function html(strings: TemplateStringsArray, ...values: readonly HtmlValue[]): SafeHtml {
  let out = strings[0] ?? '';
  for (let index = 0; index < values.length; index++) out += render(values[index]) + (strings[index + 1] ?? '');
  return { [brand]: true, value: out };
}

/** Marks a constant written in this code as safe HTML, unescaped. Never for request or config input. */
export function rawHtml(trusted: string): SafeHtml {
  return { [brand]: true, value: trusted };
}
