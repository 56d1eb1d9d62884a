/* border-map: a kernel-density heat map of the incidents that pass the filter, on a canvas.
   Each redraw bins the shown incidents into a grid of cell pixels, blurs it with three box
   passes (close to a Gaussian) and colours it on a blue-purple ramp (distinct from the
   bands' warm colours) scaled to the densest cell in view. */
/* global L, BM */
(function(){
  'use strict';
  var RAMP = [[0, 237, 248, 251], [0.25, 179, 205, 227], [0.5, 140, 150, 198], [0.75, 136, 86, 167], [1, 129, 15, 124]];
  BM.HEAT_RAMP = RAMP;
  function colour(t){
    for (var k = 1; k < RAMP.length; k++) if (t <= RAMP[k][0]) {
      var a = RAMP[k - 1], b = RAMP[k], f = (t - a[0]) / (b[0] - a[0]);
      return [a[1] + f * (b[1] - a[1]), a[2] + f * (b[2] - a[2]), a[3] + f * (b[3] - a[3])];
    }
    return RAMP[RAMP.length - 1].slice(1);
  }
  function blur(g, w, h, r, tmp){
    var x, y, acc, win = 2 * r + 1;
    for (y = 0; y < h; y++) {              /* horizontal */
      acc = 0; var row = y * w;
      for (x = -r; x < w + r; x++) {
        if (x + r < w && x + r >= 0) acc += g[row + x + r];
        if (x - r - 1 >= 0 && x - r - 1 < w) acc -= g[row + x - r - 1];
        if (x >= 0 && x < w) tmp[row + x] = acc / win;
      }
    }
    for (x = 0; x < w; x++) {              /* vertical */
      acc = 0;
      for (y = -r; y < h + r; y++) {
        if (y + r < h && y + r >= 0) acc += tmp[(y + r) * w + x];
        if (y - r - 1 >= 0 && y - r - 1 < h) acc -= tmp[(y - r - 1) * w + x];
        if (y >= 0 && y < h) g[y * w + x] = acc / win;
      }
    }
  }
  BM.heatLayer = function(map, src, o){
    var CELL = o.cell, R = Math.max(1, Math.round(o.radius / CELL / 1.7));
    var Heat = L.Layer.extend({
      onAdd: function(m){
        this._canvas = L.DomUtil.create('canvas', 'bm-heat leaflet-zoom-hide');
        this._canvas.id = o.id;
        this._canvas.setAttribute('aria-hidden', 'true');
        this.getPane().appendChild(this._canvas);
        m.on('moveend resize', this.redraw, this);
        src.on('filter', this.redraw, this);
        this.redraw();
      },
      onRemove: function(m){
        L.DomUtil.remove(this._canvas);
        m.off('moveend resize', this.redraw, this);
        src.off('filter', this.redraw, this);
        this._canvas = null;
      },
      redraw: function(){
        if (!this._map || !this._canvas) return this;
        var size = map.getSize(), c = this._canvas;
        c.width = size.x; c.height = size.y;
        L.DomUtil.setPosition(c, map.containerPointToLayerPoint([0, 0]));
        var M = 3 * R, gw = Math.ceil(size.x / CELL) + 2 * M, gh = Math.ceil(size.y / CELL) + 2 * M;
        var grid = new Float32Array(gw * gh), tmp = new Float32Array(gw * gh), pts = 0;
        var incs = src.incidents;
        for (var i = 0; i < incs.length; i++) {
          if (!src.isShown(i)) continue;
          var p = map.latLngToContainerPoint([incs[i].lat, incs[i].lon]);
          var x = Math.floor(p.x / CELL) + M, y = Math.floor(p.y / CELL) + M;
          if (x < 0 || y < 0 || x >= gw || y >= gh) continue;
          grid[y * gw + x] += 1; pts++;
        }
        for (var pass = 0; pass < 3; pass++) blur(grid, gw, gh, R, tmp);
        var max = 0;
        for (var k = 0; k < grid.length; k++) if (grid[k] > max) max = grid[k];
        this.stats = {points: pts, max: max};
        if (!pts || max <= 0) return this;
        var w = gw - 2 * M, h = gh - 2 * M, off = document.createElement('canvas');
        off.width = w; off.height = h;
        var octx = off.getContext('2d'), img = octx.createImageData(w, h), px = img.data;
        for (var yy = 0; yy < h; yy++) for (var xx = 0; xx < w; xx++) {
          var t = Math.sqrt(grid[(yy + M) * gw + xx + M] / max);
          if (t < 0.03) continue;
          var rgb = colour(t), q = 4 * (yy * w + xx);
          px[q] = rgb[0]; px[q + 1] = rgb[1]; px[q + 2] = rgb[2]; px[q + 3] = Math.min(255, 60 + 195 * t);
        }
        octx.putImageData(img, 0, 0);
        var ctx = c.getContext('2d');
        ctx.imageSmoothingEnabled = true;
        ctx.drawImage(off, 0, 0, w * CELL, h * CELL);
        return this;
      }
    });
    var layer = new Heat();
    layer.stats = {points: 0, max: 0};
    if (o.show) layer.addTo(map);
    return layer;
  };
})();
