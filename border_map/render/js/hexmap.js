/* border-map: hexagon cells as one GeoJSON layer, a legend, and drill-down popups
   (the aggregated map of many incidents). Every value is put into the page with
   textContent, never as markup. */
/* global L, BM */
(function(){
  'use strict';
  BM.hexLayer = function(map, o){
    var cells = o.cells, items = o.items, colours = o.colours, breaks = o.breaks;
    var sideLabels = o.sideLabels, info = o.info;
    function colour(n){
      for (var i = breaks.length - 1; i >= 0; i--) { if (n >= breaks[i]) return colours[i]; }
      return colours[0];
    }
    function el(tag, text, cls){
      var e = document.createElement(tag);
      if (text !== undefined && text !== null) e.textContent = String(text);
      if (cls) e.className = cls;
      return e;
    }
    function fmt(n){ return Number(n).toLocaleString('en'); }
    function bandLabel(b){ return b === 'beyond' ? 'beyond ' + info.widest + ' km' : 'within ' + b + ' km'; }
    function countsTable(title, obj, label){
      var box = el('div');
      box.appendChild(el('h5', title));
      var t = el('table');
      Object.keys(obj).forEach(function(k){
        var tr = el('tr');
        tr.appendChild(el('td', label(k)));
        tr.appendChild(el('td', fmt(obj[k]), 'n'));
        t.appendChild(tr);
      });
      box.appendChild(t);
      return box;
    }
    function popup(p){
      var div = el('div', null, 'bm-hex-popup');
      div.setAttribute('data-cell', p.cell);
      div.appendChild(el('h4', fmt(p.count) + ' incident' + (p.count === 1 ? '' : 's') + ' \u00b7 ' + fmt(p.claims) + ' claims'));
      div.appendChild(countsTable('By side of the line', p.by_side, function(k){ return sideLabels[k] || k; }));
      div.appendChild(countsTable('By distance band', p.by_band, bandLabel));
      var periods = Object.keys(p.by_period).sort().reverse();
      var shown = {};
      periods.slice(0, info.max_periods).forEach(function(k){ shown[k] = p.by_period[k]; });
      var ptitle = 'By ' + info.period + (periods.length > info.max_periods ? ' (latest ' + info.max_periods + ' of ' + periods.length + ')' : '');
      div.appendChild(countsTable(ptitle, shown, function(k){ return k; }));
      var list = items[p.cell] || [];
      if (list.length) {
        var btn = el('button', 'List ' + list.length + ' of ' + fmt(p.count) + ' incidents', 'bm-hex-drill');
        var box = el('div', null, 'bm-hex-list');
        box.style.display = 'none';
        var t = el('table');
        var head = el('tr');
        ['Date', 'Event', 'Side', 'km', 'Place', 'id'].forEach(function(h){ head.appendChild(el('th', h)); });
        t.appendChild(head);
        list.forEach(function(r){
          var tr = el('tr');
          [r[1], r[2], r[3], r[5], r[6], r[0]].forEach(function(v){ tr.appendChild(el('td', v === null ? '' : v)); });
          t.appendChild(tr);
        });
        box.appendChild(t);
        btn.addEventListener('click', function(){ box.style.display = box.style.display === 'none' ? 'block' : 'none'; });
        div.appendChild(btn);
        div.appendChild(box);
      }
      return div;
    }
    var layer = L.geoJSON(cells, {
      style: function(f){ return {fillColor: colour(f.properties.count), color: '#7f2704', weight: 0.4, opacity: 0.6, fillOpacity: 0.75}; },
      onEachFeature: function(f, l){
        l.bindTooltip(fmt(f.properties.count) + ' incidents', {sticky: true});
        l.bindPopup(function(){ return popup(f.properties); }, {maxWidth: 460});
      }
    }).addTo(map);
    var legend = L.control({position: 'bottomleft'});
    legend.onAdd = function(){
      var div = L.DomUtil.create('div', 'bm-panel bm-hex-legend');
      div.appendChild(el('h3', info.label));
      div.appendChild(el('div', fmt(info.located) + ' located incidents in ' + fmt(cells.features.length) + ' hexagons \u00b7 ' + fmt(info.claims) + ' claims'));
      if (info.unlocated) div.appendChild(el('div', fmt(info.unlocated) + ' incident(s) without a position are not drawn.', 'bm-note'));
      breaks.forEach(function(b, i){
        var row = el('div');
        var sw = el('i'); sw.style.background = colours[i];
        row.appendChild(sw);
        var hi = i + 1 < breaks.length ? breaks[i + 1] - 1 : null;
        row.appendChild(document.createTextNode(hi === null ? fmt(b) + '+' : (hi === b ? fmt(b) : fmt(b) + '\u2013' + fmt(hi))));
        div.appendChild(row);
      });
      div.appendChild(el('div', info.grid, 'bm-note'));
      L.DomEvent.disableClickPropagation(div);
      L.DomEvent.disableScrollPropagation(div);
      return div;
    };
    legend.addTo(map);
    window.borderMap = window.borderMap || {};
    window.borderMap.hexLayer = layer;
    window.borderMap.hexCells = cells;
    window.borderMap.hexItems = items;
    if (window.borderMap.layerControl) window.borderMap.layerControl.addOverlay(layer, info.label);
    if (window.borderMap.overlays) window.borderMap.overlays[info.label] = layer;
    return layer;
  };
})();
