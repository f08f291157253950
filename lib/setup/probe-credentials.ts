/**
 * Whether the credentials sync uses can do what sync does: list, read, write and delete. Proved with a
 * small probe object under the tool's own prefix (`_state/setup-probe-…`, never an image key), removed
 * after; --dry-run writes nothing, so it lists and reads only. Two phases, so the record-privacy check
 * can fetch the probe publicly while it exists.
 */
import { createHash, randomBytes } from 'node:crypto';
import { AssetsError, messageOf } from '../errors';
import { STATE_PREFIX } from '../validate/object-key';
import type { ObjectStore } from '../storage/object-store';
import { failed, passed, type SetupItem } from './setup-item';

export const PROBE_PREFIX = `${STATE_PREFIX}setup-probe-`;

export interface Probe {
  /** The probe's key while it is in the bucket (written, not yet deleted). */
  readonly key?: string;
  /** Deletes the probe (when written) and says how every step went. */
  finish(): Promise<SetupItem>;
}

export interface ProbeOptions {
  readonly dryRun: boolean;
  /** The report line's name (`credentials`, or with the bucket when records live in another). */
  readonly name: string;
  readonly bucket: string;
}

async function text(store: ObjectStore, key: string): Promise<string> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of (await store.get(key)).body) chunks.push(chunk);
  return Buffer.concat(chunks).toString();
}

export async function startProbe(store: ObjectStore, options: ProbeOptions): Promise<Probe> {
  const key = `${PROBE_PREFIX}${Date.now().toString(36)}-${randomBytes(4).toString('hex')}.txt`;
  const permission = `the token (R2_ACCESS_KEY_ID / R2_SECRET_ACCESS_KEY) needs Object Read & Write on bucket "${options.bucket}": Cloudflare dashboard → R2 → Manage R2 API Tokens`;
  const fixFor = (error: unknown) => {
    const hint = error instanceof AssetsError ? error.hint : undefined;
    return hint && !hint.includes('R2_ACCESS_KEY_ID') ? hint : permission;
  };
  const fail = (detail: string, error: unknown): Probe => ({ finish: async () => failed(options.name, `${detail}: ${messageOf(error)}`, fixFor(error)) });
  try {
    for await (const page of store.list({ prefix: STATE_PREFIX, pageSize: 1 })) { void page; break; }
  } catch (error) { return fail('cannot list', error); }
  if (options.dryRun) {
    // A HEAD of a key that is not there answers 404 only to credentials that may read (403 otherwise).
    try { await store.head(key); } catch (error) { return fail('can list; cannot read', error); }
    return { finish: async () => passed(options.name, 'can list and read (write and delete not probed: --dry-run writes nothing)') };
  }
  const body = Buffer.from(`gulp setup probe ${new Date().toISOString()}\n`);
  try {
    await store.put({ key, body, md5: createHash('md5').update(body).digest('hex'), contentType: 'text/plain', cacheControl: 'private, no-store', metadata: {} });
  } catch (error) { return fail('can list; cannot write', error); }
  let readProblem: { detail: string; error?: unknown } | undefined;
  try {
    if ((await text(store, key)) !== body.toString()) readProblem = { detail: `can list and write; reading ${key} back gave other bytes` };
  } catch (error) { readProblem = { detail: 'can list and write; cannot read', error }; }
  return { key, finish: () => finishProbe(store, key, options.name, readProblem, fixFor) };
}

async function finishProbe(
  store: ObjectStore, key: string, name: string, readProblem: { detail: string; error?: unknown } | undefined, fixFor: (error: unknown) => string,
): Promise<SetupItem> {
  let deleteProblem: string | undefined;
  try {
    const result = await store.deleteMany([key]);
    if (result.failed.length > 0) deleteProblem = `cannot delete: ${result.failed.map((f) => f.reason).join('; ')}`;
    else if (await store.head(key)) deleteProblem = `the probe is still there after its delete`;
  } catch (error) { deleteProblem = `cannot delete: ${messageOf(error)}`; }
  const left = deleteProblem ? ` (probe ${key} left in the bucket: delete it by hand)` : '';
  if (readProblem) return failed(name, `${readProblem.detail}${readProblem.error === undefined ? '' : `: ${messageOf(readProblem.error)}`}${deleteProblem ? `; ${deleteProblem}` : ''}${left}`, fixFor(readProblem.error));
  if (deleteProblem) return failed(name, `can list, write and read; ${deleteProblem}${left}`, fixFor(undefined));
  return passed(name, `can list, read, write and delete (probe ${key} written and removed)`);
}
