/**
 * Progress for long runs: a live one-line bar (count, rate, ETA) on a TTY, plain periodic lines
 * otherwise (CI logs), nothing when silent. Always on stderr, so `--json` output on stdout stays clean.
 */
export interface Progress {
  /** Advance by `n` items (and optionally bytes). */
  tick(n?: number, bytes?: number): void;
  /** Final line; call once. */
  done(): void;
}

export interface ProgressOptions {
  label: string;
  total: number;
  unit: string;
  stream?: NodeJS.WriteStream;
  silent?: boolean;
  /** Seconds between plain lines when not on a TTY. */
  plainEvery?: number;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  const m = Math.floor(s / 60);
  return m >= 60 ? `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m` : `${m}:${String(s % 60).padStart(2, '0')}`;
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) { value /= 1000; unit += 1; }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}

export function createProgress(options: ProgressOptions): Progress {
  const stream = options.stream ?? process.stderr;
  const started = Date.now();
  let count = 0;
  let bytes = 0;
  let lastDraw = 0;
  /** The count the last plain line showed: done() does not print the same final line twice. */
  let lastShown = -1;
  const live = stream.isTTY === true;
  const every = (options.plainEvery ?? 10) * 1000;

  function line(): string {
    const seconds = (Date.now() - started) / 1000;
    const rate = seconds > 0 ? count / seconds : 0;
    const eta = rate > 0 ? (options.total - count) / rate : Infinity;
    const pct = options.total > 0 ? Math.floor((count / options.total) * 100) : 100;
    const width = 24;
    const filled = Math.round((pct / 100) * width);
    const bar = live ? `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ` : '';
    const size = bytes > 0 ? ` ${formatBytes(bytes)}` : '';
    return `${options.label} ${bar}${count}/${options.total} ${options.unit} ${pct}%${size} `
      + `${rate.toFixed(1)} ${options.unit}/s ETA ${formatDuration(eta)}`;
  }

  function draw(force: boolean): void {
    if (options.silent || options.total === 0) return;
    const now = Date.now();
    if (!force && now - lastDraw < (live ? 100 : every)) return;
    lastDraw = now;
    lastShown = count;
    stream.write(live ? `\r\x1b[2K${line()}` : `${line()}\n`);
  }

  return {
    tick(n = 1, b = 0) {
      count += n;
      bytes += b;
      draw(false);
    },
    done() {
      if (options.silent || options.total === 0) return;
      if (!live && lastShown === count) return; // that line is already the last one printed
      if (count === 0 && lastShown === -1) return; // nothing was done and nothing shown: no "0 of n" line after the outcome
      lastShown = count;
      if (live) stream.write(`\r\x1b[2K${line()}\n`);
      else stream.write(`${line()}\n`);
    },
  };
}
