// The captcha page posts a small form. Its body is checked here, on bytes, the same way for every
// adapter: at most 16 KB, not content-encoded, UTF-8 application/x-www-form-urlencoded, well formed.

/**
 * The largest form body the handler reads, in bytes (16 KB). Adapters read at most one byte more,
 * so the handler can tell a body that is too large.
 *
 * @example
 * ```ts
 * import { castFormBodyLimit } from 'castgate/http';
 * castFormBodyLimit; // 16384
 * ```
 */
export const castFormBodyLimit = 16 * 1024;

/** More fields than this is a body too large (the captcha form has two). */
const maxFields = 32;

/** Why a body was refused: 413, 415 or 400. */
export type FormProblem = 'too_large' | 'unsupported' | 'malformed';

/** A form as sent: each name with every value it was given. */
export type FormFields = ReadonlyMap<string, readonly string[]>;

export type FormResult = { readonly ok: true; readonly fields: FormFields } | { readonly ok: false; readonly problem: FormProblem };

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const emptyFields: FormFields = new Map();

function headerText(value: string | readonly string[] | undefined): string | undefined | null {
  if (value === undefined) return undefined;
  if (typeof value === 'string') return value;
  return value.length === 1 ? (value[0] ?? null) : null;
}

/**
 * The header checks of a POST, whatever the body's form: any `Content-Encoding` but `identity` and
 * any type but UTF-8 `application/x-www-form-urlencoded` are `unsupported` (415). A POST with no
 * content type is accepted only without a body.
 */
export function checkFormHeaders(contentType: string | readonly string[] | undefined, contentEncoding: string | readonly string[] | undefined, hasBody: boolean): FormProblem | undefined {
  const encoding = headerText(contentEncoding);
  if (encoding === null) return 'unsupported';
  if (encoding !== undefined && encoding.trim() !== '' && encoding.trim().toLowerCase() !== 'identity') return 'unsupported';
  const type = headerText(contentType);
  if (type === null) return 'unsupported';
  if (type === undefined || type.trim() === '') return hasBody ? 'unsupported' : undefined;
  const parts = type.split(';');
  if (parts[0]?.trim().toLowerCase() !== 'application/x-www-form-urlencoded') return 'unsupported';
  for (let index = 1; index < parts.length; index++) {
    const part = parts[index] ?? '';
    const equals = part.indexOf('=');
    if (equals === -1) {
      if (part.trim() === '') continue;
      return 'unsupported';
    }
    const name = part.slice(0, equals).trim().toLowerCase();
    let value = part.slice(equals + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    if (name === 'charset' && value.toLowerCase() !== 'utf-8' && value.toLowerCase() !== 'utf8') return 'unsupported';
  }
  return undefined;
}

function decodeComponent(text: string): string | null {
  const plain = text.includes('+') ? text.replaceAll('+', ' ') : text;
  if (!plain.includes('%')) return plain;
  try {
    return decodeURIComponent(plain);
  } catch {
    return null;
  }
}

/**
 * Parses raw form bytes: `too_large` over {@link castFormBodyLimit} bytes or {@link maxFields}
 * fields; `malformed` when the bytes are not UTF-8, a `%` escape is broken or decodes to invalid
 * UTF-8. Never throws.
 */
export function parseFormBytes(bytes: Uint8Array): FormResult {
  if (bytes.length > castFormBodyLimit) return { ok: false, problem: 'too_large' };
  if (bytes.length === 0) return { ok: true, fields: emptyFields };
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return { ok: false, problem: 'malformed' };
  }
  const fields = new Map<string, string[]>();
  let count = 0;
  for (const pair of text.split('&')) {
    if (pair === '') continue;
    if (++count > maxFields) return { ok: false, problem: 'too_large' };
    const equals = pair.indexOf('=');
    const name = decodeComponent(equals === -1 ? pair : pair.slice(0, equals));
    const value = decodeComponent(equals === -1 ? '' : pair.slice(equals + 1));
    if (name === null || value === null) return { ok: false, problem: 'malformed' };
    const values = fields.get(name);
    if (values === undefined) fields.set(name, [value]);
    else values.push(value);
  }
  return { ok: true, fields };
}

/** A parsed body the host's own parser made, as fields (a non-string value counts as repeated). */
export function fieldsOfParsed(body: URLSearchParams | Readonly<Record<string, unknown>>): FormFields {
  const fields = new Map<string, string[]>();
  if (body instanceof URLSearchParams) {
    for (const [name, value] of body) {
      const values = fields.get(name);
      if (values === undefined) fields.set(name, [value]);
      else values.push(value);
    }
    return fields;
  }
  for (const name of Object.keys(body)) {
    const value = body[name];
    if (typeof value === 'string') fields.set(name, [value]);
    else if (Array.isArray(value)) fields.set(name, value.map(String));
    else if (value !== undefined) fields.set(name, ['', '']);
  }
  return fields;
}
