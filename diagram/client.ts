// The diagram page's own script, as text: page.ts inlines it after the builder's source
// (`createDiagramBuilder` from model.ts). Plain ES2020 for any browser and VS Code webviews.
// Written without backquotes and `${` (it lives in a string) and without the closing script tag.
//
// Drawing: one canvas, sticky inside a scrolling element whose spacer is as tall as the whole
// diagram; each frame draws only the rows on screen. Arrows are found through buckets of rows,
// so a frame costs what is visible, not what the record holds.
//
// Test hooks (documented in docs/cli.md): body data-arrows (arrows after filters), data-drawn
// (arrows in the last frame), data-ready (first frame drawn), and window.kvcmdDiagram.
export const CLIENT_JS = String.raw`
(function () {
  'use strict';
  var vscode = typeof acquireVsCodeApi === 'function' ? acquireVsCodeApi() : null;
  var data = JSON.parse(document.getElementById('kvcmd-diagram-data').textContent || '{}');
  var scriptLines = data.scriptLines || undefined;

  var ROW = 22, HEAD = 44, LANE_W = 150, GUTTER = 250, PAD = 60, BUCKET = 64;
  var LOCAL = { applied: 1, put: 1, get: 1, failed: 1, store: 1 };

  var scroller = document.getElementById('scroller');
  var canvas = document.getElementById('canvas');
  var spacer = document.getElementById('spacer');
  var tip = document.getElementById('tip');
  var details = document.getElementById('details');
  var summary = document.getElementById('summary');
  var ctx = canvas.getContext('2d');

  var builder, M;
  var hiddenNodes = {}, hiddenKinds = {}, showLocal = true;
  var laneX = {}, visLanes = [];
  var buckets = [], openArrows = [], spans = [];
  var seen = new Int32Array(0), frame = 0;
  var colors = {};
  var hits = [];
  var selected = null;   // [0|1, index]
  var hover = null;
  var highlightLine = 0;
  var visibleArrows = 0, drawnArrows = 0, drawnList = [];
  var pending = false;

  function reset(events) {
    builder = createDiagramBuilder(scriptLines);
    M = builder.model;
    selected = null;
    hover = null;
    for (var i = 0; i < events.length; i++) builder.add(events[i]);
  }

  // ---- theme -------------------------------------------------------------------------------
  var COLOR_NAMES = ['bg', 'fg', 'muted', 'grid', 'lane', 'band', 'band2', 'hl', 'sel', 'lost', 'cut', 'link', 'stab', 'applied', 'head', 'server', 'client',
    'k-put', 'k-putReply', 'k-get', 'k-getReply', 'k-gossip', 'k-spread', 'k-gossipAck', 'k-explore', 'k-exploreReply', 'k-install', 'k-installAck'];
  function readColors() {
    var cs = getComputedStyle(document.documentElement);
    for (var i = 0; i < COLOR_NAMES.length; i++) colors[COLOR_NAMES[i]] = cs.getPropertyValue('--kd-' + COLOR_NAMES[i]).trim() || '#888';
  }
  function kindColor(kind) { return colors['k-' + kind] || colors.fg; }

  // ---- layout and indexes ------------------------------------------------------------------
  function nodeName(n) {
    for (var i = 0; i < M.lanes.length; i++) if (M.lanes[i].node === n) return M.lanes[i].role + ' ' + n;
    return 'node ' + n;
  }
  function arrowShown(a) { return !hiddenKinds[a.kind] && !hiddenNodes[a.from] && !hiddenNodes[a.to]; }
  function markShown(m) {
    if (LOCAL[m.kind] && !showLocal) return false;
    if (m.nodes.length === 0) return true;
    if (m.kind === 'cut' || m.kind === 'link') return !hiddenNodes[m.nodes[0]] && !hiddenNodes[m.nodes[1]];
    for (var i = 0; i < m.nodes.length; i++) if (!hiddenNodes[m.nodes[i]]) return true;
    return false;
  }
  function itemShown(it) { return it[0] === 0 ? arrowShown(M.arrows[it[1]]) : markShown(M.marks[it[1]]); }
  function itemRow(it) { return it[0] === 0 ? M.arrows[it[1]].sendRow : M.marks[it[1]].row; }
  function itemLine(it) { return it[0] === 0 ? M.arrows[it[1]].line : M.marks[it[1]].line; }

  function layout() {
    visLanes = [];
    laneX = {};
    for (var i = 0; i < M.lanes.length; i++) {
      var l = M.lanes[i];
      if (hiddenNodes[l.node]) continue;
      laneX[l.node] = GUTTER + visLanes.length * LANE_W + LANE_W / 2;
      visLanes.push(l);
    }
    // Nodes that are hidden still get a place for arrows' ends (never drawn, but safe).
    for (var j = 0; j < M.lanes.length; j++) if (laneX[M.lanes[j].node] === undefined) laneX[M.lanes[j].node] = -1000;
    visibleArrows = 0;
    for (var k = 0; k < M.arrows.length; k++) if (arrowShown(M.arrows[k])) visibleArrows++;
    document.body.dataset.arrows = String(visibleArrows);
    summary.textContent = summaryText();
    sizeSpacer();
  }

  function summaryText() {
    var lost = 0;
    for (var i = 0; i < M.arrows.length; i++) if (M.arrows[i].lost) lost++;
    var s = visibleArrows + (visibleArrows === M.arrows.length ? '' : ' of ' + M.arrows.length) + ' messages' + (lost ? ', ' + lost + ' lost' : '') + ', ' + M.lanes.length + ' nodes';
    if (M.run) s += ' · seed ' + M.run.seed + ', gossip ' + M.run.gossip + (M.run.backend === 'model' ? ', model' : '');
    return s;
  }

  function index() {
    buckets = [];
    openArrows = [];
    spans = [];
    for (var i = 0; i < M.arrows.length; i++) {
      var a = M.arrows[i];
      if (a.endRow < 0) { openArrows.push(i); continue; }
      var lo = Math.min(a.sendRow, a.endRow), hi = Math.max(a.sendRow, a.endRow);
      for (var b = Math.floor(lo / BUCKET); b <= Math.floor(hi / BUCKET); b++) (buckets[b] || (buckets[b] = [])).push(i);
    }
    for (var j = 0; j < M.marks.length; j++) if (M.marks[j].kind === 'stabilize' && M.marks[j].endRow !== M.marks[j].row) spans.push(j);
    if (seen.length < M.arrows.length) seen = new Int32Array(Math.max(1024, M.arrows.length * 2));
  }

  function contentHeight() { return HEAD + M.rows * ROW + ROW * 2; }
  function contentWidth() { return GUTTER + visLanes.length * LANE_W + PAD; }

  function sizeSpacer() {
    var h = scroller.clientHeight, w = scroller.clientWidth;
    spacer.style.height = Math.max(0, contentHeight() - h) + 'px';
    spacer.style.width = Math.max(w, contentWidth()) + 'px';
  }

  // ---- drawing -----------------------------------------------------------------------------
  function schedule() {
    if (pending) return;
    pending = true;
    requestAnimationFrame(function () { pending = false; draw(); });
  }

  function lowerBound(arr, key, row) {
    var lo = 0, hi = arr.length;
    while (lo < hi) { var mid = (lo + hi) >> 1; if (key(arr[mid]) < row) lo = mid + 1; else hi = mid; }
    return lo;
  }

  function draw() {
    var W = scroller.clientWidth, H = scroller.clientHeight, dpr = window.devicePixelRatio || 1;
    if (canvas.width !== Math.round(W * dpr) || canvas.height !== Math.round(H * dpr)) {
      canvas.width = Math.round(W * dpr);
      canvas.height = Math.round(H * dpr);
      canvas.style.width = W + 'px';
      canvas.style.height = H + 'px';
    }
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    var top = scroller.scrollTop, left = scroller.scrollLeft;
    var Y = function (r) { return HEAD + r * ROW + ROW / 2 - top; };
    var X = function (n) { return laneX[n] - left; };
    var r0 = Math.max(0, Math.floor((top - ROW) / ROW)), r1 = Math.ceil((top + H) / ROW);
    var lastRow = Math.max(0, M.rows - 1);
    frame++;
    hits = [];
    drawnArrows = 0;
    drawnList = [];
    ctx.fillStyle = colors.bg;
    ctx.fillRect(0, 0, W, H);
    ctx.textBaseline = 'middle';

    // Bands of script lines: alternate shading, the highlighted line stronger, text in the gutter.
    var bi = lowerBound(M.bands, function (b) { return b.to; }, r0);
    var gutterText = [];
    for (; bi < M.bands.length && M.bands[bi].from <= r1; bi++) {
      var band = M.bands[bi];
      var y0 = HEAD + band.from * ROW - top, y1 = HEAD + (band.to + 1) * ROW - top;
      var hl = highlightLine && band.line === highlightLine;
      ctx.fillStyle = hl ? colors.hl : band.line % 2 ? colors.band : colors.band2;
      ctx.fillRect(0, y0, W, y1 - y0);
      ctx.fillStyle = colors.grid;
      ctx.fillRect(0, y0, W, 1);
      gutterText.push([band, Math.max(y0, HEAD) , y1, hl]);
    }

    // Stabilize spans across the lanes.
    for (var si = 0; si < spans.length; si++) {
      var sm = M.marks[spans[si]];
      var end = sm.endRow < 0 ? lastRow : sm.endRow;
      if (end < r0 || sm.row > r1) continue;
      var sy0 = Y(sm.row) - ROW / 2, sy1 = Y(end) + ROW / 2;
      ctx.fillStyle = colors.stab;
      ctx.globalAlpha = 0.12;
      ctx.fillRect(GUTTER - left, sy0, visLanes.length * LANE_W, sy1 - sy0);
      ctx.globalAlpha = 1;
      ctx.fillRect(GUTTER - left + 2, sy0, 3, sy1 - sy0);
    }

    // Lanes: dotted where the node is not running, solid while it runs.
    for (var li = 0; li < visLanes.length; li++) {
      var lane = visLanes[li], lx = X(lane.node);
      if (lx < GUTTER - 20 || lx > W + 20) continue;
      ctx.strokeStyle = colors.grid;
      ctx.lineWidth = 1;
      ctx.setLineDash([2, 4]);
      ctx.beginPath(); ctx.moveTo(lx, HEAD); ctx.lineTo(lx, H); ctx.stroke();
      ctx.setLineDash([]);
      ctx.strokeStyle = colors.lane;
      ctx.lineWidth = 2;
      for (var sg = 0; sg < lane.segments.length; sg++) {
        var seg = lane.segments[sg];
        var sEnd = seg.to === undefined ? lastRow + 1 : seg.to;
        if (sEnd < r0 || seg.from > r1) continue;
        ctx.beginPath(); ctx.moveTo(lx, Math.max(HEAD, Y(seg.from))); ctx.lineTo(lx, Math.min(H, Y(sEnd))); ctx.stroke();
      }
      // A paused server: its lane broad and faint while it takes nothing in.
      for (var pi = 0; lane.paused && pi < lane.paused.length; pi++) {
        var ps = lane.paused[pi];
        var pEnd = ps.to === undefined ? lastRow + 1 : ps.to;
        if (pEnd < r0 || ps.from > r1) continue;
        ctx.globalAlpha = 0.3;
        ctx.fillStyle = colors.cut;
        var py0 = Math.max(HEAD, Y(ps.from)), py1 = Math.min(H, Y(pEnd));
        ctx.fillRect(lx - 4, py0, 8, py1 - py0);
        ctx.globalAlpha = 1;
      }
    }

    // Marks on screen (rows only grow, so marks are sorted by row).
    var labelsOk = true;
    var mi = lowerBound(M.marks, function (m) { return m.row; }, r0);
    for (; mi < M.marks.length && M.marks[mi].row <= r1; mi++) {
      var m = M.marks[mi];
      if (!markShown(m)) continue;
      drawMark(m, mi, Y(m.row), X);
    }

    // Arrows crossing the window: buckets of rows, each arrow once per frame.
    var todo = [];
    for (var b = Math.floor(r0 / BUCKET); b <= Math.floor(r1 / BUCKET); b++) {
      var list = buckets[b];
      if (!list) continue;
      for (var q = 0; q < list.length; q++) {
        var ai = list[q];
        if (seen[ai] === frame) continue;
        seen[ai] = frame;
        var a = M.arrows[ai];
        var lo = Math.min(a.sendRow, a.endRow), hi = Math.max(a.sendRow, a.endRow);
        if (hi < r0 || lo > r1 || !arrowShown(a)) continue;
        todo.push(ai);
      }
    }
    for (var oi = 0; oi < openArrows.length; oi++) {
      var oa = M.arrows[openArrows[oi]];
      if (oa.sendRow <= r1 && arrowShown(oa)) todo.push(openArrows[oi]);
    }
    labelsOk = todo.length <= 120;
    for (var t = 0; t < todo.length; t++) drawArrow(todo[t], Y, X, lastRow, labelsOk);
    drawnArrows = todo.length;
    drawnList = todo;

    // Gutter over everything: line numbers and the script's text.
    ctx.fillStyle = colors.bg;
    ctx.fillRect(0, HEAD, GUTTER - 8, H - HEAD);
    ctx.font = '12px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace';
    for (var g = 0; g < gutterText.length; g++) {
      var gt = gutterText[g], bd = gt[0];
      var gy0 = HEAD + bd.from * ROW - top, gy1 = gt[2];
      ctx.fillStyle = gt[3] ? colors.hl : bd.line % 2 ? colors.band : colors.band2;
      ctx.fillRect(0, gy0, GUTTER - 8, gy1 - gy0);
      ctx.fillStyle = colors.grid;
      ctx.fillRect(0, gy0, GUTTER - 8, 1);
      if (!bd.line) continue;
      var ty = Math.min(Math.max(gt[1] + ROW / 2, HEAD + ROW / 2), gy1 - ROW / 2);
      ctx.fillStyle = colors.muted;
      ctx.textAlign = 'right';
      ctx.fillText(String(bd.line), 34, ty);
      ctx.textAlign = 'left';
      ctx.fillStyle = gt[3] ? colors.fg : colors.fg;
      ctx.fillText(clip(bd.text.replace(/\s+/g, ' '), GUTTER - 56), 42, ty);
      hits.push({ kind: 'band', band: bd, x1: 0, x2: GUTTER - 8, y1: gy0, y2: gy1 });
    }
    ctx.fillStyle = colors.grid;
    ctx.fillRect(GUTTER - 8, HEAD, 1, H - HEAD);

    // Header: lane names, sticky.
    ctx.fillStyle = colors.head;
    ctx.fillRect(0, 0, W, HEAD);
    ctx.fillStyle = colors.grid;
    ctx.fillRect(0, HEAD - 1, W, 1);
    ctx.font = '600 13px system-ui, -apple-system, Segoe UI, sans-serif';
    ctx.textAlign = 'left';
    ctx.fillStyle = colors.muted;
    ctx.fillText('script line', 12, HEAD / 2);
    ctx.textAlign = 'center';
    for (var hi2 = 0; hi2 < visLanes.length; hi2++) {
      var hl2 = visLanes[hi2], hx = X(hl2.node);
      if (hx < GUTTER - LANE_W / 2 || hx > W + LANE_W) continue;
      var last = hl2.segments[hl2.segments.length - 1];
      var alive = last && last.to === undefined;
      ctx.fillStyle = hl2.role === 'server' ? colors.server : colors.client;
      ctx.globalAlpha = alive ? 1 : 0.45;
      roundRect(hx - 52, 9, 104, HEAD - 18, 6);
      ctx.fill();
      ctx.globalAlpha = 1;
      ctx.fillStyle = colors.bg;
      ctx.fillText(hl2.role + ' ' + hl2.node, hx, HEAD / 2 + 0.5);
    }
    ctx.textAlign = 'left';

    document.body.dataset.drawn = String(drawnArrows);
    if (!document.body.dataset.ready) {
      // ms from the start of navigation to the first frame (the bench reads it).
      window.kvcmdDiagram.readyMs = performance.now();
      document.body.dataset.ready = '1';
      if (vscode) vscode.postMessage({ type: 'ready' });
    }
  }

  function clip(s, width) {
    if (ctx.measureText(s).width <= width) return s;
    var lo = 0, hi = s.length;
    while (lo < hi) { var mid = (lo + hi + 1) >> 1; if (ctx.measureText(s.slice(0, mid) + '…').width <= width) lo = mid; else hi = mid - 1; }
    return s.slice(0, lo) + '…';
  }

  function roundRect(x, y, w, h, r) {
    ctx.beginPath();
    ctx.moveTo(x + r, y); ctx.lineTo(x + w - r, y); ctx.quadraticCurveTo(x + w, y, x + w, y + r);
    ctx.lineTo(x + w, y + h - r); ctx.quadraticCurveTo(x + w, y + h, x + w - r, y + h);
    ctx.lineTo(x + r, y + h); ctx.quadraticCurveTo(x, y + h, x, y + h - r);
    ctx.lineTo(x, y + r); ctx.quadraticCurveTo(x, y, x + r, y);
    ctx.closePath();
  }

  function isSel(kind, i) { return selected && selected[0] === kind && selected[1] === i; }

  function labelAt(text, x, y, color, align, bold) {
    ctx.font = (bold ? '600 ' : '') + '11px system-ui, -apple-system, Segoe UI, sans-serif';
    var w = ctx.measureText(text).width;
    var x0 = align === 'left' ? x : x - w / 2;
    ctx.fillStyle = colors.bg;
    ctx.globalAlpha = 0.85;
    ctx.fillRect(x0 - 3, y - 7, w + 6, 14);
    ctx.globalAlpha = 1;
    ctx.fillStyle = color;
    ctx.textAlign = 'left';
    ctx.fillText(text, x0, y);
  }

  function drawMark(m, i, y, X) {
    var sel = isSel(1, i), hl = highlightLine && m.line === highlightLine;
    ctx.lineWidth = sel ? 3 : 1.5;
    if (m.kind === 'cut' || m.kind === 'link') {
      var xa = X(m.nodes[0]), xb = X(m.nodes[1]);
      ctx.strokeStyle = sel ? colors.sel : m.kind === 'cut' ? colors.cut : colors.link;
      ctx.setLineDash(m.kind === 'cut' ? [5, 4] : [2, 3]);
      ctx.beginPath(); ctx.moveTo(xa, y); ctx.lineTo(xb, y); ctx.stroke();
      ctx.setLineDash([]);
      ctx.fillStyle = ctx.strokeStyle;
      for (var e = 0; e < 2; e++) { ctx.beginPath(); ctx.arc(e ? xb : xa, y, 3, 0, 7); ctx.fill(); }
      labelAt(m.label, (xa + xb) / 2, y, ctx.strokeStyle);
      hits.push({ kind: 'mark', i: i, x1: Math.min(xa, xb), x2: Math.max(xa, xb), y1: y - 5, y2: y + 5 });
      return;
    }
    if (m.kind === 'fault' && m.nodes.length === 2) {
      // Between its two lanes, with a head at the receiving end: a fault acts in one direction.
      var fa = X(m.nodes[0]), fb = X(m.nodes[1]);
      ctx.strokeStyle = sel ? colors.sel : colors.cut;
      ctx.fillStyle = ctx.strokeStyle;
      ctx.setLineDash([1, 3]);
      ctx.beginPath(); ctx.moveTo(fa, y); ctx.lineTo(fb, y); ctx.stroke();
      ctx.setLineDash([]);
      var dir = fb >= fa ? 1 : -1;
      ctx.beginPath(); ctx.moveTo(fb, y); ctx.lineTo(fb - dir * 7, y - 4); ctx.lineTo(fb - dir * 7, y + 4); ctx.closePath(); ctx.fill();
      labelAt(m.label, (fa + fb) / 2, y, ctx.strokeStyle);
      hits.push({ kind: 'mark', i: i, x1: Math.min(fa, fb), x2: Math.max(fa, fb), y1: y - 5, y2: y + 5 });
      return;
    }
    if (m.kind === 'stabilize' || (m.kind === 'fault' && m.nodes.length === 0)) {
      var x0 = GUTTER - scroller.scrollLeft + 10;
      labelAt(m.label, x0, y, sel ? colors.sel : m.kind === 'fault' ? colors.cut : colors.stab, 'left');
      hits.push({ kind: 'mark', i: i, x1: x0 - 4, x2: x0 + 90, y1: y - 8, y2: y + 8 });
      return;
    }
    if (m.kind === 'group') {
      var xs = [];
      for (var n = 0; n < m.nodes.length; n++) if (!hiddenNodes[m.nodes[n]]) xs.push(X(m.nodes[n]));
      if (xs.length === 0) return;
      var gx0 = Math.min.apply(null, xs), gx1 = Math.max.apply(null, xs);
      ctx.strokeStyle = sel ? colors.sel : colors.stab;
      ctx.fillStyle = ctx.strokeStyle;
      ctx.lineWidth = sel ? 4 : 2.5;
      ctx.beginPath(); ctx.moveTo(gx0, y); ctx.lineTo(gx1, y); ctx.stroke();
      for (var k = 0; k < xs.length; k++) { ctx.beginPath(); ctx.arc(xs[k], y, 4, 0, 7); ctx.fill(); }
      labelAt(m.label, gx1 + 10, y, ctx.strokeStyle, 'left');
      hits.push({ kind: 'mark', i: i, x1: gx0 - 5, x2: gx1 + 60, y1: y - 6, y2: y + 6 });
      return;
    }
    var x = X(m.nodes[0]);
    var c = m.kind === 'failed' || m.kind === 'kill' ? colors.lost : m.kind === 'applied' ? colors.applied : m.kind === 'join' ? colors.lane
      : m.kind === 'put' ? kindColor('put') : m.kind === 'get' ? kindColor('get')
      : m.kind === 'fault' || m.kind === 'pause' || m.kind === 'resume' ? colors.cut : colors.muted;
    if (sel) c = colors.sel;
    ctx.fillStyle = c;
    ctx.strokeStyle = c;
    if (m.kind === 'kill' || m.kind === 'failed') {
      ctx.lineWidth = sel ? 4 : 3;
      ctx.beginPath(); ctx.moveTo(x - 6, y - 6); ctx.lineTo(x + 6, y + 6); ctx.moveTo(x + 6, y - 6); ctx.lineTo(x - 6, y + 6); ctx.stroke();
    } else if (m.kind === 'join') {
      ctx.beginPath(); ctx.arc(x, y, 6, 0, 7); ctx.fill();
      ctx.fillStyle = colors.bg; ctx.beginPath(); ctx.arc(x, y, 2.5, 0, 7); ctx.fill();
    } else if (m.kind === 'store') {
      ctx.fillRect(x - 4, y - 4, 8, 8);
    } else if (m.kind === 'pause') {
      ctx.fillRect(x - 5, y - 5, 3.5, 10); ctx.fillRect(x + 1.5, y - 5, 3.5, 10);
    } else if (m.kind === 'resume') {
      ctx.beginPath(); ctx.moveTo(x - 4, y - 6); ctx.lineTo(x + 6, y); ctx.lineTo(x - 4, y + 6); ctx.closePath(); ctx.fill();
    } else {
      ctx.beginPath(); ctx.arc(x, y, sel ? 5 : 4, 0, 7); ctx.fill();
    }
    if (hl) { ctx.strokeStyle = colors.sel; ctx.lineWidth = 2; ctx.beginPath(); ctx.arc(x, y, 9, 0, 7); ctx.stroke(); }
    if (m.kind !== 'join') labelAt(m.label, x + 10, y, sel ? colors.sel : colors.muted, 'left');
    hits.push({ kind: 'mark', i: i, x1: x - 7, x2: x + 7, y1: y - 7, y2: y + 7 });
  }

  function drawArrow(i, Y, X, lastRow, withLabel) {
    var a = M.arrows[i];
    var x1 = X(a.from), y1 = Y(a.sendRow), x2 = X(a.to), y2 = Y(a.endRow < 0 ? lastRow + 1 : a.endRow);
    // Dropped by the network: it never got there, so it stops on the way, in a cross.
    if (a.lost === 'dropped') { x2 = x1 + (x2 - x1) * 0.6; y2 = y1 + (y2 - y1) * 0.6; }
    var sel = isSel(0, i), hl = highlightLine && a.line === highlightLine;
    var c = kindColor(a.kind);
    var reply = a.re !== undefined;
    if (hl || sel) {
      // A halo under the arrow: the selection (stronger) or the highlighted line.
      ctx.strokeStyle = colors.sel; ctx.globalAlpha = sel ? 0.45 : 0.25; ctx.lineWidth = sel ? 10 : 7; ctx.lineCap = 'round';
      ctx.beginPath(); ctx.moveTo(x1, y1); ctx.lineTo(x2, y2); ctx.stroke(); ctx.globalAlpha = 1; ctx.lineCap = 'butt';
    }
    ctx.strokeStyle = c;
    ctx.fillStyle = c;
    ctx.lineWidth = sel ? 3 : reply ? 1.25 : 1.75;
    if (a.lost || a.endRow < 0) ctx.setLineDash([6, 4]);
    ctx.beginPath(); ctx.moveTo(x1, y1); ctx.lineTo(x2, y2); ctx.stroke();
    ctx.setLineDash([]);
    ctx.beginPath(); ctx.arc(x1, y1, 2.5, 0, 7); ctx.fill();
    var ang = Math.atan2(y2 - y1, x2 - x1);
    if (a.lost) {
      ctx.strokeStyle = colors.lost;
      ctx.lineWidth = 2.5;
      ctx.beginPath(); ctx.moveTo(x2 - 6, y2 - 6); ctx.lineTo(x2 + 6, y2 + 6); ctx.moveTo(x2 + 6, y2 - 6); ctx.lineTo(x2 - 6, y2 + 6); ctx.stroke();
    } else if (a.endRow >= 0) {
      ctx.beginPath();
      ctx.moveTo(x2, y2);
      ctx.lineTo(x2 - 10 * Math.cos(ang - 0.4), y2 - 10 * Math.sin(ang - 0.4));
      ctx.lineTo(x2 - 10 * Math.cos(ang + 0.4), y2 - 10 * Math.sin(ang + 0.4));
      ctx.closePath(); ctx.fill();
    }
    if (withLabel || sel) {
      var text = a.label + (a.lost ? ' ' + a.lost : '');
      labelAt(text, x1 + (x2 - x1) * 0.5, y1 + (y2 - y1) * 0.5, c, undefined, sel);
    }
    hits.push({ kind: 'arrow', i: i, ax: x1, ay: y1, bx: x2, by: y2 });
  }

  // ---- hit testing, details ----------------------------------------------------------------
  function hitAt(px, py) {
    var best = null, bestD = 7;
    for (var h = hits.length - 1; h >= 0; h--) {
      var it = hits[h], d;
      if (it.kind === 'arrow') {
        var dx = it.bx - it.ax, dy = it.by - it.ay, len = dx * dx + dy * dy;
        var tt = len ? Math.max(0, Math.min(1, ((px - it.ax) * dx + (py - it.ay) * dy) / len)) : 0;
        var cx = it.ax + tt * dx - px, cy = it.ay + tt * dy - py;
        d = Math.sqrt(cx * cx + cy * cy);
      } else {
        d = px >= it.x1 && px <= it.x2 && py >= it.y1 && py <= it.y2 ? 0 : 99;
      }
      if (d < bestD) { bestD = d; best = it; }
    }
    return best;
  }

  function lineText(line) {
    var src = scriptLines && line > 0 ? scriptLines[line - 1] : undefined;
    return 'line ' + line + (src !== undefined ? ': ' + src.trim() : '');
  }
  function ms(t) { return (Math.round(t * 10) / 10) + ' ms'; }

  function describeItem(it) {
    if (it[0] === 0) {
      var a = M.arrows[it[1]];
      var s = [a.label + (a.lost ? ' (lost: ' + a.lost + ')' : a.endRow < 0 ? ' (in flight)' : ''),
        a.details + (a.delay ? ', held back ' + a.delay + ' ms by the network' : '') + (a.duplicate ? ' (its second copy: it arrived twice, and the copy was discarded)' : ''),
        'message ' + a.msg + (a.re ? ', reply to ' + a.re : '') + ': ' + nodeName(a.from) + ' → ' + nodeName(a.to),
        'Lamport counter ' + a.sendCounter + ' at the send' + (a.endCounter !== undefined ? ', ' + a.endCounter + ' at the delivery' : ''),
        lineText(a.line)];
      if (a.t !== undefined) s.push('sent at ' + ms(a.t) + (a.endT !== undefined ? ', ' + (a.lost ? 'lost' : 'delivered') + ' at ' + ms(a.endT) : ''));
      return s;
    }
    var m = M.marks[it[1]];
    var r = [m.text, lineText(m.line)];
    if (m.t !== undefined) r.push('at ' + ms(m.t));
    return r;
  }

  function showDetails(it) {
    details.textContent = it ? describeItem(it).join(' · ') : 'Click an arrow or a mark, or focus the diagram and use the arrow keys. Enter reveals its script line.';
  }

  function showTip(lines, px, py) {
    if (!lines) { tip.hidden = true; return; }
    tip.textContent = lines.join('\n');
    tip.hidden = false;
    var r = scroller.getBoundingClientRect();
    var x = r.left + px + 14, y = r.top + py + 14;
    if (x + tip.offsetWidth > window.innerWidth - 8) x = Math.max(8, r.left + px - tip.offsetWidth - 14);
    if (y + tip.offsetHeight > window.innerHeight - 8) y = Math.max(8, r.top + py - tip.offsetHeight - 14);
    tip.style.left = x + 'px';
    tip.style.top = y + 'px';
  }

  function toItem(h) { return h && h.kind !== 'band' ? [h.kind === 'arrow' ? 0 : 1, h.i] : null; }

  // ---- selection and keyboard --------------------------------------------------------------
  function orderPos(it) {
    var row = itemRow(it);
    var p = lowerBound(M.order, itemRow, row);
    for (; p < M.order.length; p++) if (M.order[p][0] === it[0] && M.order[p][1] === it[1]) return p;
    return -1;
  }

  function select(it, reveal) {
    selected = it;
    if (it) scrollToRow(itemRow(it), false);
    showDetails(it);
    schedule();
    if (it && reveal) doReveal(itemLine(it));
  }

  function doReveal(line) {
    if (!line) return;
    if (vscode) vscode.postMessage({ type: 'reveal', line: line });
    highlightLine = line;
    schedule();
  }

  function scrollToRow(row, center) {
    var y = HEAD + row * ROW, h = scroller.clientHeight;
    if (center || y < scroller.scrollTop + HEAD || y + ROW > scroller.scrollTop + h) scroller.scrollTop = Math.max(0, y - h / 3);
  }

  function step(dir, from) {
    var p = from;
    for (;;) {
      p += dir;
      if (p < 0 || p >= M.order.length) return null;
      if (itemShown(M.order[p])) return M.order[p];
    }
  }

  function firstInView() {
    var row = Math.max(0, Math.floor(scroller.scrollTop / ROW));
    var p = lowerBound(M.order, itemRow, row);
    return step(1, p - 1) || step(-1, M.order.length);
  }

  canvas.addEventListener('keydown', function (ev) {
    var cur = selected ? orderPos(selected) : -1, next;
    var page = Math.max(1, Math.floor((scroller.clientHeight - HEAD) / ROW) - 2);
    switch (ev.key) {
      case 'ArrowDown': case 'ArrowRight': case 'j':
        next = cur < 0 ? firstInView() : step(1, cur); break;
      case 'ArrowUp': case 'ArrowLeft': case 'k':
        next = cur < 0 ? firstInView() : step(-1, cur); break;
      case 'Home': next = step(1, -1); break;
      case 'End': next = step(-1, M.order.length); break;
      case 'PageDown': case 'PageUp': {
        var row = (selected ? itemRow(selected) : Math.floor(scroller.scrollTop / ROW)) + (ev.key === 'PageDown' ? page : -page);
        var p = lowerBound(M.order, itemRow, Math.max(0, row));
        next = ev.key === 'PageDown' ? step(1, p - 1) || step(-1, M.order.length) : step(-1, p + 1) || step(1, -1);
        break;
      }
      case 'Enter': case ' ':
        if (selected) doReveal(itemLine(selected));
        ev.preventDefault();
        return;
      case 'Escape':
        select(null, false); highlightLine = 0; schedule(); return;
      default: return;
    }
    ev.preventDefault();
    if (next) select(next, false);
  });

  canvas.addEventListener('mousemove', function (ev) {
    var r = canvas.getBoundingClientRect();
    var h = hitAt(ev.clientX - r.left, ev.clientY - r.top);
    var it = toItem(h);
    canvas.style.cursor = h ? 'pointer' : 'default';
    showTip(h && h.kind === 'band' ? [lineText(h.band.line)] : it ? describeItem(it) : null, ev.clientX - r.left, ev.clientY - r.top);
  });
  canvas.addEventListener('mouseleave', function () { tip.hidden = true; });
  canvas.addEventListener('click', function (ev) {
    var r = canvas.getBoundingClientRect();
    var h = hitAt(ev.clientX - r.left, ev.clientY - r.top);
    if (h && h.kind === 'band') { doReveal(h.band.line); return; }
    var it = toItem(h);
    select(it, true);
  });
  canvas.addEventListener('focus', function () { if (!selected) showDetails(null); });

  scroller.addEventListener('scroll', function () { tip.hidden = true; schedule(); }, { passive: true });
  if (typeof ResizeObserver === 'function') new ResizeObserver(function () { sizeSpacer(); schedule(); }).observe(scroller);
  else window.addEventListener('resize', function () { sizeSpacer(); schedule(); });

  // ---- filters -----------------------------------------------------------------------------
  var nodesBox = document.getElementById('f-nodes'), kindsBox = document.getElementById('f-kinds'), localBox = document.getElementById('f-local');
  function checkbox(parent, label, checked, swatch, onChange) {
    var l = document.createElement('label');
    var c = document.createElement('input');
    c.type = 'checkbox';
    c.checked = checked;
    c.addEventListener('change', function () { onChange(c.checked); });
    l.appendChild(c);
    if (swatch) { var s = document.createElement('span'); s.className = 'swatch'; s.style.background = swatch; l.appendChild(s); }
    l.appendChild(document.createTextNode(label));
    parent.appendChild(l);
  }
  function buildFilters() {
    while (nodesBox.children.length > 1) nodesBox.removeChild(nodesBox.lastChild);
    while (kindsBox.children.length > 1) kindsBox.removeChild(kindsBox.lastChild);
    M.lanes.forEach(function (l) {
      checkbox(nodesBox, l.role + ' ' + l.node, !hiddenNodes[l.node], null, function (on) { if (on) delete hiddenNodes[l.node]; else hiddenNodes[l.node] = true; refilter(); });
    });
    M.kinds.forEach(function (k) {
      checkbox(kindsBox, k, !hiddenKinds[k], kindColor(k), function (on) { if (on) delete hiddenKinds[k]; else hiddenKinds[k] = true; refilter(); });
    });
  }
  localBox.addEventListener('change', function () { showLocal = localBox.checked; schedule(); });
  function refilter() {
    if (selected && !itemShown(selected)) { selected = null; showDetails(null); }
    layout();
    schedule();
  }

  // ---- host messages (VS Code webview) and test hooks ------------------------------------
  var knownLanes = '', knownKinds = '';
  function afterData(follow) {
    index();
    var lanesKey = M.lanes.map(function (l) { return l.node; }).join(','), kindsKey = M.kinds.join(',');
    if (lanesKey !== knownLanes || kindsKey !== knownKinds) { knownLanes = lanesKey; knownKinds = kindsKey; buildFilters(); }
    layout();
    if (follow) scroller.scrollTop = scroller.scrollHeight;
    schedule();
  }

  window.addEventListener('message', function (ev) {
    var msg = ev.data;
    if (!msg || typeof msg !== 'object') return;
    if (msg.type === 'highlight' && typeof msg.line === 'number') {
      highlightLine = msg.line;
      for (var i = 0; i < M.order.length; i++) {
        if (itemLine(M.order[i]) === msg.line && itemShown(M.order[i])) { scrollToRow(itemRow(M.order[i]), true); break; }
      }
      schedule();
    } else if (msg.type === 'events' && Array.isArray(msg.events)) {
      var atEnd = scroller.scrollTop + scroller.clientHeight >= scroller.scrollHeight - ROW * 2;
      if (msg.reset) reset(msg.events);
      else for (var j = 0; j < msg.events.length; j++) builder.add(msg.events[j]);
      afterData(atEnd);
    } else if (msg.type === 'stats' && typeof msg.id === 'number') {
      postStats(msg.id);
    } else if (msg.type === 'click' && typeof msg.msg === 'string' && typeof msg.id === 'number') {
      clickMessage(msg.msg);
      postStats(msg.id);
    }
  });

  // A host's (or test's) questions: what is shown, highlighted and selected.
  function postStats(id) {
    if (!vscode) return;
    var hl = [];
    if (highlightLine) for (var i = 0; i < M.arrows.length; i++) if (M.arrows[i].line === highlightLine && arrowShown(M.arrows[i])) hl.push(M.arrows[i].msg);
    vscode.postMessage({
      type: 'stats', id: id, arrows: visibleArrows, drawn: drawnArrows, total: M.arrows.length, highlightLine: highlightLine,
      highlighted: hl, selectedMsg: selected && selected[0] === 0 ? M.arrows[selected[1]].msg : null,
      selected: selected ? describeItem(selected).join(' · ') : null,
    });
  }

  // A click where the arrow of message msg is drawn, scrolled into view first: what a user's click does.
  function clickMessage(msgId) {
    var at = -1;
    for (var i = M.arrows.length - 1; i >= 0; i--) if (M.arrows[i].msg === msgId) { at = i; break; }
    if (at < 0) return false;
    scrollToRow(M.arrows[at].sendRow, true);
    draw();
    var p = window.kvcmdDiagram.pointOf(msgId);
    if (!p) return false;
    var r = canvas.getBoundingClientRect();
    canvas.dispatchEvent(new MouseEvent('click', { bubbles: true, cancelable: true, clientX: r.left + p.x, clientY: r.top + p.y }));
    return true;
  }

  window.kvcmdDiagram = {
    readyMs: 0,
    get arrows() { return visibleArrows; },
    get drawn() { return drawnArrows; },
    get rows() { return M.rows; },
    drawnMessages: function () { return drawnList.map(function (i) { return M.arrows[i].msg; }); },
    select: function (msg) {
      for (var i = M.arrows.length - 1; i >= 0; i--) if (M.arrows[i].msg === msg) { select([0, i], false); return true; }
      return false;
    },
    pointOf: function (msg) {
      for (var h = 0; h < hits.length; h++) {
        var it = hits[h];
        if (it.kind === 'arrow' && M.arrows[it.i].msg === msg) return { x: (it.ax + it.bx) / 2, y: (it.ay + it.by) / 2 };
      }
      return null;
    },
    selected: function () { return selected ? describeItem(selected).join(' · ') : null; },
    scrollToEnd: function () { scroller.scrollTop = scroller.scrollHeight; draw(); },
    redraw: function () { draw(); },
    model: function () { return M; },
  };

  var themeChanged = function () { readColors(); buildFilters(); schedule(); };
  if (window.matchMedia) window.matchMedia('(prefers-color-scheme: dark)').addEventListener('change', themeChanged);
  if (typeof MutationObserver === 'function') {
    var mo = new MutationObserver(themeChanged);
    mo.observe(document.body, { attributes: true, attributeFilter: ['class'] });
    mo.observe(document.documentElement, { attributes: true, attributeFilter: ['style', 'class'] });
  }

  readColors();
  reset(data.events || []);
  showDetails(null);
  afterData(false);
  draw();
})();
`;
