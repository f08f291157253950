/**
 * Text from outside (keys, records, server messages) as it may reach a terminal: control characters
 * (C0, DEL, C1: escape sequences that retitle or clear a terminal), line separators and bidirectional
 * overrides (which make one name look like another) are shown as `?`.
 */
// eslint-disable-next-line no-control-regex
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

export function printable(text: string): string {
  return text.replace(UNPRINTABLE, '?');
}

/** The same class, not global: `test` on a global pattern would carry `lastIndex` from one call to the next. */
const ANY_UNPRINTABLE = new RegExp(UNPRINTABLE.source);

export function hasUnprintable(text: string): boolean {
  return ANY_UNPRINTABLE.test(text);
}
