/* border-map: shared helpers of the map's scripts (window.BM). Loaded first. */
/* eslint-env browser */
/* global L */
(function(){
  'use strict';
  var BM = window.BM = window.BM || {};
  var ESC = {'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#x27;'};
  /* The one escape function: every field that reaches innerHTML goes through it. */
  BM.esc = function(v){
    return v == null ? '' : String(v).replace(/[&<>"']/g, function(c){ return ESC[c]; });
  };
  BM.fixed = function(v, digits){
    return v.toLocaleString('en-US', {minimumFractionDigits: digits, maximumFractionDigits: digits});
  };
  BM.km = function(v){ return v == null ? 'n/a' : BM.fixed(v, 1) + ' km'; };
  BM.int = function(v){ return Number(v).toLocaleString('en-US'); };
  BM.safeUrl = function(u){ return /^https?:\/\//i.test(u) ? u : null; };
  /* an element with a class and text (never markup), appended to parent */
  BM.el = function(tag, cls, parent, text){
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (parent) parent.appendChild(e);
    return e;
  };
  /* A panel written in the page (legend, summary): moved into a Leaflet control. */
  BM.panelControl = function(map, id, position){
    var el = document.getElementById(id);
    var ctl = L.control({position: position});
    ctl.onAdd = function(){
      L.DomEvent.disableClickPropagation(el);
      L.DomEvent.disableScrollPropagation(el);
      return el;
    };
    ctl.addTo(map);
    return ctl;
  };
  BM.attribution = function(map, prefix, items){
    map.attributionControl.setPrefix(prefix);
    items.forEach(function(a){ map.attributionControl.addAttribution(a); });
  };
  /* A CSV cell: quoted, and a leading = + - @ tab or CR neutralised (spreadsheet formulas). */
  BM.csvCell = function(v){
    if (v == null) return '';
    var s = String(v);
    if (/^[=+\-@\t\r]/.test(s)) s = "'" + s;
    if (/[",\r\n']/.test(s)) s = '"' + s.replace(/"/g, '""') + '"';
    return s;
  };
  BM.download = function(name, type, text){
    var blob = new Blob([text], {type: type});
    var a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = name;
    document.body.appendChild(a);
    a.click();
    setTimeout(function(){ URL.revokeObjectURL(a.href); a.remove(); }, 1000);
  };
})();
