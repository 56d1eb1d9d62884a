/* border-map: the shipped country polygons in their own pane below the tile pane. */
/* global L, BM */
(function(){
  'use strict';
  /* Always on, whichever base layer is chosen: OpenStreetMap tiles draw on top when they
     load, and when they fail the countries still show, never a blank map. */
  BM.countriesBase = function(map, o){
    /* no tile layer sets a zoom range; clustering needs one */
    if (map.options.maxZoom === undefined) map.setMaxZoom(o.maxZoom);
    if (map.options.minZoom === undefined) map.setMinZoom(o.minZoom);
    var pane = map.createPane('bm-countries');
    pane.style.zIndex = 150;  /* tiles are at 200 */
    var layer = L.geoJSON(o.data, {
      pane: 'bm-countries',
      style: function(f){
        return {fillColor: o.fills[f.properties.iso_a2] || '#eeeeee', color: '#9a9a9a', weight: 1, fillOpacity: 1};
      },
      onEachFeature: function(f, l){ l.bindTooltip(f.properties.name, {sticky: true}); }
    });
    layer.addTo(map);
    return layer;
  };
})();

/* border-map: context. Rivers, province boundaries with their names, and place labels by zoom
   (crossings, districts, tehsils, towns), one label per cell of a grid so they never pile up. */
(function(){
  'use strict';
  BM.contextLayer = function(map, o){
    map.createPane('bm-admin').style.zIndex = 390;   /* under the bands and line (400) */
    map.createPane('bm-rivers').style.zIndex = 380;  /* under the boundaries, bands and markers */
    var labelsPane = map.createPane('bm-labels');
    labelsPane.style.zIndex = 450; labelsPane.style.pointerEvents = 'none';
    var lines = L.geoJSON(o.admin, {pane: 'bm-admin', interactive: false,
      style: function(f){ return {color: '#6d6d6d', weight: f.properties.country === 'PK' ? 1.2 : 1, dashArray: '3 3',
                                  fill: false, opacity: 0.8, className: 'bm-admin'}; }});
    /* Pakistani districts: thinner lines, no labels of their own (the places carry them) */
    var districts = L.geoJSON(o.admin2, {pane: 'bm-admin', interactive: false,
      style: function(){ return {color: '#8a8a8a', weight: 0.6, dashArray: '2 3', fill: false,
                                 opacity: 0.7, className: 'bm-admin2'}; }});
    /* rivers: thin blue context lines, thicker from zoom 8 */
    var rivers = L.geoJSON(o.rivers, {pane: 'bm-rivers', interactive: false,
      style: function(){ return {color: o.riverColour, weight: map.getZoom() >= 8 ? 2 : 1.3, opacity: 0.9, fill: false,
                                 className: 'bm-river'}; }});
    function riverWeight(){ rivers.setStyle({weight: map.getZoom() >= 8 ? 2 : 1.3}); }
    map.on('zoomend', riverWeight);
    var labels = L.layerGroup();
    var group = L.layerGroup([rivers, districts, lines, labels]);
    var items = o.admin.features.map(function(f){
      return {name: f.properties.name, lat: f.properties.label[1], lon: f.properties.label[0], minzoom: 5, cls: 'bm-label-admin'};
    }).concat(o.places.features.map(function(f){
      return {name: f.properties.name, lat: f.geometry.coordinates[1], lon: f.geometry.coordinates[0],
              minzoom: f.properties.minzoom, cls: 'bm-label-' + f.properties.kind};
    }));
    var icons = {};
    function draw(){
      labels.clearLayers();
      if (!map.hasLayer(group)) return;
      var z = map.getZoom(), b = map.getBounds().pad(0.1), taken = {}, n = 0;
      for (var k = 0; k < items.length && n < o.maxLabels; k++) {
        var it = items[k];
        if (it.minzoom > z || !b.contains([it.lat, it.lon])) continue;
        var p = map.latLngToContainerPoint([it.lat, it.lon]);
        /* the cells of a 40 x 24 px grid that the label's box covers (width from its length) */
        var half = it.name.length * (it.minzoom === 5 ? 4.6 : 3.4) + 4, row = Math.floor(p.y / 24);
        var c0 = Math.floor((p.x - half) / 40), c1 = Math.floor((p.x + half) / 40), free = true, c;
        for (c = c0; c <= c1 && free; c++) if (taken[c + ':' + row]) free = false;
        if (!free) continue;
        for (c = c0; c <= c1; c++) taken[c + ':' + row] = 1;
        n++;
        var key = it.cls + '|' + it.name;
        var icon = icons[key] || (icons[key] = L.divIcon({className: 'bm-label ' + it.cls, html: BM.esc(it.name), iconSize: null}));
        labels.addLayer(L.marker([it.lat, it.lon], {icon: icon, pane: 'bm-labels', interactive: false, keyboard: false}));
      }
      group.shown = n;
    }
    map.on('moveend', draw);
    group.on('add', function(){ setTimeout(draw, 0); });
    group.addTo(map);
    group.redraw = draw;
    return group;
  };
})();
