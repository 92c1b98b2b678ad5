import { readFile } from 'node:fs/promises';

/** A JSON file as read from disk, or why it could not be used: unreadable, or not JSON. */
export type JsonFile =
  | { readonly ok: true; readonly json: unknown }
  | { readonly ok: false; readonly problem: 'unreadable' | 'not_json'; readonly message: string };

/**
 * Reads and parses a JSON file (a leading byte-order mark is allowed). Never rejects: a missing,
 * unreadable or non-JSON file comes back as `{ ok: false }` with a one-line message naming the path.
 */
export async function readJsonFile(path: string): Promise<JsonFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : typeof code === 'string' ? code : 'unreadable';
    return { ok: false, problem: 'unreadable', message: `cannot read ${JSON.stringify(path)}: ${reason}` };
  }
  try {
    return { ok: true, json: JSON.parse(text.replace(/^\uFEFF/u, '')) as unknown };
  } catch (error) {
    return { ok: false, problem: 'not_json', message: `${path}: not valid JSON (${error instanceof Error ? error.message : 'parse error'})` };
  }
}
