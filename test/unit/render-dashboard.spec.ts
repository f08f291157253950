import { expect } from 'chai';
import { DASHBOARD_CSP, renderDashboard } from '../../lib/report/render-dashboard';
import { baseDashboardView, emptyDashboardView, HOSTILE_KEY, hostileDashboardView } from '../support/dashboard-sample';

const SCRIPT_CLOSE = '</script>';
const BASE = baseDashboardView();
const EMPTY = emptyDashboardView();
const HOSTILE = hostileDashboardView();

/** The page's own markup: the inlined library text (which may name its homepage) taken out. */
function markupOf(html: string): string {
  return html.replace(/<script>[\s\S]*?<\/script>/g, '<script></script>').replace(/<style>[\s\S]*?<\/style>/g, '<style></style>');
}

function embeddedData(html: string): string {
  const match = /<script type="application\/json" id="dashboard-data">([\s\S]*?)<\/script>/.exec(html);
  if (!match?.[1]) throw new Error('no #dashboard-data script');
  return match[1];
}

describe('renderDashboard (the report\'s self-contained page)', () => {
  it('loads nothing from outside: no http(s) src, href or url(), and a strict CSP meta', async () => {
    const html = renderDashboard(BASE);
    expect(html).to.match(/^<!DOCTYPE html>/);
    expect(html).not.to.match(/src\s*=\s*["']?\s*(https?:)?\/\//i);
    expect(html).not.to.match(/href\s*=\s*["']?\s*(https?:)?\/\//i);
    expect(html).not.to.match(/url\(\s*["']?\s*(https?:)?\/\//i);
    expect(html).not.to.match(/@import|<link\b/i);
    expect(markupOf(html)).not.to.match(/https?:/i);
    expect(html).to.contain(`<meta http-equiv="Content-Security-Policy" content="${DASHBOARD_CSP.replace(/'/g, '&#39;')}">`);
    expect(DASHBOARD_CSP).to.match(/^default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'/);
  });

  it('inlines uPlot and draws a chart element per chart', async () => {
    const html = renderDashboard(BASE);
    expect(html).to.contain('uPlot');
    expect(html).to.contain('.uplot');
    for (const c of BASE.charts) expect(html).to.contain(`id="chart-${c.id}"`);
    expect(JSON.parse(embeddedData(html)).charts.map((c: { data: unknown[][] }) => c.data[0]?.length)).to.deep.equal([12, 12, 12, 3, 0]);
  });

  it('escapes every hostile string: no markup of its own, the JSON cannot close its script', async () => {
    const html = renderDashboard(HOSTILE);
    const markup = markupOf(html);
    for (const raw of ['<script>alert', '<svg', '<b ', '<img src=x', '<i>', '<p id=evil', '<cls>', '<r>', "' onclick="]) {
      expect(markup, raw).not.to.contain(raw);
    }
    expect(markup).to.contain(HOSTILE_KEY.replace(/</g, '&lt;').replace(/>/g, '&gt;'));
    expect(markup).to.contain('&amp;amp; stays text');
    expect(html).not.to.contain('javascript:');
    expect(markup).to.contain('not a data: image');
    const data = embeddedData(html);
    expect(data).not.to.match(/[<>]/);
    expect(JSON.parse(data).charts[0].labels).to.deep.equal(['</SCRIPT><!--<script>']);
    // Three scripts (data, uPlot, the page's): a fourth close would be a string breaking out.
    expect(html.toLowerCase().split(SCRIPT_CLOSE)).to.have.length(4);
    expect(markup.match(/<img\b/g) ?? []).to.have.length(0);
  });

  it('an empty view (no runs) says "no data yet", "no open alerts" and draws nothing', async () => {
    const html = renderDashboard(EMPTY);
    expect(html.match(/no data yet/g)).to.have.length(EMPTY.charts.length);
    expect(html).to.contain('no open alerts');
    expect(html).to.contain('no release yet');
    expect(html).to.contain('no verify run yet');
    expect(renderDashboard({ ...EMPTY, charts: [] })).to.contain('no data yet');
  });
});
