/**
 * Alerts delivered where someone will see them: a line each (always), a GitHub Actions annotation each,
 * a table in the step summary, one JSON post to ALERT_WEBHOOK_URL. Delivery never throws and never changes
 * the exit status: a failure is a warning line and a field of the result.
 */
import { appendFile } from 'node:fs/promises';
import type { Alert } from '../history/types';
import { printable } from '../util/printable';
import { scrub } from '../util/run-report';
import { postWebhook, webhookUrlProblem, type WebhookOutcome } from './webhook';

/** Discord refuses a `content` longer than this; Slack's `text` allows far more. */
export const DISCORD_CONTENT_LIMIT = 2000;
const SLACK_TEXT_LIMIT = 40_000;

export interface DeliveryResult {
  readonly lines: number;
  readonly annotations: number;
  readonly summary: 'appended' | 'not-set' | 'failed';
  readonly webhook: 'sent' | 'not-set' | 'failed' | 'none-to-send';
  /** How the webhook went, when it was tried (never its URL). */
  readonly webhookOutcome?: WebhookOutcome;
  /** What went wrong delivering (also written as lines). */
  readonly warnings: readonly string[];
}

export interface DeliveryOptions {
  readonly env: NodeJS.ProcessEnv;
  readonly write: (line: string) => void;
  /** Values never written or sent (the webhook URL is added to them). */
  readonly secrets: readonly string[];
  /** The webhook's deadline (default 10 s; tests shorten it). */
  readonly webhookDeadlineMs?: number;
}

/** GitHub's escaping of a workflow command's message. */
export function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** GitHub's escaping of a workflow command's property value (also `:` and `,`). */
export function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

const cell = (text: string) => text.replace(/\r?\n|\r/g, ' ').replace(/\|/g, '\\|');

/** The step summary's section: a heading and a table of the alerts. */
export function summarySection(alerts: readonly Alert[]): string {
  const rows = alerts.map((a) => `| ${a.severity} | ${a.kind} | ${cell(a.message)} | ${cell(a.hint ?? '')} | ${a.run ? `\`${cell(a.run)}\`` : ''} |`);
  return ['', '### Alerts', '', '| severity | alert | what | next step | run |', '| --- | --- | --- | --- | --- |', ...rows, ''].join('\n');
}

function clip(text: string, limit: number): string {
  return text.length <= limit ? text : `${text.slice(0, limit - 1)}…`;
}

/** One body both Slack (`text`) and Discord (`content`, ≤ 2,000 characters) accept; `alerts` for anything else. */
export function webhookBody(alerts: readonly Alert[]): string {
  const envs = [...new Set(alerts.map((a) => a.environment ?? 'build'))].join(', ');
  const summary = [`${alerts.length} alert(s) (${envs}):`, ...alerts.map((a) => `• ${a.severity} ${a.kind}: ${a.message}${a.hint ? ` → ${a.hint}` : ''}`)].join('\n');
  return JSON.stringify({ text: clip(summary, SLACK_TEXT_LIMIT), content: clip(summary, DISCORD_CONTENT_LIMIT), alerts });
}

/** Writes, annotates, summarises and posts the alerts; resolves with what happened, never rejects. */
export async function deliverAlerts(alerts: readonly Alert[], options: DeliveryOptions): Promise<DeliveryResult> {
  const { env } = options;
  const hook = env.ALERT_WEBHOOK_URL?.trim() || undefined;
  const secrets = [...options.secrets, ...(hook ? [hook] : [])].filter((s) => s.length > 0);
  const clean = (text: string) => scrub(text, secrets);
  const warnings: string[] = [];
  const warn = (text: string) => { warnings.push(clean(text)); options.write(`warning: ${clean(text)}`); };
  const safe = alerts.map((a) => ({ ...a, message: clean(a.message), ...(a.hint === undefined ? {} : { hint: clean(a.hint) }) }));

  for (const a of safe) options.write(printable(`alert: ${a.message}${a.hint ? ` → ${a.hint}` : ''}`));
  let annotations = 0;
  if (env.GITHUB_ACTIONS === 'true') {
    for (const a of safe) { options.write(`::${a.severity} title=${escapeProperty(a.kind)}::${escapeData(a.message)}`); annotations += 1; }
  }
  let summary: DeliveryResult['summary'] = 'not-set';
  if (env.GITHUB_STEP_SUMMARY && safe.length > 0) {
    try {
      await appendFile(env.GITHUB_STEP_SUMMARY, summarySection(safe));
      summary = 'appended';
    } catch (error) {
      summary = 'failed';
      warn(`the alerts could not be added to the step summary (${(error as NodeJS.ErrnoException).code ?? 'write failed'})`);
    }
  }
  if (!hook) return { lines: safe.length, annotations, summary, webhook: 'not-set', warnings };
  if (safe.length === 0) return { lines: 0, annotations, summary, webhook: 'none-to-send', warnings };
  const problem = webhookUrlProblem(hook);
  if (problem) {
    warn(`the alert webhook (ALERT_WEBHOOK_URL) ${problem}: nothing was sent`);
    return { lines: safe.length, annotations, summary, webhook: 'failed', warnings };
  }
  const outcome = await postWebhook(new URL(hook), clean(webhookBody(safe)), { deadlineMs: options.webhookDeadlineMs });
  if (!outcome.ok) warn(`the alert webhook ${outcome.problem ?? 'failed'}; the alerts above were not sent there`);
  return { lines: safe.length, annotations, summary, webhook: outcome.ok ? 'sent' : 'failed', webhookOutcome: outcome, warnings };
}
