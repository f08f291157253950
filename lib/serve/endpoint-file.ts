/**
 * How other commands find a running `gulp serve`: it writes `<bucket folder>/.serve.json` (its pid, port,
 * buckets and a random id) and answers `GET /.russfm-serve` with that id. A command connects to it only
 * when the pid is alive and the port answers with the same id; a file left by a killed serve (dead pid,
 * port closed or answered by someone else) is ignored, and replaced by the next serve.
 */
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import * as v from 'valibot';
import { writeJsonAtomic } from '../manifest/io';

export const ENDPOINT_FILE = '.serve.json';
/** Not a bucket name (a leading dot), so it never shadows an S3 request. */
export const IDENTITY_PATH = '/.russfm-serve';
/** How long a command waits for a serve to answer before it starts its own embedded bucket. */
const PROBE_TIMEOUT_MS = 1_000;

const endpointSchema = v.strictObject({
  pid: v.pipe(v.number(), v.integer(), v.minValue(1)),
  port: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(65_535)),
  id: v.pipe(v.string(), v.regex(/^[0-9a-f-]{36}$/)),
  buckets: v.array(v.string()),
  startedAt: v.string(),
});

export type ServeEndpoint = v.InferOutput<typeof endpointSchema>;

export const endpointUrl = (endpoint: Pick<ServeEndpoint, 'port'>): string => `http://127.0.0.1:${endpoint.port}`;

/** Written whole or not at all (writeJsonAtomic: temp file, then rename): a reader never sees half a file. */
export async function writeEndpoint(directory: string, endpoint: ServeEndpoint): Promise<void> {
  await writeJsonAtomic(join(directory, ENDPOINT_FILE), endpoint);
}

/** The endpoint file, or undefined when there is none or it is not one (damaged: ignored, as a stale one). */
export async function readEndpoint(directory: string): Promise<ServeEndpoint | undefined> {
  const text = await readFile(join(directory, ENDPOINT_FILE), 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  try {
    const parsed = v.safeParse(endpointSchema, JSON.parse(text));
    return parsed.success ? parsed.output : undefined;
  } catch {
    return undefined;
  }
}

/** Removes the endpoint file if it is still `id`'s (a newer serve may have replaced it). */
export async function removeEndpoint(directory: string, id: string): Promise<void> {
  if ((await readEndpoint(directory))?.id === id) await rm(join(directory, ENDPOINT_FILE), { force: true });
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'; // alive, but another user's
  }
}

/** Whether the server at the endpoint's port is that serve (not a port reused by something else). */
async function answers(endpoint: ServeEndpoint): Promise<boolean> {
  try {
    const response = await fetch(`${endpointUrl(endpoint)}${IDENTITY_PATH}`, { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
    const body = (await response.json()) as { id?: unknown };
    return response.ok && body.id === endpoint.id;
  } catch {
    return false;
  }
}

/**
 * The `gulp serve` running over `directory` that serves every one of `buckets`, or undefined (none, a
 * stale file, or a serve of other buckets: the caller then starts its own embedded bucket, as before).
 */
export async function findRunningServe(directory: string, buckets: readonly string[]): Promise<ServeEndpoint | undefined> {
  const endpoint = await readEndpoint(directory);
  if (!endpoint || !pidAlive(endpoint.pid) || !buckets.every((b) => endpoint.buckets.includes(b))) return undefined;
  return (await answers(endpoint)) ? endpoint : undefined;
}
