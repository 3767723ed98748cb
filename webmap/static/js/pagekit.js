/* What the page scripts share: elements filled through textContent only, the "{n}" message format,
   the GCJ-02 shift, filters kept in the URL, the panel toggle, the CSRF header every write sends,
   the top bar's menu on phones and the map controls folded away there. */
(function () {
  "use strict";

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  var pluralRules = null;

  /* A count message in the form for n: the server sends {one, other} (webmap.i18n.plural_forms), picked by
     the page language's plural rules ("1 lamp", "2 lamps"); a plain string has one form. */
  function plural(message, n) {
    if (!message || typeof message !== "object") return message;
    pluralRules = pluralRules || new Intl.PluralRules(document.documentElement.lang || "zh-CN");
    return message[pluralRules.select(Number(n))] || message.other;
  }

  function format(message, n) {
    return plural(message, n).replace("{n}", Number(n).toLocaleString());
  }

  /* WGS84 <-> the map's coordinates: GCJ-02 tiles need the shift the server computed.
     toMap(lon, lat) -> L.LatLng; fromLonLat(lon, lat) and fromMap(latlng) -> [lon, lat]. */
  function projection(shift) {
    var toMap, fromLonLat;
    if (!shift) {
      toMap = function (lon, lat) { return L.latLng(lat, lon); };
      fromLonLat = function (lon, lat) { return [lon, lat]; };
    } else {
      var o = shift.origin, d = shift.offset, j = shift.jacobian;
      var det = (1 + j[0][0]) * (1 + j[1][1]) - j[0][1] * j[1][0];
      toMap = function (lon, lat) {
        var x = lon - o[0], y = lat - o[1];
        return L.latLng(lat + d[1] + j[1][0] * x + j[1][1] * y, lon + d[0] + j[0][0] * x + j[0][1] * y);
      };
      fromLonLat = function (lon, lat) {
        var u = lon - o[0] - d[0], v = lat - o[1] - d[1];
        return [o[0] + ((1 + j[1][1]) * u - j[0][1] * v) / det, o[1] + ((1 + j[0][0]) * v - j[1][0] * u) / det];
      };
    }
    return {
      toMap: toMap,
      fromLonLat: fromLonLat,
      fromMap: function (latlng) { return fromLonLat(latlng.lng, latlng.lat); }
    };
  }

  /* ---- filters <-> the URL ---- */

  function readFilters(names, params) {
    params = params || new URLSearchParams(window.location.search);
    var filters = {};
    names.forEach(function (name) { filters[name] = (params.get(name) || "").trim(); });
    return filters;
  }

  function setFilters(params, names, filters) {
    names.forEach(function (name) {
      if (filters[name]) params.set(name, filters[name]); else params.delete(name);
    });
    return params;
  }

  /* Commas stay readable in the address bar. */
  function queryString(params) {
    return params.toString().replace(/%2C/g, ",");
  }

  function plainQuery(params) {
    return params.toString();
  }

  /* Put params in the address bar; the language switch keeps what is on screen. */
  function replaceQuery(params, encode) {
    encode = encode || plainQuery;
    var query = encode(params);
    window.history.replaceState(null, "", window.location.pathname + (query ? "?" + query : ""));
    document.querySelectorAll(".jt-lang a").forEach(function (link) {
      var target = new URLSearchParams(params);
      target.set("lang", link.getAttribute("hreflang") === "en" ? "en" : "zh");
      link.setAttribute("href", "?" + encode(target));
    });
  }

  function setupPanelToggle(map) {
    var toggle = document.getElementById("jt-panel-toggle");
    var open = window.innerWidth >= 900;
    function apply() {
      document.body.classList.toggle("jt-panel-open", open);
      toggle.setAttribute("aria-expanded", String(open));
      map.invalidateSize();
    }
    toggle.addEventListener("click", function () { open = !open; apply(); });
    apply();
  }

  /* The headers of a state-changing request: the page's CSRF token (webmap/csrf.py) added to `headers`. */
  function writeHeaders(headers) {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return Object.assign({}, headers || {}, meta ? {"X-CSRFToken": meta.content} : {});
  }

  /* ---- the top bar's menu (phones): a disclosure button, closed by Escape, a tap elsewhere or a choice ---- */

  function setMenu(open, refocus) {
    var toggle = document.getElementById("jt-menu-toggle");
    if (!toggle) return;
    toggle.setAttribute("aria-expanded", String(open));
    document.body.classList.toggle("jt-menu-open", open);
    if (!open && refocus) toggle.focus();
  }

  function menuOpen() { return document.body.classList.contains("jt-menu-open"); }

  document.addEventListener("click", function (event) {
    if (event.target.closest("#jt-menu-toggle")) { setMenu(!menuOpen()); return; }
    if (menuOpen() && (!event.target.closest("#jt-menu") || event.target.closest("a"))) setMenu(false);
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && menuOpen()) setMenu(false, true);
  });

  /* On a phone the layer lists start folded (Leaflet's own button opens them); legends do so on their own. */
  var SMALL_SCREEN = "(max-width: 700px), (max-height: 500px)";
  if (window.L && L.Control && L.Control.Layers && window.matchMedia) {
    L.Control.Layers.addInitHook(function () {
      if (window.matchMedia(SMALL_SCREEN).matches) this.options.collapsed = true;
    });
  }

  window.JintanPage = {
    el: el,
    writeHeaders: writeHeaders,
    format: format,
    plural: plural,
    projection: projection,
    readFilters: readFilters,
    setFilters: setFilters,
    queryString: queryString,
    replaceQuery: replaceQuery,
    setupPanelToggle: setupPanelToggle
  };
})();
