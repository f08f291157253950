/**
 * The page's own script, as text (plain ES2017: it runs in the browser, not through our TypeScript build).
 * It reads the charts from `#dashboard-data`, draws each with uPlot, and tells a test what it drew through
 * `window.dashboardCharts` and `body[data-ready]`.
 */
export const DASHBOARD_SCRIPT = String.raw`
(function () {
  'use strict';
  var COLORS = ['#2563eb', '#dc2626', '#059669', '#d97706', '#7c3aed', '#0891b2'];
  var charts = JSON.parse(document.getElementById('dashboard-data').textContent).charts;
  window.dashboardCharts = {};

  function trim(x, digits) { return String(Number(x.toFixed(digits))); }
  function format(unit, v) {
    if (v == null) return '';
    var a = Math.abs(v);
    if (unit === 'bytes') {
      var names = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'], i = 0;
      while (a >= 1024 && i < names.length - 1) { a /= 1024; i++; }
      return (v < 0 ? '-' : '') + trim(a, a < 10 ? 1 : 0) + ' ' + names[i];
    }
    if (unit === 'usd') {
      var cents = a >= 100 ? a.toFixed(0) : a.toFixed(2);
      // Below a cent, two decimals would say $0.00: show the figure's own digits instead.
      if (a !== 0 && Math.abs(Number(cents) - a) > a * 1e-6) cents = String(Number(a.toPrecision(2)));
      return (v < 0 ? '-$' : '$') + cents;
    }
    if (unit === 'seconds') return a < 60 ? trim(v, 1) + ' s' : a < 3600 ? trim(v / 60, 1) + ' min' : trim(v / 3600, 1) + ' h';
    if (a >= 1e6) return trim(v / 1e6, 1) + 'M';
    if (a >= 1e4) return trim(v / 1e3, 1) + 'k';
    return trim(v, 2);
  }
  // Tick steps a reader expects: whole counts, binary sizes (1 GB, not 954 MB), durations in s, min and h.
  var INCRS = { count: [], bytes: [], seconds: [0.01, 0.02, 0.05, 0.1, 0.2, 0.25, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800,
    3600, 7200, 10800, 21600, 43200, 86400] };
  for (var e = 0; e < 16; e++) [1, 2, 5].forEach(function (m) { INCRS.count.push(m * Math.pow(10, e)); });
  for (var k = 0; k < 6; k++) [1, 2, 5, 10, 20, 50, 100, 200, 500].forEach(function (m) { INCRS.bytes.push(m * Math.pow(1024, k)); });
  var MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  function monthStarts(xs) {
    return xs.every(function (ts) { var d = new Date(ts * 1e3); return d.getUTCDate() === 1 && ts % 86400 === 0; });
  }
  function xAxis(xs) {
    var axis = { stroke: '#555', grid: { stroke: '#eee' } };
    if (!monthStarts(xs)) return axis;
    // Monthly figures: one tick per month, named, rather than weekly dates between them.
    axis.splits = function () { return xs; };
    axis.values = function (u, splits) {
      return splits.map(function (ts) { var d = new Date(ts * 1e3); return MONTHS[d.getUTCMonth()] + ' ' + d.getUTCFullYear(); });
    };
    return axis;
  }

  var pending = 0;
  function finished(id, u) {
    if (window.dashboardCharts[id]) return;
    window.dashboardCharts[id] = { points: u.data[0].length, series: u.data.length - 1 };
    if (--pending === 0) document.body.dataset.ready = 'true';
  }

  function draw(chart, target) {
    var unit = chart.unit;
    var series = [{ label: 'time' }].concat(chart.labels.map(function (label, i) {
      // spanGaps: a series is null at the other series' runs (a sync between two builds); the line joins its own points.
      return { label: label, stroke: COLORS[i % COLORS.length], width: 2, points: { size: 6 }, spanGaps: true,
        value: function (u, v) { return format(unit, v); } };
    }));
    var opts = {
      width: Math.max(280, target.clientWidth - 24), height: 220, series: series,
      tzDate: function (ts) { return uPlot.tzDate(new Date(ts * 1e3), 'Etc/UTC'); },
      // A static legend (labels only): the page is read, and screenshotted, without a pointer over it.
      legend: { live: false },
      padding: [12, 28, 0, 0],
      // One point alone would be spread over years by uPlot's auto range: show the day around it.
      scales: chart.data[0].length === 1 ? { x: { time: true, range: function () { var t = chart.data[0][0]; return [t - 43200, t + 43200]; } } } : {},
      axes: [xAxis(chart.data[0]), {
        stroke: '#555', grid: { stroke: '#eee' }, size: 64, incrs: INCRS[unit],
        values: function (u, splits) { return splits.map(function (v) { return format(unit, v); }); },
      }],
      hooks: { draw: [function (u) { finished(chart.id, u); }] },
    };
    new uPlot(opts, chart.data, target);
  }

  var drawable = charts.filter(function (c) { return c.data[0].length > 0; });
  charts.forEach(function (c) {
    if (c.data[0].length === 0) window.dashboardCharts[c.id] = { points: 0, series: c.labels.length };
  });
  pending = drawable.length;
  if (pending === 0) document.body.dataset.ready = 'true';
  drawable.forEach(function (c) {
    try { draw(c, document.getElementById('chart-' + c.id)); } catch (err) { console.error('chart ' + c.id + ' was not drawn: ' + err); }
  });
})();
`;
