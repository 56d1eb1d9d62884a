/* border-map: the page around the map. A header (title, panel toggle), the side panel
   (search, filters, timeline, list, summary, layers, legend, export) that becomes a bottom
   sheet on a phone, the URL-hash state, exports, and window.borderMap. */
/* global L, BM */
(function(){
  'use strict';
  var el = BM.el;

  function section(parent, key, title, open){
    var d = el('details', 'bm-sec bm-sec-' + key, parent);
    if (open) d.open = true;
    var sum = el('summary', '', d);
    el('h2', '', sum, title);
    return el('div', 'bm-sec-body', d);
  }
  function checkGroup(parent, legend, items, state, onChange){
    var fs = el('fieldset', 'bm-checks', parent);
    el('legend', '', fs, legend);
    items.forEach(function(it){
      var lab = el('label', '', fs), cb = el('input', '', lab);
      cb.type = 'checkbox'; cb.checked = !!state[it[0]]; cb.value = it[0];
      if (it[2]) { var ic = el('span', 'bm-sym', lab); ic.innerHTML = it[2]; ic.setAttribute('aria-hidden', 'true'); }
      el('span', '', lab, it[1]);
      cb.addEventListener('change', function(){ state[it[0]] = cb.checked; onChange(); });
    });
    return fs;
  }

  BM.app = function(map, src, o){
    var body = document.body, mapDiv = map.getContainer();
    var header = document.getElementById(o.headerId), side = document.getElementById(o.sideId);
    /* the map goes into <main>, after the header and the side panel (their controls come first
       in the Tab order) */
    var main = document.createElement('main');
    main.className = 'bm-main';
    main.setAttribute('aria-label', 'Map');
    mapDiv.parentNode.insertBefore(main, mapDiv);
    main.appendChild(mapDiv);
    body.insertBefore(side, main);
    body.insertBefore(header, side);
    body.classList.add('bm-app');
    mapDiv.setAttribute('aria-label', 'Map of incidents along the Durand Line; use the list in the panel to reach each incident');
    mapDiv.setAttribute('role', 'region');

    /* ---- panel toggle (a bottom sheet on a phone, a column otherwise) ---- */
    var toggle = header.querySelector('.bm-toggle');
    var phone = window.matchMedia('(max-width: 760px)');
    function setOpen(open){
      body.classList.toggle('bm-side-open', open);
      toggle.setAttribute('aria-expanded', open ? 'true' : 'false');
      setTimeout(function(){ map.invalidateSize(); }, 0);
    }
    setOpen(!phone.matches);
    /* the layout changed the map's size: fit the first view again */
    map.invalidateSize({pan: false});
    if (o.bounds) map.fitBounds(o.bounds, {animate: false});
    toggle.addEventListener('click', function(){ setOpen(!body.classList.contains('bm-side-open')); });
    phone.addEventListener('change', function(e){ setOpen(!e.matches); });

    var F = src.filters;
    var secSearch = section(side, 'search', 'Search', true);
    var searchCtl = BM.search(map, src, o.search, secSearch);
    var secTime = section(side, 'time', 'Timeline', true);
    var time = BM.timeline(map, src, o.time, secTime);
    var secFilter = section(side, 'filters', 'Filters', false);
    var secList = section(side, 'list', 'Incidents', false);
    var secSummary = section(side, 'summary', 'Summary', true);
    var secLayers = section(side, 'layers', 'Layers', false);
    var secLegend = section(side, 'legend', 'Legend', true);
    var secExport = section(side, 'export', 'Export and share', false);
    var legend = document.getElementById(o.legendId);
    if (legend) secLegend.appendChild(legend);
    var layers = BM.layers(map, o.layers, secLayers);
    var sizeLab = el('label', 'bm-size-deaths', secLayers), sizeBox = el('input', '', sizeLab);
    sizeBox.type = 'checkbox';
    el('span', '', sizeLab, 'Marker size by claimed deaths (none, 1\u20139, 10\u201349, 50+)');
    sizeBox.addEventListener('change', function(){ src.setSizeByDeaths(sizeBox.checked); });

    /* ---- filters ---- */
    var changed = function(){ src.refresh(); };
    checkGroup(secFilter, 'Event type', src.types.map(function(t, j){ return [t[0], t[1], src.meta.icons[j][0]]; }), F.type, changed);
    checkGroup(secFilter, 'Side of the line', src.sides.map(function(x){ return [x[0], x[1]]; }), F.side, changed);
    checkGroup(secFilter, 'Claim status (any claim)', src.statuses.map(function(x){ return [x, x]; }), F.status, changed);
    checkGroup(secFilter, 'Distance band', src.bands.map(function(b){ return [String(b), 'within ' + b + ' km']; })
      .concat([['beyond', 'beyond ' + src.bands[src.bands.length - 1] + ' km'], ['none', 'not located']]), F.band, changed);
    checkGroup(secFilter, 'Location precision', src.PRECISIONS, F.prec, changed);
    var misc = el('fieldset', 'bm-checks', secFilter);
    el('legend', '', misc, 'Claims');
    var lab = el('label', '', misc), contra = el('input', 'bm-f-contra', lab);
    contra.type = 'checkbox';
    el('span', '', lab, 'contradicting claims only');
    contra.addEventListener('change', function(){ F.contra = contra.checked; changed(); });
    var range = el('div', 'bm-range', misc);
    el('span', '', range, 'Claimed deaths (largest claim) from');
    var kmin = el('input', 'bm-f-kmin', range), kmax;
    kmin.type = 'number'; kmin.min = 0; kmin.setAttribute('aria-label', 'Claimed deaths at least');
    el('span', '', range, 'to');
    kmax = el('input', 'bm-f-kmax', range);
    kmax.type = 'number'; kmax.min = 0; kmax.setAttribute('aria-label', 'Claimed deaths at most');
    function num(v){ return v === '' || isNaN(+v) ? null : +v; }
    [kmin, kmax].forEach(function(inp){ inp.addEventListener('input', function(){ F.kmin = num(kmin.value); F.kmax = num(kmax.value); changed(); }); });
    var actorLab = el('label', 'bm-actor', misc);
    el('span', '', actorLab, 'Actor or claimant contains ');
    var actor = el('input', 'bm-f-actor', actorLab);
    actor.type = 'search';
    var atimer = null;
    actor.addEventListener('input', function(){
      clearTimeout(atimer);
      atimer = setTimeout(function(){ F.actor = actor.value.trim().toLowerCase(); changed(); }, 150);
    });
    /* claimants and sectors: all on = no filter (null) */
    function pickGroup(title, items, key){
      var det = el('details', 'bm-pick bm-pick-' + key, secFilter);
      el('summary', '', det, title + ' (' + items.length + ')');
      var state = {};
      items.forEach(function(it){ state[it[0]] = true; });
      var fs = checkGroup(det, title, items, state, function(){
        var all = true;
        for (var k in state) if (!state[k]) all = false;
        F[key] = all ? null : state;
        changed();
      });
      return {fs: fs, state: state};
    }
    var parties = src.parties(), partyItems = [];
    src.on('load', function(){
      parties = src.parties();
      partyItems = parties.map(function(p, j){ return [String(j), (p[0] || '(unnamed)') + ' \u00b7 ' + p[1]]; });
      pickers.party = pickGroup('Claimant', partyItems, 'party');
      pickers.sector = pickGroup('Sector', src.sectors().map(function(x){ return [String(x[0]), x[1]]; }), 'sector');
      syncInputs();
    });
    var pickers = {};
    var reset = el('button', 'bm-reset', secFilter, 'Reset all filters');
    reset.type = 'button';
    reset.addEventListener('click', function(){ resetFilters(); src.setTimeWindow(); });
    function resetFilters(){
      ['type', 'side', 'status', 'band', 'prec'].forEach(function(k){ for (var x in F[k]) F[k][x] = true; });
      F.party = null; F.sector = null; F.contra = false; F.kmin = null; F.kmax = null; F.actor = '';
      Object.keys(pickers).forEach(function(k){ for (var x in pickers[k].state) pickers[k].state[x] = true; });
      syncInputs();
      src.refresh();
    }
    /* the inputs show the filter state (after a URL hash or a reset) */
    function syncInputs(){
      secFilter.querySelectorAll('fieldset.bm-checks').forEach(function(fs){
        var leg = fs.querySelector('legend').textContent;
        var map_ = {'Event type': F.type, 'Side of the line': F.side, 'Claim status (any claim)': F.status,
                    'Distance band': F.band, 'Location precision': F.prec};
        var st = map_[leg] || (leg === 'Claimant' ? pickers.party && pickers.party.state : leg === 'Sector' ? pickers.sector && pickers.sector.state : null);
        if (!st) return;
        fs.querySelectorAll('input[type=checkbox]').forEach(function(cb){ cb.checked = !!st[cb.value]; });
      });
      contra.checked = !!F.contra;
      kmin.value = F.kmin == null ? '' : F.kmin; kmax.value = F.kmax == null ? '' : F.kmax;
      actor.value = F.actor || '';
    }

    /* ---- the list: incidents that pass the filters (optionally only those in view) ---- */
    var listHead = el('div', 'bm-list-head', secList);
    var sortSel = el('select', 'bm-list-sort', listHead);
    sortSel.setAttribute('aria-label', 'Sort the list by');
    [['date-desc', 'newest first'], ['date-asc', 'oldest first'], ['deaths', 'most claimed deaths'], ['distance', 'nearest the line']].forEach(function(x){
      var op = el('option', '', sortSel, x[1]); op.value = x[0];
    });
    var viewLab = el('label', '', listHead), inView = el('input', 'bm-list-inview', viewLab);
    inView.type = 'checkbox';
    el('span', '', viewLab, 'only in view');
    var listInfo = el('div', 'bm-list-info', secList);
    listInfo.setAttribute('aria-live', 'polite');
    var ul = el('ul', 'bm-list', secList);
    var more = el('button', 'bm-list-more', secList, 'Show more');
    more.type = 'button';
    var detail = el('div', 'bm-detail', secList);
    var limit = 100, rows = [];
    function listed(){
      var out = [], n = src.size(), b = inView.checked ? map.getBounds() : null, all = src.all;
      for (var i = 0; i < n; i++) {
        if (!src.isShown(i)) continue;
        if (b && (!all[i].located || !b.contains([all[i].lat, all[i].lon]))) continue;
        out.push(i);
      }
      /* a numeric key per row (sort key * 2^20 + row index) sorted natively: fast at 100,000 */
      var I = src.columns(), mode = sortSel.value, keys = new Float64Array(out.length), M = 1048576;
      for (var j = 0; j < out.length; j++) {
        var i = out[j], k;
        if (mode === 'deaths') k = 1e6 - I.kmax[i];
        else if (mode === 'distance') k = I.distance_km[i] == null ? 1e7 : Math.round(I.distance_km[i] * 10);
        else if (mode === 'date-asc') k = I.d0[i];
        else k = 1e6 - I.d0[i];
        keys[j] = k * M + i;
      }
      keys.sort();
      for (j = 0; j < out.length; j++) out[j] = keys[j] % M;
      return out;
    }
    function renderList(){
      if (!secList.parentNode.open) { rows = null; return; }
      rows = listed();
      ul.textContent = '';
      var I = src.columns();
      rows.slice(0, limit).forEach(function(i){
        var d = src.all[i], li = el('li', d.located ? '' : 'bm-unlocated', ul), b = el('button', 'bm-row', li);
        b.type = 'button';
        b.setAttribute('data-id', d.id);
        if (src.selected === i) li.setAttribute('aria-current', 'true');
        var ic = el('span', 'bm-sym', b); ic.innerHTML = src.meta.icons[d.t][d.s]; ic.setAttribute('aria-hidden', 'true');
        el('span', 'bm-row-date', b, src.dateText(i));
        el('span', 'bm-row-what', b, src.types[d.t][1] + ' \u2014 ' + src.placeReported(i));
        el('span', 'bm-row-side', b, d.located ? src.sideText(i) + (I.distance_km[i] != null ? ', ' + BM.km(I.distance_km[i]) : '') : 'not located');
        if (I.kmax[i] >= 0) el('span', 'bm-row-deaths', b, 'deaths claimed: up to ' + I.kmax[i]);
        b.addEventListener('click', function(){ openRow(i); });
      });
      listInfo.textContent = rows.length.toLocaleString('en-US') + ' incident' + (rows.length === 1 ? '' : 's')
        + (inView.checked ? ' in view' : '') + (rows.length > limit ? ', first ' + limit + ' listed' : '');
      more.hidden = rows.length <= limit;
    }
    function openRow(i){
      var d = src.all[i];
      detail.textContent = '';
      if (d.located) {
        if (phone.matches) setOpen(false);
        src.open(i, true);
      } else {
        /* an unlocated incident: its details here, as its popup would show them */
        var box = el('div', 'bm-detail-box', detail);
        box.innerHTML = src.popupHtml(i);
        var close = el('button', 'bm-detail-close', detail, 'Close details');
        close.type = 'button';
        close.addEventListener('click', function(){ detail.textContent = ''; src.selected = -1; src.fire('select', {i: -1}); });
        src.selected = i; src.fire('select', {i: i});
        var pop = box.querySelector('.bm-popup');
        pop.setAttribute('tabindex', '-1'); pop.focus();
      }
    }
    more.addEventListener('click', function(){ limit += 200; renderList(); });
    sortSel.addEventListener('change', renderList);
    inView.addEventListener('change', renderList);
    secList.parentNode.addEventListener('toggle', renderList);
    map.on('moveend', function(){ if (inView.checked) renderList(); });
    src.on('select', function(){
      ul.querySelectorAll('li').forEach(function(li){
        var on = li.firstChild.getAttribute('data-id') === (src.selected >= 0 ? src.all[src.selected].id : null);
        if (on) li.setAttribute('aria-current', 'true'); else li.removeAttribute('aria-current');
      });
    });

    /* ---- the summary follows the filters ---- */
    function renderSummary(){
      var n = src.size(), I = src.columns(), all = src.all, bySide = {}, byBand = {}, bySector = {}, claims = 0, contra = 0;
      var unloc = 0, dmin = null, dmax = null, tot = 0;
      for (var i = 0; i < n; i++) {
        if (!src.isShown(i)) continue;
        tot++;
        var d = all[i];
        if (!d.located) unloc++;
        bySide[d.s] = (bySide[d.s] || 0) + (d.located ? 1 : 0);
        var bk = !d.located ? null : I.band_km[i] == null ? 'beyond' : I.band_km[i];
        if (bk !== null) byBand[bk] = (byBand[bk] || 0) + 1;
        var sec = I.sector[i];
        if (d.located) bySector[sec] = (bySector[sec] || 0) + 1;
        claims += I.nclaims[i];
        if (I.flags[i] & 6) contra++;
        if (dmin === null || d.d0 < dmin) dmin = d.d0;
        if (dmax === null || d.d1 > dmax) dmax = d.d1;
      }
      secSummary.textContent = '';
      el('div', 'bm-sum-line', secSummary, BM.int(tot) + ' incidents \u00b7 ' + BM.int(claims) + ' claims'
        + (dmin !== null ? ' \u00b7 ' + src.days[dmin] + ' \u2013 ' + src.days[dmax] : ''));
      el('div', 'bm-sum-line', secSummary, BM.int(contra) + ' with contradicting claims');
      if (unloc) el('div', 'bm-note', secSummary, unloc + ' not located (not drawn; listed under Incidents)');
      var t = el('table', 'bm-sum-table', secSummary);
      function head(text){ var tr = el('tr', '', t); var th = el('th', '', tr, text); th.colSpan = 2; th.scope = 'colgroup'; }
      function row(label, v){ var tr = el('tr', '', t); el('td', '', tr, label); el('td', 'bm-n', tr, BM.int(v)); }
      head('By side');
      src.sides.forEach(function(x, j){ row(x[1], bySide[j] || 0); });
      head('By distance band');
      src.bands.forEach(function(b){ row('within ' + b + ' km', byBand[b] || 0); });
      row('beyond ' + src.bands[src.bands.length - 1] + ' km', byBand.beyond || 0);
      var secs = Object.keys(bySector).map(function(k){ return [+k ? src.str(+k) : 'no sector', bySector[k]]; })
        .sort(function(a, b){ return (b[1] - a[1]) || (a[0] < b[0] ? -1 : 1); });
      var det = el('details', 'bm-sectors', secSummary);
      el('summary', '', det, 'By sector (' + secs.length + ')');
      var st = el('table', '', det);
      secs.forEach(function(x){ var tr = el('tr', '', st); el('td', '', tr, x[0]); el('td', 'bm-n', tr, BM.int(x[1])); });
      var count = header.querySelector('.bm-count');
      count.textContent = BM.int(tot) + ' of ' + BM.int(n) + ' incidents';
    }
    src.whenReady(function(){ renderSummary(); });
    renderSummary();
    var sumPending = null;
    var listTimer = null;
    src.on('filter', function(){
      if (sumPending) return;
      sumPending = requestAnimationFrame(function(){
        sumPending = null;
        renderSummary();
        /* during playback the list (a sort of everything shown) follows at most twice a second */
        if (!time.isPlaying()) { clearTimeout(listTimer); listTimer = null; renderList(); }
        else if (!listTimer) listTimer = setTimeout(function(){ listTimer = null; renderList(); }, 500);
      });
    });

    /* ---- export: the filtered selection, made in the page ---- */
    function records(){
      var out = [], n = src.size(), I = src.columns();
      for (var i = 0; i < n; i++) {
        if (!src.isShown(i)) continue;
        var d = src.all[i], c = src.claimsOf(i);
        out.push({
          id: d.id, date: src.dateText(i), event_type: src.types[d.t][0], event_label: src.types[d.t][1],
          place: src.placeReported(i), side: d.located && d.side_key !== 'none' ? d.side_key : null,
          side_wording: src.sideText(i), band_wording: src.bandText(i),
          band_km: I.band_km[i], distance_to_border_km: I.distance_km[i], precision_km: I.precision_km[i],
          sector: src.str(I.sector[i]) || null, claim_count: c.length,
          conflicting_claims: !!(I.flags[i] & 6), max_claimed_killed: I.kmax[i] >= 0 ? I.kmax[i] : null,
          claims: c, lon: d.located ? d.lon : null, lat: d.located ? d.lat : null
        });
      }
      return out;
    }
    function geojson(){
      return JSON.stringify({type: 'FeatureCollection', features: records().map(function(r){
        var props = {};
        Object.keys(r).forEach(function(k){ if (k !== 'lon' && k !== 'lat') props[k] = r[k]; });
        return {type: 'Feature', id: r.id, properties: props,
                geometry: r.lon == null ? null : {type: 'Point', coordinates: [r.lon, r.lat]}};  /* lon, lat */
      })});
    }
    var CSV_COLS = ['id', 'date', 'event_type', 'event_label', 'place', 'side', 'side_wording', 'band_wording', 'band_km',
                    'distance_to_border_km', 'precision_km', 'sector', 'claim_count', 'conflicting_claims',
                    'max_claimed_killed', 'claimants', 'lon', 'lat'];
    function csv(){
      var lines = [CSV_COLS.join(',')];
      records().forEach(function(r){
        r.claimants = r.claims.map(function(c){ return c.side + ': ' + c.who; }).join('; ');
        lines.push(CSV_COLS.map(function(k){ return BM.csvCell(r[k]); }).join(','));
      });
      return lines.join('\r\n') + '\r\n';
    }
    var exp = el('div', 'bm-export', secExport);
    [['GeoJSON', function(){ BM.download('border-map-selection.geojson', 'application/geo+json', geojson()); }],
     ['CSV', function(){ BM.download('border-map-selection.csv', 'text/csv', csv()); }],
     ['Print / PDF', function(){ window.print(); }],
     ['Copy link to this view', function(){ writeHash(); if (navigator.clipboard) navigator.clipboard.writeText(location.href).catch(function(){}); }]
    ].forEach(function(x){
      var b = el('button', 'bm-export-' + x[0].split(/[ /]/)[0].toLowerCase(), exp, x[0]);
      b.type = 'button';
      b.addEventListener('click', x[1]);
    });
    el('p', 'bm-note', secExport, 'Exports hold the incidents that pass the filters and the time window. The link in the address bar reopens this view.');

    /* ---- URL hash: view, filters, time window, open incident ---- */
    var KEYS = {type: 'xt', side: 'xs', status: 'xc', band: 'xb', prec: 'xp'};
    function hashState(){
      var p = [], c = map.getCenter();
      p.push('v=' + c.lat.toFixed(4) + ',' + c.lng.toFixed(4) + ',' + map.getZoom());
      var w = src.window;
      if (w.start !== src.days[0] || w.end !== src.days[src.days.length - 1]) p.push('t=' + w.start + ',' + w.end);
      Object.keys(KEYS).forEach(function(k){
        var off = Object.keys(F[k]).filter(function(x){ return !F[k][x]; });
        if (off.length) p.push(KEYS[k] + '=' + off.map(encodeURIComponent).join(','));
      });
      if (F.party) p.push('cl=' + Object.keys(F.party).filter(function(x){ return F.party[x]; }).join(','));
      if (F.sector) p.push('sec=' + Object.keys(F.sector).filter(function(x){ return F.sector[x]; }).map(function(x){ return encodeURIComponent(src.str(+x)); }).join(','));
      if (F.contra) p.push('contra=1');
      if (F.kmin != null) p.push('kmin=' + F.kmin);
      if (F.kmax != null) p.push('kmax=' + F.kmax);
      if (F.actor) p.push('actor=' + encodeURIComponent(F.actor));
      if (src.selected >= 0) p.push('open=' + encodeURIComponent(src.all[src.selected].id));
      return '#' + p.join('&');
    }
    var restoring = false, hashTimer = null;
    function writeHash(){
      if (restoring || !src.ready) return;
      var h = hashState();
      if (h !== location.hash) history.replaceState(null, '', h);
    }
    function scheduleHash(){ clearTimeout(hashTimer); hashTimer = setTimeout(writeHash, 150); }
    function readHash(){
      var h = location.hash.replace(/^#/, '');
      if (!h) return null;
      var out = {};
      h.split('&').forEach(function(kv){
        var j = kv.indexOf('=');
        if (j > 0) out[kv.slice(0, j)] = kv.slice(j + 1);
      });
      return out;
    }
    function dec(x){ try { return decodeURIComponent(x); } catch (err) { return null; } }
    function finite(x){ return x !== undefined && x !== '' && isFinite(+x) ? +x : null; }
    var ISO = /^\d{4}-\d{2}-\d{2}$/;
    function applyHash(st){
      if (!st) return;
      restoring = true;
      try {
        Object.keys(KEYS).forEach(function(k){
          for (var x in F[k]) F[k][x] = true;
          if (st[KEYS[k]]) st[KEYS[k]].split(',').forEach(function(x){ x = dec(x); if (x !== null && Object.prototype.hasOwnProperty.call(F[k], x)) F[k][x] = false; });
        });
        F.party = null; F.sector = null;
        if (st.cl !== undefined && pickers.party) {
          var on = {};
          st.cl.split(',').forEach(function(x){ if (x !== '') on[x] = true; });
          for (var x in pickers.party.state) pickers.party.state[x] = !!on[x];
          F.party = pickers.party.state;
        }
        if (st.sec !== undefined && pickers.sector) {
          var names = {};
          st.sec.split(',').forEach(function(x){ var v = dec(x); if (v !== null) names[v] = true; });
          for (var y in pickers.sector.state) pickers.sector.state[y] = !!names[src.str(+y)];
          F.sector = pickers.sector.state;
        }
        F.contra = st.contra === '1';
        F.kmin = finite(st.kmin);
        F.kmax = finite(st.kmax);
        F.actor = st.actor ? (dec(st.actor) || '').toLowerCase() : '';
        syncInputs();
        src.refresh();
        var tw = (st.t || '').split(',');
        if (tw.length === 2 && ISO.test(tw[0]) && ISO.test(tw[1])) src.setTimeWindow(tw[0], tw[1]); else src.setTimeWindow();
        if (st.v) {
          var v = st.v.split(',').map(Number);
          if (v.length === 3 && v.every(isFinite)) map.setView([v[0], v[1]], v[2], {animate: false});
        }
        if (st.open && dec(st.open) !== null) {
          var i = src.indexOf(dec(st.open));
          if (i >= 0) {
            if (src.all[i].located) {
              var m = src.markers[i];
              if (src.clustered && !m._map) src.showMarker(m);
              if (st.v) { var v2 = st.v.split(',').map(Number); if (v2.length === 3 && v2.every(isFinite)) map.setView([v2[0], v2[1]], v2[2], {animate: false}); }
              src.restoring = true;
              try { m.openPopup(); } finally { src.restoring = false; }
            } else { secList.parentNode.open = true; renderList(); openRow(i); }
          }
        }
      } finally {
        restoring = false;
      }
    }
    function safeApply(){
      try { applyHash(readHash()); } catch (err) { /* a mangled link: keep the default view */ }
    }
    src.whenReady(function(){ setTimeout(function(){  /* after the clusters have settled */
      safeApply();
      map.on('moveend', scheduleHash);
      src.on('filter select', scheduleHash);
    }, 0); });
    window.addEventListener('hashchange', function(){ if (location.hash !== hashState()) safeApply(); });

    return {time: time, search: searchCtl, layers: layers, renderList: renderList, csv: csv, geojson: geojson,
            hashState: hashState, applyHash: function(h){ applyHash(h ? readHash.call(null, location.hash = h) : readHash()); },
            setOpen: setOpen, resetFilters: resetFilters, syncInputs: syncInputs, list: function(){ return rows ? rows.slice() : listed(); }};
  };

  /* window.borderMap: the map's state for the browser tests and curious users */
  BM.api = function(map, src, app, extra){
    window.borderMap = {
      map: map,
      get incidents(){ return src.incidents; },
      get markers(){ return src.markers; },
      get all(){ return src.all; },
      visibleMarkers: function(){ return src.count(); },
      shownAll: function(){ return src.countAll(); },
      namedLayers: app.layers.namedLayers,
      layerControl: app.layers,
      overlays: src.overlays,
      layer: src,
      app: app,
      filters: src.filters,
      setFilters: function(c){ return src.setFilters(c); },
      clustered: src.clustered,
      setTimeWindow: function(a, b){ return src.setTimeWindow(a, b); },
      timeWindow: function(){ return {start: src.window.start, end: src.window.end}; },
      days: src.days,
      open: function(id){ return src.open(id); },
      heatLayer: extra.heat,
      search: function(text){ return app.search.search(text); },
      searchControl: app.search,
      timeControl: app.time,
      fullscreen: extra.fullscreen,
      measure: extra.measure,
      uncertainty: src.uncertainty,
      get ready(){ return src.ready; }
    };
    return window.borderMap;
  };
})();
