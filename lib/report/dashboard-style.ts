/** The dashboard's stylesheet: system fonts, a simple grid of cards, print-friendly colours. */
export const DASHBOARD_CSS = `
:root { --fg: #1f2328; --muted: #656d76; --line: #d8dee4; --card: #fff; --bg: #f6f8fa; --err: #cf222e; --warn: #9a6700; --good: #1a7f37; }
* { box-sizing: border-box; }
body { margin: 0; padding: 24px 32px 48px; background: var(--bg); color: var(--fg);
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1240px; margin: 0 auto; display: grid; gap: 20px; }
header { padding: 4px 0; }
.row { display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); gap: 20px; }
h1 { font-size: 24px; margin: 0 0 8px; }
h2 { font-size: 17px; margin: 0 0 10px; }
h3 { font-size: 14px; margin: 0 0 8px; font-weight: 600; }
code { font: 12px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; overflow-wrap: anywhere; }
section { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 16px 20px; }
.facts { display: flex; flex-wrap: wrap; gap: 8px 28px; margin: 0; }
.facts dt { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
.facts dd { margin: 0; font-weight: 600; }
.sub { color: var(--muted); margin: -6px 0 12px; }
.ok { color: var(--good); font-weight: 600; margin: 0; }
.bad { color: var(--err); font-weight: 600; margin: 0 0 8px; }
.empty { color: var(--muted); font-style: italic; margin: 0; }
.alerts { list-style: none; margin: 0; padding: 0; display: grid; gap: 8px; }
.alert { border-left: 4px solid var(--warn); background: #fff8c5; padding: 8px 12px; border-radius: 4px; }
.alert.error { border-color: var(--err); background: #ffebe9; }
.alert .badge { font-weight: 700; text-transform: uppercase; font-size: 11px; margin-right: 8px; color: var(--warn); }
.alert.error .badge { color: var(--err); }
.alert .kind { color: var(--muted); font-size: 12px; }
.alert p { margin: 2px 0 0; }
.alert .hint { color: var(--muted); }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(520px, 1fr)); gap: 16px; }
.chart { border: 1px solid var(--line); border-radius: 6px; padding: 12px; min-height: 120px; overflow: hidden; }
.sheet { list-style: none; margin: 0; padding: 0; display: grid; grid-template-columns: repeat(auto-fill, minmax(220px, 1fr)); gap: 12px; }
.item { border: 1px solid var(--line); border-radius: 6px; padding: 10px; display: grid; gap: 6px; align-content: start; }
.thumbs { display: flex; align-items: center; gap: 6px; min-height: 96px; }
.thumbs img { max-width: 100%; max-height: 120px; border-radius: 3px; background: #eee; }
.item.replaced .thumbs img, .item.replaced .missing { max-width: 44%; }
.item.deleted .thumbs img { opacity: .45; filter: grayscale(1); }
.arrow { color: var(--muted); font-size: 18px; }
.missing { width: 96px; height: 96px; display: grid; place-items: center; text-align: center; padding: 6px; font-size: 11px;
  color: var(--muted); border: 1px dashed var(--line); border-radius: 3px; }
.change { font-size: 11px; font-weight: 700; text-transform: uppercase; letter-spacing: .04em; }
.item.new .change { color: var(--good); }
.item.replaced .change { color: #0969da; }
.item.deleted .change { color: var(--err); }
.more { color: var(--muted); margin: 12px 0 0; }
.classes { border-collapse: collapse; margin-bottom: 8px; }
.classes td { padding: 2px 16px 2px 0; border-bottom: 1px solid var(--line); }
.num { text-align: right; font-variant-numeric: tabular-nums; }
.examples { margin: 0; padding-left: 18px; }
#notes p { margin: 0 0 6px; color: var(--muted); }
`;
