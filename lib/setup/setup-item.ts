/** One line of `gulp setup`'s report: something applied or checked, how it went, and the fix when it did not. */

/** true: done or as it should be (✓); false: wrong, or could not be done (✗); 'skipped': not checked or not applied, and why (–). */
export type ItemStatus = true | false | 'skipped';

export interface SetupItem {
  /** What was applied or checked: `CORS`, `credentials`, `public domain`, `CORS for https://russ.fm`, `records private`, `lifecycle`. */
  readonly name: string;
  readonly ok: ItemStatus;
  /** What was found, in one sentence. */
  readonly detail: string;
  /** The next step, when `ok` is not true and there is one. */
  readonly fix?: string;
  /** The changes a plan makes (CORS): one line each. */
  readonly changes?: readonly string[];
}

export const passed = (name: string, detail: string): SetupItem => ({ name, ok: true, detail });
export const failed = (name: string, detail: string, fix?: string): SetupItem => ({ name, ok: false, detail, fix });
export const skipped = (name: string, detail: string, fix?: string): SetupItem => ({ name, ok: 'skipped', detail, fix });
