/* Where a point is in the neighbourhood, worked out on the tablet so it works offline: the building it
   is in or nearest to (within a limit), the distance to the boundary, and a searchable list of
   buildings and lanes with a point on each. Coordinates are WGS84 [lon, lat]; distances in metres on a
   local plane around the neighbourhood (good to centimetres over a few hundred metres). */
(function () {
  "use strict";

  var EARTH_RADIUS_M = 6371008.8;
  var RESULTS_MAX = 30;

  function Plane(lon0, lat0) {
    this.lon0 = lon0;
    this.lat0 = lat0;
    this.ky = Math.PI / 180 * EARTH_RADIUS_M;
    this.kx = this.ky * Math.cos(lat0 * Math.PI / 180);
  }

  Plane.prototype.xy = function (lon, lat) {
    return [(lon - this.lon0) * this.kx, (lat - this.lat0) * this.ky];
  };

  Plane.prototype.lonLat = function (x, y) {
    return [this.lon0 + x / this.kx, this.lat0 + y / this.ky];
  };

  Plane.prototype.distance = function (a, b) {
    var p = this.xy(a[0], a[1]), q = this.xy(b[0], b[1]);
    return Math.hypot(p[0] - q[0], p[1] - q[1]);
  };

  /* Polygon and MultiPolygon rings, LineString and MultiLineString parts: lists of [x, y]. */
  function parts(geometry, plane) {
    if (!geometry) return [];
    var c = geometry.coordinates;
    var lists = geometry.type === "Polygon" || geometry.type === "MultiLineString" ? c
      : geometry.type === "MultiPolygon" ? [].concat.apply([], c)
      : geometry.type === "LineString" ? [c] : [];
    return lists.map(function (list) { return list.map(function (p) { return plane.xy(p[0], p[1]); }); });
  }

  function bounds(lists) {
    var b = [Infinity, Infinity, -Infinity, -Infinity];
    lists.forEach(function (list) {
      list.forEach(function (p) {
        b[0] = Math.min(b[0], p[0]); b[1] = Math.min(b[1], p[1]);
        b[2] = Math.max(b[2], p[0]); b[3] = Math.max(b[3], p[1]);
      });
    });
    return b;
  }

  /* Even-odd rule over every ring, so holes are outside. */
  function inside(rings, x, y) {
    var hit = false;
    rings.forEach(function (ring) {
      for (var i = 0, j = ring.length - 1; i < ring.length; j = i++) {
        var a = ring[i], b = ring[j];
        if ((a[1] > y) !== (b[1] > y) && x < (b[0] - a[0]) * (y - a[1]) / (b[1] - a[1]) + a[0]) hit = !hit;
      }
    });
    return hit;
  }

  function segmentDistance(x, y, a, b) {
    var dx = b[0] - a[0], dy = b[1] - a[1], length2 = dx * dx + dy * dy;
    var t = length2 ? Math.max(0, Math.min(1, ((x - a[0]) * dx + (y - a[1]) * dy) / length2)) : 0;
    return Math.hypot(x - a[0] - t * dx, y - a[1] - t * dy);
  }

  function lineDistance(lists, x, y) {
    var best = Infinity;
    lists.forEach(function (list) {
      for (var i = 1; i < list.length; i++) best = Math.min(best, segmentDistance(x, y, list[i - 1], list[i]));
    });
    return best;
  }

  /* A point surely inside a polygon: the middle of the widest stretch of a line across its middle. */
  function pointInside(rings, b) {
    var y = (b[1] + b[3]) / 2, xs = [];
    rings.forEach(function (ring) {
      for (var i = 0, j = ring.length - 1; i < ring.length; j = i++) {
        var a = ring[i], c = ring[j];
        if ((a[1] > y) !== (c[1] > y)) xs.push(a[0] + (y - a[1]) * (c[0] - a[0]) / (c[1] - a[1]));
      }
    });
    xs.sort(function (p, q) { return p - q; });
    var best = null;
    for (var i = 0; i + 1 < xs.length; i += 2) {
      if (!best || xs[i + 1] - xs[i] > best[1] - best[0]) best = [xs[i], xs[i + 1]];
    }
    return best ? [(best[0] + best[1]) / 2, y] : [(b[0] + b[2]) / 2, y];
  }

  /* Half way along the longest part of a line. */
  function pointAlong(lists) {
    var longest = null, longestLength = -1;
    lists.forEach(function (list) {
      var length = 0;
      for (var i = 1; i < list.length; i++) length += Math.hypot(list[i][0] - list[i - 1][0], list[i][1] - list[i - 1][1]);
      if (length > longestLength) { longest = list; longestLength = length; }
    });
    var left = longestLength / 2;
    for (var i = 1; i < longest.length; i++) {
      var a = longest[i - 1], b = longest[i], step = Math.hypot(b[0] - a[0], b[1] - a[1]);
      if (step >= left && step > 0) return [a[0] + (b[0] - a[0]) * left / step, a[1] + (b[1] - a[1]) * left / step];
      left -= step;
    }
    return longest[0];
  }

  function text(value) {
    return typeof value === "string" ? value.trim() : "";
  }

  /* buildings, lanes, boundary: GeoJSON FeatureCollections in WGS84; lang picks lane names. */
  function Places(layers, lang) {
    var degrees = new Plane(0, 0);
    degrees.kx = degrees.ky = 1; // plain lon, lat, for the boundary's extent
    var b = bounds([].concat.apply([], layers.boundary.features.map(function (f) { return parts(f.geometry, degrees); })));
    var plane = this.plane = new Plane((b[0] + b[2]) / 2, (b[1] + b[3]) / 2);
    this.boundary = [].concat.apply([], layers.boundary.features.map(function (f) { return parts(f.geometry, plane); }));
    this.buildings = layers.buildings.features.map(function (f) {
      var rings = parts(f.geometry, plane);
      var p = f.properties || {};
      return {
        kind: "building", id: String(f.id), rings: rings, bounds: bounds(rings),
        address: text(p.address), name: text(p.name)
      };
    });
    // A lane is drawn in several pieces under one name: one entry per name.
    var lanes = this.lanes = [], byName = {};
    layers.lanes.features.forEach(function (f) {
      var p = f.properties || {}, english = lang === "en" && text(p.name_en);
      var name = english ? text(p.name_en) : text(p.name);
      if (!name) return;
      if (!byName[name]) {
        byName[name] = {kind: "lane", id: String(f.id), lines: [], name: name, other: english ? text(p.name) : text(p.name_en)};
        lanes.push(byName[name]);
      }
      byName[name].lines = byName[name].lines.concat(parts(f.geometry, plane));
    });
  }

  /* The building the point is in, or the nearest within maxM: {building, distance} or null. */
  Places.prototype.building = function (lon, lat, maxM) {
    var p = this.plane.xy(lon, lat), x = p[0], y = p[1], best = null;
    this.buildings.forEach(function (building) {
      var b = building.bounds;
      if (x < b[0] - maxM || x > b[2] + maxM || y < b[1] - maxM || y > b[3] + maxM) return;
      var distance = inside(building.rings, x, y) ? 0 : lineDistance(building.rings, x, y);
      if (distance <= maxM && (!best || distance < best.distance)) best = {building: building, distance: distance};
    });
    return best;
  };

  /* Metres outside the boundary; 0 inside. */
  Places.prototype.outside = function (lon, lat) {
    var p = this.plane.xy(lon, lat);
    return inside(this.boundary, p[0], p[1]) ? 0 : lineDistance(this.boundary, p[0], p[1]);
  };

  Places.prototype.distance = function (a, b) {
    return this.plane.distance(a, b);
  };

  /* [lon, lat] of a point on a building (inside it) or a lane (half way along). */
  Places.prototype.pointOf = function (place) {
    var xy = place.kind === "building" ? pointInside(place.rings, place.bounds) : pointAlong(place.lines);
    return this.plane.lonLat(xy[0], xy[1]);
  };

  /* Buildings (by address or name) and lanes (by name) matching the query; those starting with it first. */
  Places.prototype.search = function (query) {
    var q = text(query).toLowerCase();
    if (!q) return [];
    var starts = [], contains = [];
    function consider(place, texts) {
      var hay = texts.filter(Boolean).map(function (t) { return t.toLowerCase(); });
      if (hay.some(function (t) { return t.indexOf(q) === 0; })) starts.push(place);
      else if (hay.some(function (t) { return t.indexOf(q) !== -1; })) contains.push(place);
    }
    this.lanes.forEach(function (lane) { consider(lane, [lane.name, lane.other]); });
    this.buildings.forEach(function (building) { consider(building, [building.address, building.name]); });
    return starts.concat(contains).slice(0, RESULTS_MAX);
  };

  function load(urls, lang) {
    function get(url) {
      return fetch(url, {credentials: "same-origin", headers: {Accept: "application/geo+json"}}).then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      });
    }
    return Promise.all([get(urls.buildings), get(urls.lanes), get(urls.boundary)]).then(function (layers) {
      return new Places({buildings: layers[0], lanes: layers[1], boundary: layers[2]}, lang);
    });
  }

  window.JintanPlaces = {load: load, Plane: Plane};
})();
