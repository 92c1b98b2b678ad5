// The control characters castgate refuses in a name or an argument and removes from a failure
// text, written once: C0 controls (U+0000–U+001F) and DEL (U+007F). A raw URL refuses a wider set
// (also C1 controls and white space): `controlOrSpace` in url.ts. The CLI escapes C1 controls too
// before printing, for terminals (cli/format.ts).

// eslint-disable-next-line no-control-regex -- control characters are exactly what is matched
const controlCharacter = /[\u0000-\u001f\u007f]/u;
// eslint-disable-next-line no-control-regex -- control characters are exactly what is replaced
const controlCharacterRuns = /[\u0000-\u001f\u007f]+/gu;

/** True when `text` holds a C0 control character (U+0000–U+001F) or DEL (U+007F). */
export function hasControlCharacter(text: string): boolean {
  return controlCharacter.test(text);
}

/** `text` with each run of C0 control characters and DEL replaced by `replacement`. */
export function replaceControlCharacters(text: string, replacement: string): string {
  return text.replace(controlCharacterRuns, replacement);
}
