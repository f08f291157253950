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

export function hasUnprintable(text: string): boolean {
  return new RegExp(UNPRINTABLE.source).test(text);
}
