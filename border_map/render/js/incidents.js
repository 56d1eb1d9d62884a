/* border-map: the incident layer. One compact data block -> markers (clustered per side of
   the line above a threshold), popups built when they open, and the one filter that the
   markers, the uncertainty shapes, the heat layer, the timeline, the list and the summary
   all follow. Large inputs are clustered on a grid over the view (our own, per side of the
   line), redone on every move or filter change. Every field that reaches innerHTML goes through BM.esc. */
/* global L, BM */
(function(){
  'use strict';
  var esc = BM.esc, fixed = BM.fixed, km = BM.km;
  var STATUS_BITS = {};

  BM.incidentLayer = function(map, o){
    var meta = JSON.parse(document.getElementById(o.metaId).textContent);
    var days = meta.days, types = meta.types, sides = meta.sides, bands = meta.bands;
    var kinds = meta.kinds, claimSides = meta.claimSides, provinces = meta.provinces;
    var statuses = meta.statuses;
    statuses.forEach(function(st, j){ STATUS_BITS[st] = 1 << j; });
    /* the bulk, once loaded: incident columns I, claim columns K, figure columns G, tables */
    var I = {}, K = {}, G = {}, S = [''], W = [], P = [], n = 0, nLoc = 0;
    var claim0 = new Int32Array(1), fig0 = new Int32Array(1);
    function s(i){ return i ? S[i] : ''; }

    var api = new (L.Evented.extend({}))();
    api.map = map; api.esc = esc; api.days = days; api.types = types; api.sides = sides;
    api.bands = bands; api.statuses = statuses; api.meta = meta;
    api.clustered = !!o.clustered;
    api.ready = false; api.error = null;
    api.incidents = []; api.markers = []; api.all = [];

    /* the date as written; the usual day or start/end is not stored but rebuilt */
    function dateText(i){
      var v = s(I.date[i]), a = I.d0[i], b = I.d1[i];
      return v || (a === b ? days[a] : days[a] + '/' + days[b]);
    }
    api.dateText = dateText;
    function figureLines(k){
      var out = [];
      for (var j = fig0[k]; j < fig0[k + 1]; j++) {
        var rest = s(G.text[j]), kind = kinds[G.kind[j]];
        out.push(kind ? kind + ':' + (rest ? ' ' + rest : '') : rest);
      }
      return out;
    }
    /* the discrepancy: per figure kind given by more than one side, what each side said */
    function spreadLines(i){
      var by = {}, lines = [];
      for (var k = claim0[i]; k < claim0[i + 1]; k++) {
        var side = s(P[K.party[k]][1]);
        for (var j = fig0[k]; j < fig0[k + 1]; j++) {
          var bk = by[G.kind[j]] || (by[G.kind[j]] = {});
          (bk[side] || (bk[side] = [])).push(s(G.text[j]) || '?');
        }
      }
      for (var kind = 0; kind < kinds.length; kind++) {
        var bs = by[kind];
        if (!bs || Object.keys(bs).length < 2) continue;
        var order = claimSides.filter(function(x){ return bs[x]; });
        Object.keys(bs).forEach(function(x){ if (order.indexOf(x) < 0) order.push(x); });
        lines.push(kinds[kind] + ' \u2014 ' + order.map(function(x){ return x + ': ' + bs[x].join('; '); }).join(' | '));
      }
      return lines;
    }
    /* side and band worded by their certainty: the location's uncertainty against the
       distance to the line, and the analysis's band_certainty */
    function certainty(i, j){
      var c = s(I.bandc[i]).charAt(j);
      return c === 'c' ? 'certain' : c === 'p' ? 'possible' : c === 'o' ? 'outside' : '';
    }
    function sideText(i){
      if (I.lat[i] == null) return 'not located';
      var side = sides[I.side[i]], d = I.distance_km[i], p = I.precision_km[i];
      if (side[0] === 'none') return side[1];
      return (p != null && d != null && p >= d) ? 'likely ' + side[1] : side[1];
    }
    function bandText(i){
      if (I.lat[i] == null) return 'no band';
      var b = I.band_km[i];
      if (b != null) {
        var c = certainty(i, bands.indexOf(b));
        return 'within ' + b + ' km' + (c ? ': ' + c : '');
      }
      for (var j = 0; j < bands.length; j++) {
        if (certainty(i, j) === 'possible') {
          return 'beyond ' + bands[bands.length - 1] + ' km (within ' + bands[j] + ' km: possible)';
        }
      }
      return bands.length ? 'beyond ' + bands[bands.length - 1] + ' km' : 'beyond the widest band';
    }
    function bandRow(i){
      var parts = [];
      for (var j = 0; j < bands.length; j++) {
        var c = certainty(i, j);
        if (c) parts.push(bands[j] + ' km: ' + c);
      }
      return parts.join(' \u00b7 ');
    }
    api.sideText = sideText; api.bandText = bandText;
    api.headline = function(i){ return sideText(i) + ' \u2014 ' + bandText(i); };

    function popupHtml(i){
      var t = types[I.type[i]], w = W[I.where[i]], flags = I.flags[i];
      var dtext = s(I.date_text[i]), match = s(w[3]), sector = s(I.sector[i]);
      var located = I.lat[i] != null;
      var facts = [
        ['Date', esc(dateText(i)) + ' (' + esc(s(I.date_precision[i])) + (dtext ? ', \u201c' + esc(dtext) + '\u201d' : '') + ')'],
        ['Actors', esc(s(I.actors[i]) || 'n/a')],
        ['Place as reported', esc(s(w[0]))],
        ['Resolved to', esc(s(w[2])) + (match ? ' <small>[' + esc(match) + ']</small>' : '')]
      ];
      if (located) {
        facts.push(['Location uncertainty', '\u00b1' + km(I.precision_km[i])]);
        facts.push(['Distance to line', km(I.distance_km[i]) + ' \u00b7 ' + esc(sideText(i))]);
        facts.push(['Band', esc(bandRow(i) || bandText(i))]);
        facts.push(['Sector / chainage', (sector ? esc(sector) + ' \u00b7 ' : '')
          + (I.chainage_km[i] != null ? 'km ' + fixed(I.chainage_km[i], 0) + ' from the Iran tripoint' : 'n/a')]);
      } else {
        facts.push(['Location', esc(s(I.location_error[i]) || 'not located')]);
      }
      if (flags & 1) facts.push(['Check', "<b>side of the line disagrees with the gazetteer's country</b>"]);
      var body = facts.map(function(f){ return '<tr><th>' + f[0] + '</th><td>' + f[1] + '</td></tr>'; }).join('');
      var nclaims = claim0[i + 1] - claim0[i];
      var head = '<h5>Claims (' + nclaims + ')';
      if (flags & 2) head += ' <span class="bm-conflict">claims contradict each other</span>';
      else if (flags & 4) head += ' <span class="bm-conflict">claims may contradict each other</span>';
      head += '</h5>';
      var spread = spreadLines(i);
      if (I.cross[i]) spread.push(s(I.cross[i]));
      if (spread.length) head += '<div class="bm-spread">' + spread.map(esc).join('<br>') + '</div>';
      var items = [];
      for (var k = claim0[i]; k < claim0[i + 1]; k++) {
        var p = P[K.party[k]], url = BM.safeUrl(s(K.url[k])), outlet = esc(s(p[2]) || 'source');
        var link = url ? '<a href="' + esc(url) + '" target="_blank" rel="noopener noreferrer">' + outlet + '</a>' : outlet;
        var quote = K.quote[k] ? ' <q>' + esc(s(K.quote[k])) + '</q>' : '';
        var figs = figureLines(k).map(esc).join('<br>');
        var side = esc(s(p[1]));
        items.push('<li class="bm-claim bm-side-' + side + '"><div class="bm-claim-who"><b class="bm-tag">' + side + '</b> '
          + esc(s(p[0])) + ' <span class="bm-status">' + esc(s(p[3])) + '</span></div>'
          + (figs ? '<div class="bm-claim-figs">' + figs + '</div>' : '')
          + (K.statement[k] ? '<div><i>' + esc(s(K.statement[k])) + '</i></div>' : '')
          + '<div class="bm-claim-src">' + (K.date[k] ? esc(s(K.date[k])) + ' \u00b7 ' : '') + link + quote + '</div></li>');
      }
      var claimsHtml = items.length ? '<ol class="bm-claims">' + items.join('') + '</ol>' : '<p>No claims recorded.</p>';
      var desc = I.description[i] ? '<p>' + esc(s(I.description[i])) + '</p>' : '';
      return '<div class="bm-popup" data-incident="' + esc(I.id[i]) + '"><h4>' + esc(t[1]) + ' \u2014 '
        + esc(s(w[0])) + '</h4><p class="bm-headline">' + esc(api.headline(i)) + '</p>' + desc
        + '<table class="bm-facts">' + body + '</table>' + head + claimsHtml
        + '<p class="bm-id">id: ' + esc(I.id[i]) + '</p></div>';
    }
    api.popupHtml = popupHtml;
    /* what the search box matches: id, place as reported and as resolved, claimants */
    api.searchText = function(i){
      var w = W[I.where[i]], parts = [I.id[i], s(w[0]), s(w[2])];
      for (var k = claim0[i]; k < claim0[i + 1]; k++) parts.push(s(P[K.party[k]][0]));
      return parts.join(' | ');
    };
    api.placeName = function(i){ return s(W[I.where[i]][1]); };
    api.placeReported = function(i){ return s(W[I.where[i]][0]); };
    api.parties = function(){ return P.map(function(p){ return [s(p[0]), s(p[1])]; }); };
    api.sectors = function(){
      var seen = {}, out = [];
      for (var i = 0; i < n; i++) if (I.sector[i] && !seen[I.sector[i]]) { seen[I.sector[i]] = 1; out.push(I.sector[i]); }
      return out.map(function(x){ return [x, S[x]]; }).sort(function(a, b){ return a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0; });
    };
    api.str = s;
    api.columns = function(){ return I; };
    api.claimsOf = function(i){
      var out = [];
      for (var k = claim0[i]; k < claim0[i + 1]; k++) {
        var p = P[K.party[k]];
        out.push({who: s(p[0]), side: s(p[1]), outlet: s(p[2]), status: s(p[3]), date: s(K.date[k]),
                  statement: s(K.statement[k]), url: s(K.url[k]), figures: figureLines(k)});
      }
      return out;
    };

    var iconCache = {};
    /* optional: marker size by the largest number of deaths claimed (none, 1-9, 10-49, 50+) */
    var SIZES = [22, 26, 32, 40];
    api.sizeByDeaths = false;
    function sizeClass(i){
      if (!api.sizeByDeaths) return 0;
      var k = I.kmax[i];
      return k >= 50 ? 3 : k >= 10 ? 2 : k >= 1 ? 1 : 0;
    }
    function iconFor(t, sd, sz){
      sz = sz || 0;
      var key = t + ':' + sd + ':' + sz, px = SIZES[sz];
      return iconCache[key] || (iconCache[key] = L.divIcon({className: 'bm-icon bm-size-' + sz,
        html: meta.icons[t][sd].replace(/width="22" height="22"/, 'width="' + px + '" height="' + px + '"'),
        iconSize: [px, px], iconAnchor: [px / 2, px / 2], popupAnchor: [0, -px / 2 + 1]}));
    }
    api.setSizeByDeaths = function(on){
      api.sizeByDeaths = !!on;
      markerArr.forEach(function(m, i){ if (m) m.setIcon(iconFor(m.bm.t, m.bm.s, sizeClass(i))); });
      api.fire('sizes');
    };
    function popupContent(layer){ return popupHtml(layer.bm.i); }
    function popupOptions(){
      /* popups fit the screen: their width follows the viewport */
      var w = map.getSize().x;
      return {maxWidth: Math.max(200, Math.min(520, w - 50)), minWidth: Math.min(260, w - 60),
              autoPan: !api.restoring,  /* a shared link restores its view exactly */
              maxHeight: Math.max(160, Math.min(440, map.getSize().y - 90)), autoPanPadding: [16, 16],
              className: 'bm-popup-wrap'};
    }
    api.popupOptions = popupOptions;
    /* A popup is bound on first use, not 100,000 of them up front. */
    var Marker = L.Marker.extend({
      openPopup: function(latlng){
        if (!this._map) { openStandalone(this.bm.i); return this; }  /* inside a cluster */
        if (!this.getPopup()) this.bindPopup(popupContent, popupOptions());
        else L.setOptions(this.getPopup(), popupOptions());  /* the window may have changed */
        return L.Marker.prototype.openPopup.call(this, latlng);
      }
    });

    /* A popup not bound to a marker: for an incident inside a cluster (same place as others). */
    function openStandalone(i){
      var p = L.popup(popupOptions()).setLatLng([I.lat[i], I.lon[i]]).setContent(popupHtml(i));
      p.bmIndex = i;
      p.openOn(map);
      return p;
    }

    /* ---- clusters (large maps): our own grid over the view, one per side of the line, redone
       on every move and filter change: a few hundred DOM markers, whatever the input size ---- */
    var CELL = 64, X = null, Y = null, ckey = null, clusterIcons = {}, clusterList = [];
    function clusterIcon(side, total, sure){
      var frac = total ? Math.round(sure / total * 20) / 20 : 1;
      var key = side + ':' + total + ':' + frac;
      if (clusterIcons[key]) return clusterIcons[key];
      var r = total < 100 ? 17 : total < 1000 ? 21 : 25, c = 2 * Math.PI * (r - 4);
      var colour = sides[side][2];
      var svg = '<svg xmlns="http://www.w3.org/2000/svg" width="' + 2 * r + '" height="' + 2 * r + '" aria-hidden="true">'
        + '<circle cx="' + r + '" cy="' + r + '" r="' + (r - 4) + '" fill="#fff" stroke="' + colour + '" stroke-opacity=".35" stroke-width="7"/>'
        + '<circle cx="' + r + '" cy="' + r + '" r="' + (r - 4) + '" fill="none" stroke="url(#bm-pat-' + sides[side][0] + ')" stroke-width="7"'
        + ' stroke-dasharray="' + (c * frac).toFixed(1) + ' ' + c.toFixed(1) + '" transform="rotate(-90 ' + r + ' ' + r + ')"/>'
        + '<text x="' + r + '" y="' + (r + 4) + '" text-anchor="middle" font-size="11" font-weight="700" fill="#222">'
        + (total >= 10000 ? Math.round(total / 1000) + 'k' : total >= 1000 ? Math.round(total / 100) / 10 + 'k' : total) + '</text></svg>';
      return (clusterIcons[key] = L.divIcon({html: svg, className: 'bm-cluster bm-cluster-' + sides[side][0], iconSize: [2 * r, 2 * r]}));
    }
    var group = L.featureGroup(), clusterLayer = L.layerGroup();
    group.addTo(map);
    if (api.clustered) clusterLayer.addTo(map);
    api.group = group;
    var onMap = new Uint8Array(0);  /* single markers on the map (clustered mode) */
    function recluster(){
      if (!api.clustered || !X) return;
      var z = map.getZoom(), scale = Math.pow(2, z), pb = map.getPixelBounds();
      var x0 = pb.min.x - CELL, y0 = pb.min.y - CELL, x1 = pb.max.x + CELL, y1 = pb.max.y + CELL;
      var cells = new Map(), i, likely = api.likely;
      for (i = 0; i < nLoc; i++) {
        ckey[i] = -1;
        if (!shown[i]) continue;
        var px = X[i] * scale, py = Y[i] * scale;
        if (px < x0 || px > x1 || py < y0 || py > y1) continue;
        var key = ((Math.floor(px / CELL) * 1048576) + Math.floor(py / CELL)) * 4 + I.side[i];
        ckey[i] = key;
        var c = cells.get(key);
        if (!c) { c = {key: key, n: 0, sx: 0, sy: 0, sure: 0, s: I.side[i], first: i, same: true}; cells.set(key, c); }
        c.n++; c.sx += X[i]; c.sy += Y[i];
        if (!likely[i]) c.sure++;
        if (c.same && (X[i] !== X[c.first] || Y[i] !== Y[c.first])) c.same = false;
      }
      var want = new Uint8Array(nLoc), add = [], rem = [];
      clusterLayer.clearLayers();
      clusterList = [];
      cells.forEach(function(c){
        if (c.n === 1) { want[c.first] = 1; return; }
        var ll = map.unproject([c.sx / c.n * scale, c.sy / c.n * scale], z);
        var label = c.n + ' incidents, ' + sides[c.s][1] + ' (' + c.sure + ' certainly on this side)';
        var cm = L.marker(ll, {icon: clusterIcon(c.s, c.n, c.sure), keyboard: false, title: label});
        cm.bmCluster = c;
        cm.on('add', function(){
          var el = cm._icon;
          el.tabIndex = -1; el.setAttribute('role', 'button'); el.setAttribute('aria-label', label);
        });
        cm.on('click', function(){ clusterClick(c); });
        clusterLayer.addLayer(cm);
        clusterList.push(c);
      });
      for (i = 0; i < nLoc; i++) {
        if (want[i] && !onMap[i]) add.push(markerOf(i));
        else if (!want[i] && onMap[i]) rem.push(markerOf(i));
      }
      rem.forEach(function(m){ group.removeLayer(m); });
      add.forEach(function(m){ group.addLayer(m); });
      onMap = want;
      api.fire('clusters');
    }
    api.recluster = recluster;
    function membersOf(c){
      var out = [];
      for (var i = 0; i < nLoc; i++) if (ckey[i] === c.key) out.push(i);
      return out;
    }
    api.clusters = function(){
      return clusterList.map(function(c){
        var ss = {};
        membersOf(c).forEach(function(i){ ss[sides[I.side[i]][0]] = 1; });
        return {n: c.n, side: sides[c.s][0], sure: c.sure, sides: Object.keys(ss)};
      });
    };
    function clusterClick(c){
      var members = membersOf(c);
      if (!c.same && map.getZoom() < map.getMaxZoom()) {
        var b = L.latLngBounds(members.map(function(i){ return [I.lat[i], I.lon[i]]; }));
        var zoom = Math.min(map.getMaxZoom(), Math.max(map.getZoom() + 1, map.getBoundsZoom(b.pad(0.2))));
        map.setView(b.getCenter(), zoom, {animate: false});
        return;
      }
      /* one place, many incidents: a list to choose from */
      members.sort(function(a, b){ return (I.d0[b] - I.d0[a]) || (a - b); });
      var box = document.createElement('div');
      box.className = 'bm-popup bm-cluster-list';
      BM.el('h4', '', box, c.n + ' incidents here (' + sides[c.s][1] + ')');
      var ul = BM.el('ul', '', box);
      members.slice(0, 100).forEach(function(i){
        var b = BM.el('button', 'bm-row', BM.el('li', '', ul));
        b.type = 'button';
        b.textContent = dateText(i) + ' \u2014 ' + types[I.type[i]][1] + ' (' + I.id[i] + ')';
        b.addEventListener('click', function(){ openStandalone(i); api.focusPopup(); });
      });
      if (members.length > 100) BM.el('p', 'bm-note', box, 'First 100 of ' + members.length + '; filter or use the list to narrow.');
      L.popup(popupOptions()).setLatLng([I.lat[c.first], I.lon[c.first]]).setContent(box).openOn(map);
    }
    var rcPending = null;
    map.on('moveend', function(){ recluster(); });
    api.showMarker = function(m, done){
      map.setView(m.getLatLng(), Math.max(map.getZoom(), 12), {animate: false});
      recluster();
      if (done) done();
    };
    function groupOf(){ return group; }
    api.groupOf = groupOf;
    group.on('click', function(e){
      var m = e.layer;
      if (m && m.bm && !m.getPopup()) m.openPopup();  /* later clicks: the marker's own handler */
    });

    /* ---- the one filter ---- */
    var F = api.filters = {type: {}, side: {}, status: {}, band: {}, prec: {}, party: null, sector: null,
                           contra: false, kmin: null, kmax: null, actor: ''};
    types.forEach(function(t){ F.type[t[0]] = true; });
    sides.forEach(function(x){ F.side[x[0]] = true; });
    statuses.forEach(function(x){ F.status[x] = true; });
    bands.forEach(function(b){ F.band[String(b)] = true; });
    F.band.beyond = true; F.band.none = true;
    api.PRECISIONS = [['1', 'within 1 km'], ['10', '1\u201310 km'], ['50', '10\u201350 km'], ['wide', 'over 50 km or a province'], ['none', 'not located']];
    api.PRECISIONS.forEach(function(x){ F.prec[x[0]] = true; });
    var win = {lo: 0, hi: days.length - 1, start: days[0], end: days[days.length - 1]};
    api.window = win;
    var base = new Uint8Array(0), shown = new Uint8Array(0), count = 0, countAll = 0, precCls = [], bandKey = [];
    function allOn(obj){ for (var k in obj) if (!obj[k]) return false; return true; }
    /* everything but the time window */
    /* the on/off state of the small vocabularies as arrays, read by code in the loop below */
    var typeOn = [], sideOn = [], bandOn = [], precOn = [], BAND_KEYS = [], PREC_KEYS = [];
    var bandIdx = new Uint8Array(0), precIdx = new Uint8Array(0);
    function prepare(){
      typeOn = types.map(function(x){ return F.type[x[0]] ? 1 : 0; });
      sideOn = sides.map(function(x){ return F.side[x[0]] ? 1 : 0; });
      bandOn = BAND_KEYS.map(function(k){ return F.band[k] ? 1 : 0; });
      precOn = PREC_KEYS.map(function(k){ return F.prec[k] ? 1 : 0; });
    }
    function passesBase(i){
      if (!typeOn[I.type[i]] || !sideOn[I.side[i]]) return false;
      if (!bandOn[bandIdx[i]] || !precOn[precIdx[i]]) return false;
      if (F.contra && !(I.flags[i] & 6)) return false;
      if (!F.allStatus && !(I.stat[i] & F.statusMask)) return false;
      if (F.sector && !F.sector[I.sector[i]]) return false;
      if (F.kmin != null && !(I.kmax[i] >= F.kmin)) return false;
      if (F.kmax != null && !(I.kmax[i] >= 0 && I.kmax[i] <= F.kmax)) return false;
      if (F.party) {
        var ok = false;
        for (var k = claim0[i]; k < claim0[i + 1] && !ok; k++) ok = !!F.party[K.party[k]];
        if (!ok) return false;
      }
      if (F.actor && api.actorText(i).indexOf(F.actor) < 0) return false;
      return true;
    }
    var actorCache = null;
    api.actorText = function(i){
      if (!actorCache) actorCache = new Array(n);
      if (actorCache[i] === undefined) {
        var parts = [s(I.actors[i])];
        for (var k = claim0[i]; k < claim0[i + 1]; k++) parts.push(s(P[K.party[k]][0]));
        actorCache[i] = parts.join(' | ').toLowerCase();
      }
      return actorCache[i];
    };
    function inWindow(i){ return I.d1[i] >= win.lo && I.d0[i] <= win.hi; }
    api.passes = function(d){ var i = typeof d === 'number' ? d : d.i; return passesBase(i) && inWindow(i); };
    api.isShown = function(i){ return shown[i] === 1; };
    api.inBase = function(i){ return base[i] === 1; };
    api.count = function(){ return count; };
    api.countAll = function(){ return countAll; };  /* located and unlocated */
    api.size = function(){ return n; };
    api.located = function(){ return nLoc; };

    /* recompute the base filter (skip it when only the time window moved) */
    function refresh(timeOnly){
      var statusMask = 0;
      statuses.forEach(function(x){ if (F.status[x]) statusMask |= STATUS_BITS[x]; });
      F.statusMask = statusMask; F.allStatus = allOn(F.status);
      prepare();
      var add = [], rem = [], all = 0, clustered = api.clustered, lo = win.lo, hi = win.hi;
      var d0 = I.d0, d1 = I.d1, changes = 0;
      for (var i = 0; i < n; i++) {
        if (!timeOnly) base[i] = passesBase(i) ? 1 : 0;
        var p = base[i] && d1[i] >= lo && d0[i] <= hi ? 1 : 0;
        all += p;
        if (i >= nLoc || clustered) { changes += p - shown[i]; shown[i] = p; continue; }
        if (p !== shown[i]) { (p ? add : rem).push(markerOf(i)); shown[i] = p; }
      }
      countAll = all;
      if (clustered) { count = 0; for (i = 0; i < nLoc; i++) count += shown[i]; } else count += add.length - rem.length;
      if (api.clustered) {
        recluster();
      } else {
        rem.forEach(function(m){ group.removeLayer(m); });
        add.forEach(function(m){ group.addLayer(m); });
      }
      api.fire('filter', {timeOnly: !!timeOnly});
    }
    api.refresh = refresh;
    api.setEnabled = function(kind, key, value){ F[kind][key] = !!value; refresh(); };
    api.setFilters = function(changes){
      Object.keys(changes || {}).forEach(function(k){ F[k] = changes[k]; });
      refresh();
      return countAll;
    };

    function lowerBound(iso){ var a = 0, b = days.length; while (a < b) { var m = (a + b) >> 1; if (days[m] < iso) a = m + 1; else b = m; } return a; }
    function upperBound(iso){ var a = 0, b = days.length; while (a < b) { var m = (a + b) >> 1; if (days[m] <= iso) a = m + 1; else b = m; } return a; }
    api.lowerBound = lowerBound; api.upperBound = upperBound;
    /* Show the incidents whose date interval overlaps [startISO, endISO] (inclusive). */
    api.setTimeWindow = function(startISO, endISO){
      startISO = startISO || days[0]; endISO = endISO || days[days.length - 1];
      if (endISO < startISO) { var x = startISO; startISO = endISO; endISO = x; }
      win.start = startISO; win.end = endISO;
      win.lo = lowerBound(startISO); win.hi = upperBound(endISO) - 1;
      refresh(true);
      return count;
    };
    /* Same, by positions in the sorted distinct days (the slider's unit). */
    api.setWindowIndex = function(lo, hi){
      lo = Math.max(0, Math.min(days.length - 1, lo | 0)); hi = Math.max(lo, Math.min(days.length - 1, hi | 0));
      return api.setTimeWindow(days[lo], days[hi]);
    };

    /* ---- open one incident's popup, from inside a cluster if need be ---- */
    api.indexOf = function(id){ for (var i = 0; i < n; i++) if (I.id[i] === id) return i; return -1; };
    api.selected = -1;
    api.open = function(id, focus){
      var i = typeof id === 'number' ? id : api.indexOf(id);
      if (i < 0) return false;
      if (i >= nLoc) { api.selected = i; api.fire('select', {i: i}); return true; }  /* unlocated: the list shows it */
      if (!shown[i]) return false;
      var m = markerOf(i);
      var after = function(){
        m.openPopup();
        if (focus) api.focusPopup();
      };
      if (api.clustered) {
        api.showMarker(m, after);
      } else {
        map.setView(m.getLatLng(), Math.max(map.getZoom(), 8), {animate: false});
        after();
      }
      return true;
    };
    api.focusPopup = function(){
      var el = document.querySelector('.leaflet-popup-content .bm-popup');
      if (el) { el.setAttribute('tabindex', '-1'); el.focus(); }
    };
    map.on('popupopen', function(e){
      var src = e.popup._source, k = src && src.bm ? src.bm.i : e.popup.bmIndex;
      var wrap = e.popup.getElement().querySelector('.leaflet-popup-content');
      if (wrap) { wrap.setAttribute('tabindex', '0'); wrap.setAttribute('role', 'dialog'); wrap.setAttribute('aria-label', 'Incident details'); }
      if (k !== undefined && k >= 0) { api.selected = k; api.fire('select', {i: k}); }
    });
    map.on('popupclose', function(e){
      var src = e.popup._source, k = src && src.bm ? src.bm.i : e.popup.bmIndex;
      if (k !== undefined && api.selected === k) { api.selected = -1; api.fire('select', {i: -1}); }
    });

    /* ---- keyboard: markers are not Tab stops; one of them is (roving), arrows move it ---- */
    var roving = -1;
    function markerIcon(i){ var m = i >= 0 ? markerArr[i] : null; return m && m._icon ? m._icon : null; }
    api.focusMarker = function(i){
      var old = markerIcon(roving);
      if (old) old.tabIndex = -1;
      roving = i;
      var el = markerIcon(i);
      if (el) { el.tabIndex = 0; el.focus(); }
      return !!el;
    };
    function onMarkerAdd(e){
      var m = e.target, el = m._icon;
      if (!el) return;
      el.tabIndex = m.bm.i === roving ? 0 : -1;
      el.setAttribute('role', 'button');
      el.setAttribute('aria-label', m.options.title);
      el.setAttribute('data-i', m.bm.i);
    }
    function centre(el){ var r = el.getBoundingClientRect(); return [r.left + r.width / 2, r.top + r.height / 2]; }
    function focusIcon(el){
      var old = markerIcon(roving);
      if (old) old.tabIndex = -1;
      document.querySelectorAll('.bm-cluster[tabindex="0"]').forEach(function(x){ x.tabIndex = -1; });
      roving = el.hasAttribute('data-i') ? +el.getAttribute('data-i') : -1;
      el.tabIndex = 0; el.focus();
    }
    map.getPane('markerPane').addEventListener('keydown', function(e){
      var el = e.target.closest ? e.target.closest('.leaflet-marker-icon') : null;
      if (!el) return;
      if (e.key === 'Enter' || e.key === ' ') {
        e.preventDefault(); e.stopPropagation();
        if (el.hasAttribute('data-i')) {
          var i = +el.getAttribute('data-i');
          roving = i;
          markerOf(i).openPopup(); api.focusPopup();
        } else {
          el.click();  /* a cluster: zoom in, or list its incidents */
          var first = map.getPane('markerPane').querySelector('.leaflet-marker-icon');
          if (document.querySelector('.bm-cluster-list')) api.focusPopup();
          else if (first) focusIcon(first);
        }
      } else if (/^Arrow/.test(e.key)) {
        e.preventDefault(); e.stopPropagation();
        var here = centre(el), best = null, bestD = Infinity;
        var dir = {ArrowRight: [1, 0], ArrowLeft: [-1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1]}[e.key];
        map.getPane('markerPane').querySelectorAll('.leaflet-marker-icon').forEach(function(o){
          if (o === el) return;
          var p = centre(o), dx = p[0] - here[0], dy = p[1] - here[1];
          var along = dx * dir[0] + dy * dir[1];
          if (along <= 0) return;
          var d = along + 2 * Math.abs(dx * dir[1] + dy * dir[0]);
          if (d < bestD) { bestD = d; best = o; }
        });
        if (best) focusIcon(best);
      }
    });
    /* Escape in a popup: close it and give focus back to its marker */
    map.getContainer().addEventListener('keydown', function(e){
      if (e.key !== 'Escape' || !e.target.closest || !e.target.closest('.leaflet-popup')) return;
      var i = api.selected;
      map.closePopup();
      if (i >= 0 && i < nLoc && !api.focusMarker(i)) map.getContainer().focus();
    });

    var overlays = {};

    /* ---- location uncertainty: province polygon or dashed circle, drawn for the view ---- */
    var unc = L.featureGroup();
    var UNC_MAX = o.uncertaintyMax, UNC_FILL_MAX = 30;
    var shapeCache = {};
    api.uncertainty = unc;
    api.uncertaintyHidden = 0;
    function uncShape(d){
      var colour = sides[d.s][2];
      if (d.province >= 0) {
        var key = 'p' + d.province + ':' + d.s;
        return shapeCache[key] || (shapeCache[key] = L.geoJSON(provinces[d.province][2], {
          interactive: false,
          style: function(){ return {color: colour, weight: 1.2, opacity: 0.8, dashArray: '5 4', fillColor: colour,
                                     fillOpacity: 0.05, className: 'bm-unc bm-unc-province'}; }}));
      }
      var ck = 'c' + d.i;
      return shapeCache[ck] || (shapeCache[ck] = L.circle([d.lat, d.lon], {radius: d.precision_km * 1000,
        color: colour, weight: 1, opacity: 0.7, dashArray: '4 4', fillOpacity: 0.03, interactive: false,
        className: 'bm-unc bm-unc-circle'}));
    }
    function uncBox(d){
      if (d.province >= 0) { var b = provinces[d.province][1]; return [b[1], b[0], b[3], b[2]]; }
      var dlat = d.precision_km / 111.2, dlon = dlat / Math.max(0.2, Math.cos(d.lat * Math.PI / 180));
      return [d.lat - dlat, d.lon - dlon, d.lat + dlat, d.lon + dlon];
    }
    function drawUncertainty(){
      if (!map.hasLayer(unc) || !api.ready) return;
      var v = map.getBounds(), s0 = v.getSouth(), w0 = v.getWest(), n0 = v.getNorth(), e0 = v.getEast();
      var size = map.getSize(), mid = size.divideBy(2), diag = size.x + size.y;
      var perKm = 1000 * Math.pow(2, map.getZoom()) / 156543.03392;  /* px per km at the equator */
      var seen = {}, list = [], over = 0, incidents = api.incidents;
      for (var i = 0; i < nLoc; i++) {
        if (!shown[i]) continue;
        var d = incidents[i];
        if (!(d.precision_km > 0) && !(d.province >= 0)) continue;
        var b = uncBox(d);
        if (b[0] > n0 || b[2] < s0 || b[1] > e0 || b[3] < w0) continue;
        if (!(d.province >= 0)) {
          /* a circle around the whole view shows no edge, only a tint: skip it */
          d.radiusPx = d.precision_km * perKm / Math.cos(d.lat * Math.PI / 180);
          if (d.radiusPx > map.latLngToContainerPoint([d.lat, d.lon]).distanceTo(mid) + diag) continue;
        }
        var key = d.province >= 0 ? 'p' + d.province + ':' + d.s : 'c' + i;
        if (seen[key]) continue;
        seen[key] = 1;
        if (list.length >= UNC_MAX) { over = 1; break; }
        list.push(d);
      }
      unc.clearLayers();
      api.uncertaintyHidden = over ? UNC_MAX : 0;  /* more than this many shapes in view */
      if (!over) {
        /* widest first, so the small circles stay on top */
        list.sort(function(a, b){ return (b.province >= 0 ? 1e9 : b.precision_km) - (a.province >= 0 ? 1e9 : a.precision_km); });
        /* translucent fills add up where shapes overlap: only a few shapes get one */
        var fill = list.length > UNC_FILL_MAX ? 0 : null;
        list.forEach(function(d){
          var shape = uncShape(d), province = d.province >= 0;
          shape.setStyle({fillOpacity: fill === 0 ? 0 : (province ? 0.05 : 0.03),
                          /* dashes along a circle thousands of pixels round cost dearly: solid there */
                          dashArray: province ? '5 4' : (d.radiusPx > 1500 ? null : '4 4')});
          unc.addLayer(shape);
        });
      }
      api.fire('uncertainty');
    }
    unc.on('add', drawUncertainty);
    map.on('moveend', drawUncertainty);
    api.on('filter', drawUncertainty);
    overlays[o.uncertaintyLabel] = unc;
    unc.addTo(map);
    api.overlays = overlays;

    function setReady(){
      api.ready = true;
      drawUncertainty();
      api.fire('ready');
    }
    api.whenReady = function(fn){ if (api.ready) fn(); else api.once('ready', fn); };

    /* ---- the bulk: incidents and their markers ---- */
    api.timings = {start: performance.now()};
    var markerArr = [];
    function markerOf(i){
      var m = markerArr[i];
      if (m || i >= nLoc) return m;
      var d = api.all[i];
      m = markerArr[i] = new Marker([d.lat, d.lon], {icon: iconFor(d.t, d.s, sizeClass(i)), riseOnHover: true, keyboard: false,
        title: types[d.t][1] + ' \u2014 ' + s(W[I.where[i]][0]) + ' (' + dateText(i) + ')'});
      m.bm = d;
      m.on('add', onMarkerAdd);
      return m;
    }
    api.markerOf = markerOf;
    function load(bulk){
      api.timings.parsed = performance.now();
      I = bulk.incidents; K = bulk.claims; G = bulk.figures; S = bulk.strings; W = bulk.where; P = bulk.parties;
      n = I.id.length;
      nLoc = 0;
      while (nLoc < n && I.lat[nLoc] != null) nLoc++;  /* located first, then the unlocated */
      var m_ = K.party.length, i, k;
      claim0 = new Int32Array(n + 1); fig0 = new Int32Array(m_ + 1);
      for (i = 0; i < n; i++) claim0[i + 1] = claim0[i] + I.nclaims[i];
      for (k = 0; k < m_; k++) fig0[k + 1] = fig0[k] + K.nfigures[k];
      var incidents = new Array(nLoc), all = new Array(n), first = [];
      markerArr = new Array(nLoc);
      api.all = all;
      /* large maps make a marker when it is first drawn or asked for, not 100,000 up front */
      api.markers = !api.clustered ? markerArr : new Proxy(markerArr, {get: function(target, key){
        return typeof key === 'string' && /^[0-9]+$/.test(key) ? markerOf(+key) : Reflect.get(target, key);
      }});
      var likely = api.likely = new Uint8Array(n);
      X = new Float64Array(nLoc); Y = new Float64Array(nLoc); ckey = new Float64Array(nLoc); onMap = new Uint8Array(nLoc);
      shown = new Uint8Array(n); base = new Uint8Array(n);
      precCls = new Array(n); bandKey = new Array(n);
      BAND_KEYS = Object.keys(F.band); PREC_KEYS = Object.keys(F.prec);
      bandIdx = new Uint8Array(n); precIdx = new Uint8Array(n);
      for (i = 0; i < n; i++) {
        var pk = I.precision_km[i], loc = i < nLoc;
        precCls[i] = !loc ? 'none' : I.province[i] >= 0 || !(pk <= 50) ? 'wide' : pk <= 1 ? '1' : pk <= 10 ? '10' : '50';
        bandKey[i] = !loc ? 'none' : I.band_km[i] == null ? 'beyond' : String(I.band_km[i]);
        bandIdx[i] = Math.max(0, BAND_KEYS.indexOf(bandKey[i])); precIdx[i] = PREC_KEYS.indexOf(precCls[i]);
      }
      refreshStatus();
      prepare();
      for (i = 0; i < n; i++) {
        var d = {i: i, id: I.id[i], lat: I.lat[i], lon: I.lon[i], t: I.type[i], s: I.side[i],
                 event_type: types[I.type[i]][0], side_key: sides[I.side[i]][0],
                 d0: I.d0[i], d1: I.d1[i], precision_km: I.precision_km[i], province: I.province[i],
                 located: i < nLoc,
                 likely: I.precision_km[i] != null && I.distance_km[i] != null && I.precision_km[i] >= I.distance_km[i]};
        all[i] = d;
        likely[i] = d.likely ? 1 : 0;
        if (i < nLoc) {  /* Web Mercator at zoom 0, in pixels (256 wide): the clusters' grid */
          var sn = Math.sin(Math.max(-85, Math.min(85, d.lat)) * Math.PI / 180);
          X[i] = (d.lon + 180) / 360 * 256;
          Y[i] = (0.5 - Math.log((1 + sn) / (1 - sn)) / (4 * Math.PI)) * 256;
        }
        base[i] = passesBase(i) ? 1 : 0;
        var p = base[i] && I.d1[i] >= win.lo && I.d0[i] <= win.hi ? 1 : 0;
        shown[i] = p;
        if (i >= nLoc) continue;
        incidents[i] = d;
        if (!api.clustered) { var mk = markerOf(i); if (p) first.push(mk); }
      }
      api.timings.built = performance.now();
      api.incidents = incidents; api.all = all;
      count = 0; countAll = 0;
      for (i = 0; i < n; i++) { countAll += shown[i]; if (i < nLoc) count += shown[i]; }
      if (api.clustered) recluster();
      else first.forEach(function(m){ group.addLayer(m); });
      api.timings.drawn = performance.now();
      api.fire('load');
      api.fire('filter', {timeOnly: false});
      setReady();
      api.timings.ready = performance.now();
    }
    function refreshStatus(){
      var statusMask = 0;
      statuses.forEach(function(x){ if (F.status[x]) statusMask |= STATUS_BITS[x]; });
      F.statusMask = statusMask; F.allStatus = allOn(F.status);
    }
    function fail(message){
      api.error = message;
      var ctl = L.control({position: 'topright'});
      ctl.onAdd = function(){
        var div = L.DomUtil.create('div', 'bm-panel bm-load-error');
        div.setAttribute('role', 'alert');
        div.textContent = message;
        return div;
      };
      ctl.addTo(map);
      api.fire('error');
    }
    /* deflate + base64 -> JSON, with the browser's own decompressor */
    function inflate(b64){
      var bin = atob(b64), bytes = new Uint8Array(bin.length);
      for (var i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
      var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('deflate'));
      return new Response(stream).text().then(JSON.parse);
    }
    var el = document.getElementById(o.dataId);
    if (el.type === 'application/json') {
      load(JSON.parse(el.textContent));
    } else if (typeof DecompressionStream === 'undefined' || typeof Response === 'undefined') {
      fail(o.unsupported);
    } else {
      inflate(el.textContent).then(load).catch(function(err){ fail('Could not read the incident data: ' + err); });
    }
    return api;
  };
})();
