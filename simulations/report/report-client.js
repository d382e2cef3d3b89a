// Drawing script inlined into a simulation report (render-report.ts): reads the JSON in #report-data and draws the
// uPlot charts and the travel heat map. Plain ES2019 for any browser; `uPlot` is the global of the inlined IIFE build.
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('report-data').textContent);
  if (data.kind !== 'run') return;

  var COLOURS = { arrived: '#2f6fdf', picked: '#e08a1e', despatched: '#1b9e5a', backlog: '#b42318', onShift: '#6b7280', busy: '#7c3aed' };
  var utc = function (ts) { return uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'); };
  // Every chart counts something: its y axis starts at zero.
  var fromZero = function (u, min, max) { return [0, Math.max(1, max) * 1.05]; };
  // 24-hour UTC clock times on the axis and in the legend; the date too when the run spans more than a day.
  var pad = function (n) { return (n < 10 ? '0' : '') + n; };
  var multiDay = data.t.length > 1 && data.t[data.t.length - 1] - data.t[0] > 86400;
  var clock = function (ts) {
    var d = new Date(ts * 1000);
    var hm = pad(d.getUTCHours()) + ':' + pad(d.getUTCMinutes());
    return multiDay ? pad(d.getUTCMonth() + 1) + '-' + pad(d.getUTCDate()) + ' ' + hm : hm;
  };
  var widthOf = function (el) { return Math.max(320, Math.floor(el.getBoundingClientRect().width)); };

  function timeChart(id, series, yLabel) {
    var el = document.getElementById(id);
    if (!el) return;
    var opts = {
      width: widthOf(el),
      height: 260,
      tzDate: utc,
      scales: { x: { time: true }, y: { range: fromZero } },
      series: [{ label: 'Time (UTC)', value: function (u, v) { return v == null ? '--' : clock(v); } }].concat(series.map(function (s) {
        return { label: s.label, stroke: s.colour, width: 2, fill: s.fill || undefined, paths: s.step ? uPlot.paths.stepped({ align: -1 }) : undefined };
      })),
      axes: [{ values: function (u, splits) { return splits.map(clock); } }, { label: yLabel }],
    };
    new uPlot(opts, [data.t].concat(series.map(function (s) { return s.values; })), el);
  }

  var per = data.sampleMinutes ? ' per ' + data.sampleMinutes + ' min' : '';
  timeChart('chart-throughput', [
    { label: 'Orders arrived', colour: COLOURS.arrived, values: data.ordersArrived, step: true },
    { label: 'Lines picked', colour: COLOURS.picked, values: data.linesPicked, step: true },
    { label: 'Orders despatched', colour: COLOURS.despatched, values: data.ordersDespatched, step: true },
  ], 'count' + per);
  timeChart('chart-backlog', [
    { label: 'Backlog (orders)', colour: COLOURS.backlog, values: data.backlog, fill: 'rgba(180,35,24,0.12)' },
  ], 'orders');
  timeChart('chart-utilisation', [
    { label: 'Pickers on shift', colour: COLOURS.onShift, values: data.pickersOnShift, fill: 'rgba(107,114,128,0.12)' },
    { label: 'Pickers busy', colour: COLOURS.busy, values: data.pickersBusy, fill: 'rgba(124,58,237,0.18)' },
  ], 'pickers');

  (function leadTime() {
    var el = document.getElementById('chart-lead-time');
    if (!el) return;
    var edges = data.leadTime.edges;
    var counts = data.leadTime.counts;
    var starts = edges.slice(0, counts.length);
    var binWidth = edges.length > 1 ? edges[1] - edges[0] : 1;
    new uPlot({
      width: widthOf(el),
      height: 260,
      scales: {
        x: { time: false, range: function () { return [edges[0], edges[edges.length - 1]]; } },
        y: { range: fromZero },
      },
      series: [
        { label: 'Minutes from', value: function (u, v) { return v == null ? '' : v + '–' + (v + binWidth); } },
        { label: 'Orders', stroke: '#2f6fdf', fill: 'rgba(47,111,223,0.45)', paths: uPlot.paths.bars({ size: [1, Infinity], align: 1 }), points: { show: false } },
      ],
      axes: [{ label: 'minutes' }, { label: 'orders' }],
    }, [starts, counts], el);
  })();

  (function heatmap() {
    var hm = data.heatmap;
    var canvas = document.getElementById('heatmap-canvas');
    var legend = document.getElementById('heatmap-legend');
    if (!canvas || !legend) return;
    // Perceptually ordered stops (dark blue → teal → yellow → red); colour by √(metres / max) so quiet aisles still show.
    var STOPS = [[24, 38, 84], [33, 113, 181], [65, 182, 196], [199, 233, 105], [254, 178, 76], [215, 48, 31]];
    function colour(f) {
      var x = Math.max(0, Math.min(1, f)) * (STOPS.length - 1);
      var i = Math.min(STOPS.length - 2, Math.floor(x));
      var t = x - i;
      var a = STOPS[i], b = STOPS[i + 1];
      return 'rgb(' + Math.round(a[0] + (b[0] - a[0]) * t) + ',' + Math.round(a[1] + (b[1] - a[1]) * t) + ',' + Math.round(a[2] + (b[2] - a[2]) * t) + ')';
    }
    var max = 0;
    for (var k = 0; k < hm.metres.length; k++) if (hm.metres[k] > max) max = hm.metres[k];
    var px = Math.max(2, Math.min(40, Math.floor(Math.min(820 / hm.cols, 560 / hm.rows))));
    canvas.width = hm.cols * px;
    canvas.height = hm.rows * px;
    var ctx = canvas.getContext('2d');
    ctx.fillStyle = '#eef0f3';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    for (var row = 0; row < hm.rows; row++) {
      for (var col = 0; col < hm.cols; col++) {
        var m = hm.metres[row * hm.cols + col];
        if (!(m > 0)) continue;
        ctx.fillStyle = colour(Math.sqrt(m / max));
        // Floor y grows upwards: row 0 is drawn at the bottom.
        ctx.fillRect(col * px, (hm.rows - 1 - row) * px, px, px);
      }
    }

    var barW = 18, h = Math.max(160, Math.min(canvas.height, 320)), pad = 8;
    legend.width = 110;
    legend.height = h + 2 * pad;
    var lc = legend.getContext('2d');
    for (var y = 0; y < h; y++) {
      lc.fillStyle = colour(1 - y / (h - 1));
      lc.fillRect(0, pad + y, barW, 1);
    }
    lc.fillStyle = '#1d2330';
    lc.font = '12px system-ui, sans-serif';
    lc.textBaseline = 'middle';
    [0, 0.25, 0.5, 0.75, 1].forEach(function (f) {
      var metres = max * f * f;
      var label = (metres >= 100 ? Math.round(metres).toLocaleString('en-GB') : metres.toFixed(1)) + ' m';
      lc.fillText(label, barW + 6, pad + (1 - f) * (h - 1));
    });
  })();
})();
