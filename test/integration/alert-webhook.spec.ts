import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deliverAlerts } from '../../lib/alerts/deliver-alerts';
import type { Alert } from '../../lib/history/types';
import { withDeadline } from '../helpers/deadline';
import { WebhookReceiver } from '../servers/webhook-receiver';

const ALERTS: Alert[] = [
  { kind: 'failed-writes', severity: 'error', environment: 'production', message: 'sync x: 51 of 1,000 writes failed (5.1 %, over 5 %)', hint: 'run `gulp sync` again', run: 'x' },
  { kind: 'cdn-slow', severity: 'warning', environment: 'production', message: 'p95 2,400 ms\nsecond line, 100% slow: yes', hint: 'check the cache' },
];

describe('alert webhook: delivering alerts as lines, annotations, a step summary and one post', () => {
  let receiver: WebhookReceiver;
  let lines: string[];
  const write = (line: string) => { lines.push(line); };

  beforeEach(async () => {
    receiver = new WebhookReceiver();
    await receiver.start();
    lines = [];
  });
  afterEach(async () => { await receiver.close(); });

  it('posts one JSON body with text (Slack) and content (Discord), and never writes the URL', async () => {
    const result = await deliverAlerts(ALERTS, { env: { ALERT_WEBHOOK_URL: receiver.url }, write, secrets: [] });
    expect(result).to.deep.include({ webhook: 'sent', lines: 2, annotations: 0 });
    expect(receiver.delivered).to.have.length(1);
    const body = JSON.parse(receiver.delivered[0]!) as { text: string; content: string; alerts: Alert[] };
    expect(body.text).to.include('51 of 1,000 writes failed').and.equal(body.content);
    expect(body.content.length).to.be.at.most(2000);
    expect(body.alerts.map((a) => a.kind)).to.deep.equal(['failed-writes', 'cdn-slow']);
    expect(lines[0]).to.equal('alert: sync x: 51 of 1,000 writes failed (5.1 %, over 5 %) → run `gulp sync` again');
    expect(lines.join('\n')).not.to.include(receiver.path);
  });

  it('retries a 500 once and delivers once', async () => {
    receiver.answers.push({ status: 500, retryAfter: 0 });
    const result = await deliverAlerts(ALERTS, { env: { ALERT_WEBHOOK_URL: receiver.url }, write, secrets: [] });
    expect(result.webhook).to.equal('sent');
    expect(result.webhookOutcome).to.deep.include({ attempts: 2, status: 200 });
    expect([receiver.received, receiver.delivered.length]).to.deep.equal([2, 1]);
  });

  it('honours Retry-After on a 429, and gives up with a warning when a second failure follows', async () => {
    receiver.answers.push({ status: 429, retryAfter: 1 }, { status: 503 });
    const started = Date.now();
    const result = await deliverAlerts(ALERTS, { env: { ALERT_WEBHOOK_URL: receiver.url }, write, secrets: [] });
    expect(Date.now() - started).to.be.at.least(900);
    expect(result.webhook).to.equal('failed');
    expect(lines.at(-1)).to.equal('warning: the alert webhook answered 503 (after a retry); the alerts above were not sent there');
    expect(lines.join('\n')).not.to.include(receiver.path);
  });

  it('gives up on a receiver that never answers within the deadline: a warning, no throw, no URL', async () => {
    receiver.answers.push('hang', 'hang');
    const result = await withDeadline(
      deliverAlerts(ALERTS, { env: { ALERT_WEBHOOK_URL: receiver.url }, write, secrets: [], webhookDeadlineMs: 500 }), 3000, 'a hung webhook');
    expect(result.webhook).to.equal('failed');
    expect(result.warnings).to.deep.equal(['the alert webhook did not answer within 0.5 s; the alerts above were not sent there']);
    expect(lines.join('\n')).not.to.include(receiver.path).and.not.to.include('127.0.0.1');
  });

  it('refuses a webhook URL that is plain http off loopback or carries credentials, naming neither URL', async () => {
    for (const url of ['http://hooks.example.com/secret-path', 'https://user:pw@hooks.example.com/secret-path']) {
      lines = [];
      const result = await deliverAlerts(ALERTS, { env: { ALERT_WEBHOOK_URL: url }, write, secrets: [] });
      expect(result.webhook).to.equal('failed');
      expect(lines.join('\n')).to.match(/the alert webhook \(ALERT_WEBHOOK_URL\) (is not https|carries credentials)/).and.not.to.include('secret-path');
    }
  });

  it('sends nothing when there are no alerts', async () => {
    const result = await deliverAlerts([], { env: { ALERT_WEBHOOK_URL: receiver.url, GITHUB_ACTIONS: 'true' }, write, secrets: [] });
    expect(result).to.deep.include({ webhook: 'none-to-send', lines: 0, annotations: 0 });
    expect([receiver.received, lines]).to.deep.equal([0, []]);
  });

  it('in GitHub Actions: one escaped annotation per alert, and an Alerts section appended to the step summary', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'alert-summary-'));
    try {
      const summary = join(dir, 'summary.md');
      writeFileSync(summary, '## Sync\n');
      const result = await deliverAlerts(ALERTS, { env: { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary }, write, secrets: ['s3cr3t'] });
      expect(result).to.deep.include({ annotations: 2, summary: 'appended', webhook: 'not-set' });
      expect(lines).to.include('::error title=failed-writes::sync x: 51 of 1,000 writes failed (5.1 %25, over 5 %25)');
      expect(lines).to.include('::warning title=cdn-slow::p95 2,400 ms%0Asecond line, 100%25 slow: yes');
      const text = readFileSync(summary, 'utf8');
      expect(text.startsWith('## Sync\n')).to.equal(true);
      expect(text).to.include('### Alerts').and.include('| error | failed-writes | sync x: 51 of 1,000 writes failed');
      expect(text).to.include('p95 2,400 ms second line');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('scrubs the secrets it is given from every line and the body', async () => {
    const leaky: Alert[] = [{ ...ALERTS[0]!, message: 'failed with token tok-123456 in it' }];
    await deliverAlerts(leaky, { env: { ALERT_WEBHOOK_URL: receiver.url }, write, secrets: ['tok-123456'] });
    expect(lines.join('\n') + receiver.delivered.join('')).not.to.include('tok-123456');
    expect(lines[0]).to.include('failed with token *** in it');
  });
});
