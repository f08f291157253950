/** The dashboard's sections as HTML; every string of the view is escaped here, none is trusted. */
import type { Alert } from '../history/types';
import { chartPoints } from './chart-data';
import type { Chart, ContactSheet, ContactSheetItem, DashboardView, Thumbnail } from './dashboard-view';
import { escapeHtml as esc, isDataImage } from './html-text';

/** Title, environment, bucket, when the page was made and how many runs it draws from. */
export function headerHtml(view: DashboardView): string {
  const facts: [string, string][] = [
    ['environment', view.environment], ['bucket', view.bucket], ['generated', view.generatedAt], ['runs', String(view.runs)],
  ];
  const dl = facts.map(([k, v]) => `<div><dt>${esc(k)}</dt><dd>${esc(v)}</dd></div>`).join('');
  return `<header><h1>${esc(view.title)}</h1><dl class="facts">${dl}</dl></header>`;
}

function alertHtml(alert: Alert): string {
  const hint = alert.hint ? `<p class="hint">${esc(alert.hint)}</p>` : '';
  return `<li class="alert ${alert.severity === 'error' ? 'error' : 'warning'}"><span class="badge">${esc(alert.severity)}</span>`
    + `<span class="kind">${esc(alert.kind)}</span><p class="message">${esc(alert.message)}</p>${hint}</li>`;
}

/** The open alerts, errors first, or a line saying there are none. */
export function alertsHtml(alerts: readonly Alert[]): string {
  const sorted = [...alerts].sort((a, b) => Number(b.severity === 'error') - Number(a.severity === 'error'));
  const body = sorted.length === 0 ? '<p class="ok">no open alerts</p>' : `<ul class="alerts">${sorted.map(alertHtml).join('')}</ul>`;
  return `<section id="alerts"><h2>Open alerts</h2>${body}</section>`;
}

/** One card per chart; the page's script draws into it, or it says "no data yet". */
export function chartsHtml(charts: readonly Chart[]): string {
  const cards = charts.map((c) => {
    const empty = chartPoints(c) === 0 ? '<p class="empty">no data yet</p>' : '';
    return `<div class="card chart" id="chart-${esc(c.id)}"><h3>${esc(c.title)}</h3>${empty}</div>`;
  });
  const body = cards.length === 0 ? '<p class="empty">no data yet</p>' : `<div class="charts">${cards.join('')}</div>`;
  return `<section id="charts"><h2>Runs</h2>${body}</section>`;
}

function thumbHtml(thumb: Thumbnail | undefined, label: string): string {
  if (thumb === undefined) return '';
  if ('src' in thumb && isDataImage(thumb.src)) return `<img src="${esc(thumb.src)}" alt="${esc(label)}">`;
  const why = 'missing' in thumb ? thumb.missing : 'not a data: image';
  return `<div class="missing" title="${esc(label)}">${esc(why)}</div>`;
}

function itemHtml(item: ContactSheetItem): string {
  const thumbs = item.change === 'replaced'
    ? `${thumbHtml(item.before, 'before')}<span class="arrow">→</span>${thumbHtml(item.after, 'after')}`
    : thumbHtml(item.change === 'deleted' ? item.before : item.after, item.change);
  return `<li class="item ${item.change}"><div class="thumbs">${thumbs}</div>`
    + `<span class="change">${esc(item.change)}</span><code class="key">${esc(item.key)}</code></li>`;
}

/** The latest release's changes as thumbnails, with a count of those left off. */
export function contactSheetHtml(sheet: ContactSheet | undefined): string {
  if (!sheet) return '<section id="contact-sheet"><h2>Latest release</h2><p class="empty">no release yet</p></section>';
  const parent = sheet.parent ? ` after <code>${esc(sheet.parent)}</code>` : '';
  const items = sheet.items.length === 0 ? '<p class="empty">no changes</p>' : `<ul class="sheet">${sheet.items.map(itemHtml).join('')}</ul>`;
  const more = sheet.more > 0 ? `<p class="more">and ${esc(String(sheet.more))} more</p>` : '';
  return `<section id="contact-sheet"><h2>Latest release <code>${esc(sheet.release)}</code></h2>`
    + `<p class="sub">${esc(sheet.time)}${parent}</p>${items}${more}</section>`;
}

/** The last verify: clean, or its problems by class with the first few keys. */
export function verifyHtml(last: DashboardView['lastVerify']): string {
  if (!last) return '<section id="verify"><h2>Last verify</h2><p class="empty">no verify run yet</p></section>';
  const head = `<h2>Last verify</h2><p class="sub"><code>${esc(last.run)}</code> ${esc(last.time)}</p>`;
  const f = last.findings;
  if (last.ok && f.problems === 0) return `<section id="verify">${head}<p class="ok">ok: no problems found</p></section>`;
  const classes = Object.entries(f.byClass).map(([k, n]) => `<tr><td>${esc(k)}</td><td class="num">${esc(String(n))}</td></tr>`).join('');
  const examples = f.examples.map((e) => `<li><code>${esc(e.key)}</code> ${esc(e.problem)}</li>`).join('');
  return `<section id="verify">${head}<p class="bad">${esc(String(f.problems))} problem${f.problems === 1 ? '' : 's'}</p>`
    + `<table class="classes"><tbody>${classes}</tbody></table><ul class="examples">${examples}</ul></section>`;
}

/** The view's notes, a paragraph each. */
export function notesHtml(notes: readonly string[]): string {
  if (notes.length === 0) return '';
  return `<section id="notes"><h2>Notes</h2>${notes.map((n) => `<p>${esc(n)}</p>`).join('')}</section>`;
}
