/**
 * The hostile-bucket fixture set: ways a release record, the latest pointer or a listing can be damaged
 * or crafted. Each tampering takes a real release record and returns the text to store in its place.
 */
import type { Release } from '../../lib/releases/release';

export interface Tampering {
  readonly name: string;
  /** What the message naming the record must say. */
  readonly says: RegExp;
  tamper(release: Release): string;
}

const withObjects = (release: Release, extra: Record<string, unknown>, drop = false): string => {
  const first = Object.values(release.objects)[0];
  return JSON.stringify({ ...release, objects: { ...(drop ? {} : release.objects), ...Object.fromEntries(Object.entries(extra).map(([k, v]) => [k, v ?? first])) } });
};

export const TAMPERED_RELEASES: readonly Tampering[] = [
  { name: 'a key that climbs out of the folder', says: /key "\.\.\/victim\.txt" is not an image key: it has a \. or \.\. segment/,
    tamper: (r) => withObjects(r, { '../victim.txt': undefined }) },
  { name: 'a key climbing through a real folder', says: /album\/\.\.\/\.\.\/package\.json.*\. or \.\. segment/,
    tamper: (r) => withObjects(r, { 'album/../../package.json': undefined }) },
  { name: 'an absolute key', says: /starts with \//, tamper: (r) => withObjects(r, { '/tmp/evil.jpg': undefined }) },
  { name: 'a backslash key', says: /backslash/, tamper: (r) => withObjects(r, { 'album\\..\\..\\evil.jpg': undefined }) },
  { name: 'the tool\'s own state record as an image', says: /under the tool's own prefix _state\//,
    tamper: (r) => withObjects(r, { '_state/sync-state.json': undefined }) },
  { name: 'another release record as an image', says: /under the tool's own prefix _releases\//,
    tamper: (r) => withObjects(r, { '_releases/latest.json': undefined }) },
  { name: 'an object with no SHA-256', says: /sha256 is missing/,
    tamper: (r) => withObjects(r, { 'album/x/x-medium.jpg': { ...Object.values(r.objects)[0], sha256: undefined } }) },
  { name: 'objects as a list', says: /objects is not a map of objects/, tamper: (r) => JSON.stringify({ ...r, objects: [] }) },
  { name: 'not JSON', says: /is not valid JSON/, tamper: () => '{"schema": 1, "objects": ' },
  { name: 'null', says: /is not a release record/, tamper: () => 'null' },
  { name: 'a size that is text', says: /size is not a number/,
    tamper: (r) => withObjects(r, { 'album/x/x-small.jpg': { ...Object.values(r.objects)[0], size: '12' } }) },
  // From the attacker's trial: these reached the terminal raw (`gulp releases`, verify) and a copy's headers.
  { name: 'an escape sequence in a text field', says: /commit contains a control character/,
    tamper: (r) => JSON.stringify({ ...r, commit: '\u001b]0;PWNED\u0007\u001b[2J' }) },
  { name: 'a header split across lines', says: /contentType is not printable ASCII \(it is sent as an HTTP header\)/,
    tamper: (r) => withObjects(r, { 'album/x/x-small.jpg': { ...Object.values(r.objects)[0], contentType: 'image/jpeg\r\nX-Injected: 1' } }) },
  { name: 'a bidirectional override in a key', says: /bidirectional/, tamper: (r) => withObjects(r, { 'album/x/\u202egpj.exe': undefined }) },
  { name: 'a control character in a key', says: /control character/, tamper: (r) => withObjects(r, { 'album/x/\u001b[31mred.jpg': undefined }) },
];

/**
 * Keys a bucket listing can show that are never images of ours. The non-NFC twin of an image key is named
 * as the tool names images, so it is the tool's: an extra, said to be the twin. The others are no name the
 * tool gives: unmanaged, left alone and only counted (`says`: what a report must still not print raw).
 */
export const HOSTILE_LISTED_KEYS: readonly { key: string; extra: boolean; says: RegExp }[] = [
  { key: 'album/x/x-medium\u0007.jpg', extra: false, says: /album\/x\/x-medium\?\.jpg/ },
  { key: 'album/x\\x-medium.jpg', extra: false, says: /album\/x\\x-medium\.jpg/ },
  { key: 'album/cafe\u0301/cafe\u0301-medium.jpg', extra: true, says: /not NFC/ },
  { key: '_foo/not-ours.jpg', extra: false, says: /_foo\/not-ours\.jpg/ },
];
