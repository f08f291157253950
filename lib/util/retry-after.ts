/** Retry-After in milliseconds from now: seconds, or an HTTP date (wall clock); undefined when absent or unreadable. */
export function retryAfterMsOf(header: string | null): number | undefined {
  if (header === null) return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(header)) return Number(header) * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}
