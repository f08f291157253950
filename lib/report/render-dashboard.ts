/**
 * `gulp report`'s page: one self-contained HTML file that works offline. uPlot and the page's script are
 * inlined, thumbnails are `data:` URIs, and a Content-Security-Policy keeps anything from loading from outside.
 */
import { chartData } from './chart-data';
import { DASHBOARD_SCRIPT } from './dashboard-script';
import { alertsHtml, chartsHtml, contactSheetHtml, headerHtml, notesHtml, verifyHtml } from './dashboard-sections';
import { DASHBOARD_CSS } from './dashboard-style';
import type { DashboardView } from './dashboard-view';
import { escapeHtml, scriptJson } from './html-text';
import { uplotAssets } from './uplot-assets';

/** The policy the page is held to: inline style and script, `data:` images, nothing else from anywhere. */
export const DASHBOARD_CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'; base-uri 'none'; form-action 'none'";

/** Renders the dashboard as one HTML5 document. */
export function renderDashboard(view: DashboardView): string {
  const uplot = uplotAssets();
  const data = scriptJson({ charts: view.charts.map(chartData) });
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${escapeHtml(DASHBOARD_CSP)}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(`${view.title} · ${view.environment}`)}</title>`,
    `<style>${uplot.css}</style>`,
    `<style>${DASHBOARD_CSS}</style>`,
    '</head>',
    '<body>',
    '<main>',
    headerHtml(view),
    `<div class="row">${alertsHtml(view.alerts)}${verifyHtml(view.lastVerify)}</div>`,
    chartsHtml(view.charts),
    contactSheetHtml(view.contactSheet),
    notesHtml(view.notes),
    '</main>',
    `<script type="application/json" id="dashboard-data">${data}</script>`,
    `<script>${uplot.script}</script>`,
    `<script>${DASHBOARD_SCRIPT}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
