/* border-map: the timeline. A histogram of the incidents that pass every other filter (by
   side, incidents or claimed deaths), a brushable time window over it, two sliders for the
   keyboard, and playback (sliding or cumulative window, at a chosen speed). */
/* global BM */
(function(){
  'use strict';
  var DAY = 864e5;
  function dayNum(iso){ return Math.round(Date.parse(iso + 'T00:00:00Z') / DAY); }
  function iso(num){ return new Date(num * DAY).toISOString().slice(0, 10); }
  BM.dayNum = dayNum; BM.isoDay = iso;

  BM.timeline = function(map, src, o, parent){
    var days = src.days, el = {};
    var root = BM.el('div', 'bm-time', parent);
    root.id = o.id;
    var h = BM.el('div', 'bm-time-head', root);
    BM.el('b', '', h, o.title + ' ');
    el.range = BM.el('span', 'bm-time-range', h);
    el.range.setAttribute('aria-live', 'polite');
    var first = days.length ? dayNum(days[0]) : 0, last = days.length ? dayNum(days[days.length - 1]) : 0;
    var span = last - first + 1;
    var binDays = span <= 120 ? 1 : span <= 3 * 366 ? 7 : 30.4375;
    var nbins = Math.max(1, Math.ceil(span / binDays));
    var binLabel = binDays === 1 ? 'day' : binDays === 7 ? 'week' : 'month';
    var canvas = BM.el('canvas', 'bm-hist', root);
    canvas.setAttribute('role', 'img');
    canvas.height = 64;
    var what = BM.el('select', 'bm-hist-what', root);
    what.setAttribute('aria-label', 'Histogram of');
    [['n', 'Incidents per ' + binLabel], ['k', 'Claimed deaths per ' + binLabel + ' (largest claim)']].forEach(function(x){
      var op = BM.el('option', '', what, x[1]); op.value = x[0];
    });
    function slider(label, cls, value){
      var lab = BM.el('label', 'bm-time-slider', root);
      BM.el('span', '', lab, label);
      var inp = BM.el('input', cls, lab);
      inp.type = 'range'; inp.min = 0; inp.max = Math.max(0, days.length - 1); inp.step = 1; inp.value = value;
      inp.setAttribute('aria-label', label + ' date');
      inp.disabled = days.length < 2;
      return inp;
    }
    el.start = slider('From', 'bm-time-start', 0);
    el.end = slider('To', 'bm-time-end', Math.max(0, days.length - 1));
    var play = BM.el('div', 'bm-play', root);
    el.play = BM.el('button', 'bm-play-btn', play, '\u25b6 Play');
    el.play.type = 'button'; el.play.setAttribute('aria-pressed', 'false');
    el.speed = BM.el('select', 'bm-play-speed', play);
    el.speed.setAttribute('aria-label', 'Playback speed');
    [['1', '1 ' + binLabel + '/step'], ['4', '4 ' + binLabel + 's/step'], ['12', '12 ' + binLabel + 's/step']].forEach(function(x){
      var op = BM.el('option', '', el.speed, x[1]); op.value = x[0];
    });
    el.mode = BM.el('select', 'bm-play-mode', play);
    el.mode.setAttribute('aria-label', 'Playback window');
    [['slide', 'sliding window'], ['cumul', 'cumulative']].forEach(function(x){
      var op = BM.el('option', '', el.mode, x[1]); op.value = x[0];
    });
    el.count = BM.el('div', 'bm-time-count', root);
    el.count.setAttribute('aria-live', 'polite');
    el.note = BM.el('div', 'bm-note', root);

    /* ---- histogram ---- */
    var bins = null, sidesN = src.sides.length, hist = null, dirty = true;
    function compute(){
      var n = src.size(), mode = what.value, all = src.all, I = src.columns();
      hist = new Float64Array(nbins * sidesN);
      for (var i = 0; i < n; i++) {
        if (!src.inBase(i)) continue;
        var b = Math.min(nbins - 1, Math.floor((bins[all[i].d0]) / binDays));
        var v = mode === 'k' ? Math.max(0, I.kmax[i]) : 1;
        hist[b * sidesN + all[i].s] += v;
      }
      dirty = false;
    }
    function draw(){
      if (!bins) { bins = days.map(function(d){ return dayNum(d) - first; }); }
      if (dirty) compute();
      var w = canvas.clientWidth || 300, H = canvas.height;
      if (canvas.width !== w) canvas.width = w;
      var ctx = canvas.getContext('2d'), max = 0, b, j;
      for (b = 0; b < nbins; b++) {
        var tot = 0;
        for (j = 0; j < sidesN; j++) tot += hist[b * sidesN + j];
        if (tot > max) max = tot;
      }
      ctx.clearRect(0, 0, w, H);
      var bw = w / nbins, win = src.window;
      var x0 = (dayNum(win.start) - first) / span * w, x1 = (dayNum(win.end) - first + 1) / span * w;
      var full = win.start === days[0] && win.end === days[days.length - 1];
      if (!full) { ctx.fillStyle = 'rgba(255,224,138,.6)'; ctx.fillRect(x0, 0, Math.max(2, x1 - x0), H); }
      for (b = 0; b < nbins && max > 0; b++) {
        var y = H;
        for (j = 0; j < sidesN; j++) {
          var v = hist[b * sidesN + j];
          if (!v) continue;
          var hh = v / max * (H - 4);
          ctx.fillStyle = src.sides[j][2];
          ctx.fillRect(b * bw, y - hh, Math.max(2, bw - (bw > 3 ? 1 : 0)), hh);
          y -= hh;
        }
      }
      if (!full) { ctx.strokeStyle = '#8a6400'; ctx.lineWidth = 1.5; ctx.strokeRect(x0 + 0.5, 0.5, Math.max(2, x1 - x0) - 1, H - 1); }
      canvas.setAttribute('aria-label', 'Histogram of ' + what.options[what.selectedIndex].text.toLowerCase()
        + ', ' + days[0] + ' to ' + days[days.length - 1] + '; brushed window ' + win.start + ' to ' + win.end);
      ctl.maxBin = max;
    }
    what.addEventListener('change', function(){ dirty = true; draw(); });

    /* ---- the window ---- */
    var pending = null, want = null;
    function setWindow(a, z){  /* ISO days; at most one filter pass per frame (live preview) */
      want = [a, z];
      label(a, z);
      if (pending) return;
      pending = requestAnimationFrame(function(){ pending = null; var w = want; src.setTimeWindow(w[0], w[1]); });
    }
    function apply(moved){
      var a = +el.start.value, z = +el.end.value;
      if (a > z) { if (moved === el.start) el.end.value = z = a; else el.start.value = a = z; }
      setWindow(days[a], days[z]);
    }
    [el.start, el.end].forEach(function(inp){ inp.addEventListener('input', function(){ apply(inp); }); });
    function xDay(ev){
      var r = canvas.getBoundingClientRect();
      var f = Math.max(0, Math.min(0.99999, (ev.clientX - r.left) / r.width));
      return first + Math.floor(f * span);
    }
    var drag = null;
    canvas.addEventListener('pointerdown', function(ev){
      stop();
      var d = xDay(ev), w = src.window, a = dayNum(w.start), z = dayNum(w.end);
      drag = (d >= a && d <= z && (a !== first || z !== last)) ? {move: true, from: d, a: a, z: z} : {move: false, from: d};
      canvas.setPointerCapture(ev.pointerId);
      if (!drag.move) setWindow(iso(d), iso(d));
    });
    canvas.addEventListener('pointermove', function(ev){
      if (!drag) return;
      var d = xDay(ev);
      if (drag.move) {
        var off = Math.max(first - drag.a, Math.min(last - drag.z, d - drag.from));
        setWindow(iso(drag.a + off), iso(drag.z + off));
      } else {
        setWindow(iso(Math.min(d, drag.from)), iso(Math.max(d, drag.from)));
      }
    });
    canvas.addEventListener('pointerup', function(){ drag = null; });
    canvas.addEventListener('dblclick', function(){ stop(); src.setTimeWindow(); });

    /* ---- playback: one step every 80 ms (12.5 frames a second) ---- */
    var timer = null, frames = 0;
    function step(){
      var w = src.window, a = dayNum(w.start), z = dayNum(w.end), by = Math.round(+el.speed.value * binDays);
      if (z >= last) { stop(); return; }
      var nz = Math.min(last, z + by);
      var na = el.mode.value === 'cumul' ? first : Math.min(a + (nz - z), nz);
      src.setTimeWindow(iso(na), iso(nz));
      frames++;
    }
    function start(){
      if (timer) return;
      var w = src.window;
      if (dayNum(w.end) >= last) {  /* from the beginning: one step wide, or the current width */
        var width = (w.start === days[0] && w.end === days[days.length - 1]) ? Math.round(binDays * 4) - 1 : dayNum(w.end) - dayNum(w.start);
        src.setTimeWindow(days[0], iso(first + width));
      }
      timer = setInterval(step, 80);
      el.play.textContent = '\u23f8 Pause'; el.play.setAttribute('aria-pressed', 'true');
    }
    function stop(){
      if (!timer) return;
      clearInterval(timer); timer = null;
      el.play.textContent = '\u25b6 Play'; el.play.setAttribute('aria-pressed', 'false');
    }
    el.play.addEventListener('click', function(){ if (timer) stop(); else start(); });

    function label(a, z){ el.range.textContent = a === z ? a : a + ' \u2013 ' + z; }
    function update(e){
      var w = src.window;
      label(w.start, w.end);
      if (document.activeElement !== el.start && document.activeElement !== el.end) {
        el.start.value = Math.max(0, Math.min(w.lo, days.length - 1));
        el.end.value = Math.max(+el.start.value, Math.min(w.hi, days.length - 1));
      }
      var unloc = src.countAll() - src.count();
      el.count.textContent = src.count().toLocaleString('en-US') + ' of ' + src.incidents.length.toLocaleString('en-US')
        + ' incidents shown' + (unloc ? ' (+' + unloc + ' not located)' : '');
      el.note.textContent = src.uncertaintyHidden
        ? 'Zoom in to draw the location uncertainty (more than ' + src.uncertaintyHidden.toLocaleString('en-US')
          + ' shapes in view).' : '';
      if (!e || !e.timeOnly) dirty = true;
      draw();
    }
    var ctl = {getContainer: function(){ return root; }, update: update, play: start, pause: stop,
               isPlaying: function(){ return !!timer; }, frames: function(){ return frames; },
               histogram: function(){ if (dirty) draw(); return Array.prototype.slice.call(hist); },
               bins: nbins, binDays: binDays, draw: draw};
    src.on('filter', update);
    src.on('uncertainty', function(){
      el.note.textContent = src.uncertaintyHidden
        ? 'Zoom in to draw the location uncertainty (more than ' + src.uncertaintyHidden.toLocaleString('en-US')
          + ' shapes in view).' : '';
    });
    src.on('load', function(){ dirty = true; });
    update();
    return ctl;
  };
})();
