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
