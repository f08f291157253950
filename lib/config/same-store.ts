/**
 * Whether two environments reach the same buckets: a mirror between them would copy a store onto itself
 * (deleting what its release lacks), and a shared records bucket would let one side's releases move the
 * other's pointer. Endpoints are compared as the store sees them, not as spelled: host case, default
 * ports, and the loopback names are one.
 */
import type { Environment } from './environment';

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/** The endpoint as one string per server (the embedded bucket is this machine's one). */
export function storeIdentity(env: Environment): string {
  if (!env.store) return 'embedded';
  const url = new URL(env.store.endpoint);
  const host = LOOPBACK.has(url.hostname.toLowerCase()) ? 'loopback' : url.hostname.toLowerCase();
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  return `${host}:${port}${url.pathname.replace(/\/+$/, '')}`;
}

/** The buckets both environments use (images or records), on the same server; empty when they share none. */
export function sharedBuckets(a: Environment, b: Environment): string[] {
  if (storeIdentity(a) !== storeIdentity(b)) return [];
  const ofB = new Set([b.bucket, b.archiveBucket].filter(Boolean));
  return [a.bucket, a.archiveBucket].filter((name): name is string => name !== undefined && ofB.has(name));
}
