/* border-map: small controls: full screen, measure, search, layer list. */
/* global L, BM */
(function(){
  'use strict';

  /* A fullscreen button (the Fullscreen API on the page); where the browser refuses
     (an iframe without permission, an old browser) the map is stretched over the window. */
  BM.fullscreen = function(map, o){
    var box = map.getContainer();
    var ctl = L.control({position: o.position}), btn;
    function isOn(){ return !!document.fullscreenElement || L.DomUtil.hasClass(box, 'bm-pseudo-fullscreen'); }
    function changed(){
      var onNow = isOn();
      L.DomUtil[onNow ? 'addClass' : 'removeClass'](btn, 'bm-active');
      btn.title = onNow ? o.titleCancel : o.title;
      btn.setAttribute('aria-pressed', onNow ? 'true' : 'false');
      map.invalidateSize({animate: false});
    }
    function pseudo(onNow){ L.DomUtil[onNow ? 'addClass' : 'removeClass'](box, 'bm-pseudo-fullscreen'); changed(); }
    function toggle(){
      var target = document.documentElement;
      if (isOn()) {
        if (document.fullscreenElement) document.exitFullscreen().catch(function(){ pseudo(false); });
        else pseudo(false);
      } else if (target.requestFullscreen) {
        target.requestFullscreen().catch(function(){ pseudo(true); });
      } else {
        pseudo(true);
      }
    }
    ctl.onAdd = function(){
      var div = L.DomUtil.create('div', 'leaflet-bar bm-fullscreen');
      div.id = o.id;
      btn = L.DomUtil.create('button', 'bm-button', div);
      btn.type = 'button'; btn.title = o.title;
      btn.setAttribute('aria-label', o.title); btn.setAttribute('aria-pressed', 'false');
      btn.innerHTML = '<svg width="16" height="16" viewBox="0 0 16 16" fill="none" stroke="#222" stroke-width="2" aria-hidden="true">'
        + '<path d="M1 6V1h5M10 1h5v5M15 10v5h-5M6 15H1v-5"/></svg>';
      L.DomEvent.disableClickPropagation(div);
      L.DomEvent.on(btn, 'click', toggle);
      return div;
    };
    ctl.addTo(map);
    document.addEventListener('fullscreenchange', changed);
    document.addEventListener('keydown', function(e){ if (e.key === 'Escape' && L.DomUtil.hasClass(box, 'bm-pseudo-fullscreen')) pseudo(false); });
    ctl.toggle = toggle; ctl.isFullscreen = isOn;
    return ctl;
  };

  /* Click points on the map; shows the great-circle length of the path (map.distance).
     The button switches measuring on and off (off clears); Escape also ends it. */
  BM.measure = function(map, o){
    var ctl = L.control({position: o.position}), div, btn, out;
    var layer = L.layerGroup(), line = null, points = [], active = false;
    function total(){
      var t = 0;
      for (var i = 1; i < points.length; i++) t += map.distance(points[i - 1], points[i]);
      return t / 1000;
    }
    function show(){
      var km = total();
      out.textContent = points.length < 2 ? o.hint
        : km.toLocaleString('en-US', {maximumFractionDigits: km < 10 ? 2 : 1}) + ' km'
          + ' (' + (points.length - 1) + ' segment' + (points.length > 2 ? 's' : '') + ')';
    }
    function add(e){
      points.push(e.latlng);
      L.circleMarker(e.latlng, {radius: 4, color: '#222', weight: 2, fillColor: '#fff', fillOpacity: 1,
                                interactive: false}).addTo(layer);
      if (line) line.setLatLngs(points);
      else line = L.polyline(points, {color: '#222', weight: 2, dashArray: '6 4', interactive: false}).addTo(layer);
      show();
    }
    function clear(){ points = []; line = null; layer.clearLayers(); }
    function start(){
      active = true; clear(); show();
      layer.addTo(map); map.on('click', add); map.doubleClickZoom.disable();
      L.DomUtil.addClass(map.getContainer(), 'bm-measure-cursor');
      L.DomUtil.addClass(div, 'bm-measuring'); L.DomUtil.addClass(btn, 'bm-active');
      btn.setAttribute('aria-pressed', 'true');
    }
    function stop(){
      active = false; map.off('click', add); map.doubleClickZoom.enable(); clear(); map.removeLayer(layer);
      L.DomUtil.removeClass(map.getContainer(), 'bm-measure-cursor');
      L.DomUtil.removeClass(div, 'bm-measuring'); L.DomUtil.removeClass(btn, 'bm-active');
      btn.setAttribute('aria-pressed', 'false');
    }
    ctl.onAdd = function(){
      div = L.DomUtil.create('div', 'leaflet-bar bm-measure');
      div.id = o.id;
      btn = L.DomUtil.create('button', 'bm-button', div);
      btn.type = 'button'; btn.title = o.title;
      btn.setAttribute('aria-label', o.title); btn.setAttribute('aria-pressed', 'false');
      btn.innerHTML = '<svg width="18" height="18" viewBox="0 0 18 18" fill="none" stroke="#222" stroke-width="1.6" aria-hidden="true">'
        + '<path d="M1 12l11-11 5 5-11 11z M4 9l2 2 M6.5 6.5l1.5 1.5 M9 4l2 2"/></svg>';
      out = L.DomUtil.create('div', 'bm-measure-out', div);
      out.setAttribute('aria-live', 'polite');
      L.DomEvent.disableClickPropagation(div);
      L.DomEvent.on(btn, 'click', function(){ if (active) stop(); else start(); });
      return div;
    };
    ctl.addTo(map);
    document.addEventListener('keydown', function(e){ if (e.key === 'Escape' && active) stop(); });
    ctl.start = start; ctl.stop = stop;
    ctl.isActive = function(){ return active; };
    ctl.points = function(){ return points.slice(); };
    ctl.distanceKm = total;
    return ctl;
  };

  /* A search box over incidents (id, place as reported, resolved place, claimants) and over
     the places the incidents resolved to. Only incidents that pass the filters are searched;
     results are built with textContent, never markup. Placed in `parent` (the side panel). */
  BM.search = function(map, src, o, parent){
    var div = BM.el('div', 'bm-search', parent), index = null, results = [];
    div.id = o.id;
    div.setAttribute('role', 'search');
    var input = BM.el('input', '', div);
    input.type = 'search'; input.placeholder = o.placeholder;
    input.setAttribute('aria-label', o.placeholder);
    var list = BM.el('ul', '', div);
    list.setAttribute('aria-live', 'polite');
    function build(){
      index = new Array(src.size());
      for (var i = 0; i < index.length; i++) index[i] = src.searchText(i).toLowerCase();
    }
    function search(text){
      var q = String(text == null ? '' : text).trim().toLowerCase();
      results = [];
      if (!q) { render(); return results; }
      if (!index || index.length !== src.size()) build();
      var places = {}, placeOrder = [], incs = [];
      for (var i = 0; i < index.length; i++) {
        if (!src.isShown(i) || index[i].indexOf(q) < 0) continue;
        var pn = src.placeName(i);
        if (i < src.located() && pn && pn.toLowerCase().indexOf(q) >= 0) {
          if (!places[pn]) { places[pn] = []; placeOrder.push(pn); }
          places[pn].push(i);
        }
        if (incs.length < o.maxResults) incs.push(i);
      }
      placeOrder.slice(0, 3).forEach(function(p){
        results.push({kind: 'place', label: p, count: places[p].length, indices: places[p]});
      });
      incs.forEach(function(i){
        var d = src.all[i];
        results.push({kind: 'incident', id: d.id, index: i,
                      label: src.types[d.t][1] + ' \u2014 ' + src.placeReported(i) + ' (' + src.dateText(i) + ')'
                        + (d.located ? '' : ' \u00b7 not located')});
      });
      render();
      return results.map(function(r){ return {kind: r.kind, id: r.id, label: r.label, count: r.count}; });
    }
    function choose(r){
      if (r.kind === 'place') {
        var b = L.latLngBounds(r.indices.map(function(i){ return src.markers[i].getLatLng(); }));
        map.fitBounds(b.pad(0.3), {maxZoom: 10, animate: false});
      } else {
        src.open(r.index, true);
      }
    }
    function render(){
      list.textContent = '';
      results.forEach(function(r){
        var li = BM.el('li', '', list), b = BM.el('button', 'bm-search-' + r.kind, li);
        b.type = 'button';
        b.textContent = r.label + ' ';
        BM.el('small', '', b, r.kind === 'place'
          ? '(place, ' + r.count + ' incident' + (r.count === 1 ? '' : 's') + ')' : '(' + r.id + ')');
        b.addEventListener('click', function(){ choose(r); });
      });
      if (input.value.trim() && !results.length) BM.el('li', 'bm-note', list, o.noResults);
    }
    var timer = null;
    input.addEventListener('input', function(){
      clearTimeout(timer);
      timer = setTimeout(function(){ search(input.value); }, 120);
    });
    input.addEventListener('keydown', function(e){ if (e.key === 'Enter' && results.length) choose(results[0]); });
    src.on('filter', function(){ if (input.value.trim()) search(input.value); });
    return {
      search: function(text){ input.value = text == null ? '' : text; return search(text); },
      choose: function(k){ if (results[k]) choose(results[k]); },
      getContainer: function(){ return div; }
    };
  };

  /* Base layers and every named overlay, as a list in the side panel. */
  BM.layers = function(map, o, parent){
    var ctl = L.control.layers(o.bases, o.overlays, {collapsed: false, position: 'topright'}).addTo(map);
    var box = ctl.getContainer();
    box.classList.add('bm-layers');
    if (parent) parent.appendChild(box);
    ctl.namedLayers = o.overlays;
    ctl.fit = function(){};
    return ctl;
  };
})();
