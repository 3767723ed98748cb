/* The issue map: issues for the current view and filters from /api/v1, clustered markers whose
   clusters show their mix of categories (or counts per area when there are too many), a heat layer,
   filters and view kept in the URL. It opens on what needs attention (open issues of the last 12
   months) unless the URL names filters or `show=all`. Text from users only reaches the page through
   textContent. */
(function () {
  "use strict";

  var FILTERS = ["category", "status", "since", "until", "compound", "q"];
  var COLOUR = /^#[0-9a-fA-F]{6}$/;
  var ICON = /^[a-z0-9-]+$/;
  var UUID = /^[0-9a-fA-F-]{36}$/;
  var TIMEOUT_MS = 30000;
  var SVG = "http://www.w3.org/2000/svg";
  var OTHER_COLOUR = "#78909c"; // counts per area, whose categories are not known here
  var ALL = "all";              // ?show=all: no filters, by choice (not the defaults)
  var LOCAL_DATE = new Intl.DateTimeFormat("en-CA", {
    timeZone: "Asia/Shanghai", year: "numeric", month: "2-digit", day: "2-digit"
  });

  function localDate(iso) {
    var when = iso ? new Date(iso) : null;
    return when && !isNaN(when) ? LOCAL_DATE.format(when) : "";
  }

  /* ---- filters and view <-> the URL ---- */

  var kit = window.JintanPage, el = kit.el, format = kit.format, queryString = kit.queryString;

  /* Today's date in Shanghai a year ago, as YYYY-MM-DD (29 February becomes the 28th). */
  function yearAgo() {
    var today = LOCAL_DATE.format(new Date()).split("-");
    var day = today[1] === "02" && today[2] === "29" ? "28" : today[2];
    return (Number(today[0]) - 1) + "-" + today[1] + "-" + day;
  }

  /* What needs attention: issues still open, reported in the last 12 months. */
  function attentionFilters(openStatuses) {
    var filters = {};
    FILTERS.forEach(function (name) { filters[name] = ""; });
    filters.status = openStatuses.join(",");
    filters.since = yearAgo();
    return filters;
  }

  /* The URL's filters; with none named (and no show=all), the defaults. */
  function readUrl(openStatuses) {
    var params = new URLSearchParams(window.location.search);
    var named = FILTERS.some(function (name) { return params.has(name); }) || params.get("show") === ALL;
    var filters = named ? kit.readFilters(FILTERS, params) : attentionFilters(openStatuses);
    var lat = parseFloat(params.get("lat")), lon = parseFloat(params.get("lon")), zoom = parseInt(params.get("zoom"), 10);
    var view = isFinite(lat) && isFinite(lon) && isFinite(zoom) ? {lat: lat, lon: lon, zoom: zoom} : null;
    return {filters: filters, view: view};
  }

  function writeUrl(filters, view) {
    var params = kit.setFilters(new URLSearchParams(window.location.search), FILTERS, filters);
    // Without any filter the URL says so, or opening it again would bring the defaults back.
    if (activeFilterCount(filters) === 0) params.set("show", ALL); else params.delete("show");
    if (view) {
      params.set("lat", view.lat.toFixed(6));
      params.set("lon", view.lon.toFixed(6));
      params.set("zoom", String(view.zoom));
    }
    // The language switch keeps what is on screen.
    kit.replaceQuery(params, queryString);
  }

  /* ---- the filter panel ---- */

  function FilterPanel(form, onChange) {
    this.form = form;
    this.onChange = onChange;
    var self = this, typing = null;
    form.addEventListener("change", function (event) {
      if (event.target.name !== "q") self.onChange();
    });
    form.addEventListener("input", function (event) {
      if (event.target.name !== "q") return;
      clearTimeout(typing);
      typing = setTimeout(function () { self.onChange(); }, 500);
    });
    form.addEventListener("submit", function (event) { event.preventDefault(); self.onChange(); });
    form.addEventListener("reset", function () { setTimeout(function () { self.onChange(); }, 0); });
  }

  FilterPanel.prototype.values = function () {
    var form = this.form, values = {};
    ["category", "status"].forEach(function (name) {
      values[name] = Array.prototype.filter.call(form.elements, function (input) {
        return input.name === name && input.checked;
      }).map(function (input) { return input.value; }).join(",");
    });
    ["since", "until", "compound", "q"].forEach(function (name) {
      values[name] = (form.elements[name].value || "").trim();
    });
    return values;
  };

  FilterPanel.prototype.show = function (filters) {
    var form = this.form;
    ["category", "status"].forEach(function (name) {
      var chosen = (filters[name] || "").split(",");
      Array.prototype.forEach.call(form.elements, function (input) {
        if (input.name === name) input.checked = chosen.indexOf(input.value) !== -1;
      });
    });
    ["since", "until", "compound", "q"].forEach(function (name) {
      form.elements[name].value = filters[name] || "";
    });
  };

  FilterPanel.prototype.addCategories = function (categories, lang, chosen) {
    var box = document.getElementById("jt-category-chips");
    box.textContent = "";
    var wanted = (chosen || "").split(",");
    categories.forEach(function (category) {
      var chip = el("label", "jt-chip jt-category");
      if (COLOUR.test(category.colour)) chip.style.setProperty("--c", category.colour);
      var input = el("input");
      input.type = "checkbox";
      input.name = "category";
      input.value = category.id;
      input.checked = wanted.indexOf(category.id) !== -1;
      chip.appendChild(input);
      if (ICON.test(category.icon || "")) chip.appendChild(el("i", "fa-solid fa-" + category.icon));
      chip.appendChild(el("span", null, lang === "en" ? category.name_en : category.name_zh));
      box.appendChild(chip);
    });
  };

  function activeFilterCount(filters) {
    return FILTERS.filter(function (name) { return filters[name]; }).length;
  }

  /* ---- markers ---- */

  function markerIcon(p, group) {
    var dot = el("span", "jt-issue-dot");
    if (COLOUR.test(p.colour || "")) dot.style.setProperty("--c", p.colour);
    if (ICON.test(p.icon || "")) dot.appendChild(el("i", "fa-solid fa-" + p.icon));
    return L.divIcon({
      html: dot, className: "jt-issue jt-" + group,
      iconSize: [44, 44], iconAnchor: [22, 22], popupAnchor: [0, -16]
    });
  }

  function iconSize(n) {
    return n < 10 ? 44 : n < 100 ? 50 : n < 1000 ? 58 : 66;
  }

  function shortCount(n) {
    return n >= 10000 ? Math.round(n / 1000) + "k" : String(n);
  }

  function countIcon(n, className, messages) {
    var size = iconSize(n);
    var label = el("span", null, shortCount(n));
    label.title = format(messages.issues, n);
    return L.divIcon({html: label, className: className, iconSize: [size, size]});
  }

  /* A cluster: a ring in the colours of its categories, each as long as its share, around the count.
     parts: [{colour, name, n}], largest first. */
  function mixIcon(n, parts, messages) {
    var size = iconSize(n);
    var box = el("div", "jt-cluster-mix");
    box.setAttribute("role", "img");
    box.setAttribute("aria-label", format(messages.issues, n) + messages.labelSeparator + parts.map(function (part) {
      return part.name + " " + part.n;
    }).join(messages.listSeparator));
    var svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("viewBox", "0 0 36 36");
    svg.setAttribute("aria-hidden", "true");
    var circumference = 2 * Math.PI * 15, start = 0;
    parts.forEach(function (part) {
      var length = circumference * part.n / n;
      var arc = document.createElementNS(SVG, "circle");
      arc.setAttribute("cx", "18");
      arc.setAttribute("cy", "18");
      arc.setAttribute("r", "15");
      arc.setAttribute("fill", "none");
      arc.setAttribute("stroke", part.colour);
      arc.setAttribute("stroke-width", "6");
      arc.setAttribute("stroke-dasharray", length.toFixed(3) + " " + (circumference - length).toFixed(3));
      arc.setAttribute("stroke-dashoffset", (-start).toFixed(3));
      arc.setAttribute("transform", "rotate(-90 18 18)");
      svg.appendChild(arc);
      start += length;
    });
    box.appendChild(svg);
    box.appendChild(el("span", null, shortCount(n)));
    return L.divIcon({html: box, className: "jt-cluster", iconSize: [size, size]});
  }

  function popupContent(p, config, categoryNames) {
    var m = config.messages, box = el("div", "jt-popup jt-issue-popup");
    box.appendChild(el("h3", null, p.title || ""));
    var table = el("table");
    function row(label, value) {
      var tr = table.insertRow();
      tr.appendChild(el("th", null, label));
      tr.appendChild(el("td", null, value || ""));
      return tr;
    }
    var category = row(m.category, categoryNames[p.category] || p.category_name || p.category);
    if (COLOUR.test(p.colour || "")) category.cells[1].style.setProperty("--c", p.colour);
    category.cells[1].className = "jt-category-cell";
    var status = config.statuses[p.status];
    row(m.status, status ? status.label : p.status);
    row(m.reported, localDate(p.reported_at));
    row(m.address, p.address);
    box.appendChild(table);
    var id = String(p.id || "");
    if (UUID.test(id)) {
      var link = el("a", "jt-details", m.details);
      link.href = config.detail + encodeURIComponent(id);
      box.appendChild(link);
    }
    return box;
  }

  /* ---- the app ---- */

  function attach(map, layers, config) {
    var project = kit.projection(config.shift);
    var messages = config.messages;
    var cluster = layers.cluster, heat = layers.heat;
    var statusText = document.getElementById("jt-map-status-text");
    var retry = document.getElementById("jt-retry");
    var badge = document.getElementById("jt-filter-count");
    var categoryNames = {};
    var state = readUrl(config.openStatuses);
    var density = null; // {key, cell, bounds, points: [[latlng, count]]}
    var shown = null;   // {key, bounds, markers} of the issues now on the map, null when showing counts
    var generation = 0, inFlight = null, moving = null;
    var summary = ""; // what the status line says about what is on the map

    // A cluster adds up what its markers stand for, its ring in the colours of their categories.
    cluster.options.iconCreateFunction = function (group) {
      var byCategory = {}, parts = [], n = 0;
      group.getAllChildMarkers().forEach(function (marker) {
        var count = marker.options.count || 1, key = marker.options.category || "";
        if (!byCategory[key]) {
          byCategory[key] = {
            colour: marker.options.colour || OTHER_COLOUR,
            name: key ? categoryNames[key] || marker.options.categoryName || key : messages.counted,
            n: 0
          };
          parts.push(byCategory[key]);
        }
        byCategory[key].n += count;
        n += count;
      });
      parts.sort(function (a, b) { return b.n - a.n; });
      return mixIcon(n, parts, messages);
    };

    var panel = new FilterPanel(document.getElementById("jt-filters"), function () {
      state.filters = panel.values();
      saveUrl();
      refresh(true);
    });
    panel.show(state.filters);
    document.getElementById("jt-all-history").addEventListener("click", function () {
      // History one tap away: every status, every date; the category, compound and words stay.
      state.filters = panel.values();
      state.filters.status = state.filters.since = state.filters.until = "";
      panel.show(state.filters);
      saveUrl();
      refresh(true);
    });
    kit.setupPanelToggle(map);
    if (state.view) {
      map.setView(project.toMap(state.view.lon, state.view.lat), Math.max(12, Math.min(21, state.view.zoom)), {animate: false});
    } else {
      map.fitBounds(config.home, {padding: [10, 10], animate: false});
    }

    function saveUrl() {
      var centre = project.fromMap(map.getCenter());
      writeUrl(state.filters, {lon: centre[0], lat: centre[1], zoom: map.getZoom()});
      var active = activeFilterCount(state.filters);
      badge.textContent = String(active);
      badge.hidden = active === 0;
    }

    function say(text, failed) {
      statusText.textContent = text || "";
      statusText.parentNode.classList.toggle("jt-failed", Boolean(failed));
      retry.hidden = !failed;
    }

    function filterKey() {
      return FILTERS.map(function (name) { return state.filters[name] || ""; }).join("|");
    }

    function cellFor(zoom) {
      return zoom >= 19 ? 10 : zoom >= 17 ? 20 : zoom >= 15 ? 50 : 100;
    }

    function bbox(bounds) {
      var sw = project.fromMap(bounds.getSouthWest()), ne = project.fromMap(bounds.getNorthEast());
      return [sw[0], sw[1], ne[0], ne[1]].map(function (v) { return v.toFixed(6); }).join(",");
    }

    function apiUrl(path, bounds, extra) {
      var params = new URLSearchParams();
      FILTERS.forEach(function (name) { if (state.filters[name]) params.set(name, state.filters[name]); });
      params.set("bbox", bbox(bounds));
      Object.keys(extra || {}).forEach(function (name) { params.set(name, extra[name]); });
      return config.api + path + "?" + queryString(params);
    }

    function getJson(url, signal) {
      return fetch(url, {signal: signal, credentials: "same-origin", headers: {Accept: "application/json"}})
        .then(function (response) {
          if (!response.ok) {
            var problem = new Error("HTTP " + response.status);
            problem.status = response.status;
            throw problem;
          }
          return response.json();
        });
    }

    function showIssues(collection) {
      cluster.clearLayers();
      var markers = (collection.features || []).filter(function (f) {
        return f.geometry && f.geometry.type === "Point";
      }).map(function (feature) {
        var p = feature.properties || {}, c = feature.geometry.coordinates;
        var status = config.statuses[p.status];
        var marker = L.marker(project.toMap(c[0], c[1]), {
          icon: markerIcon(p, status ? status.group : "open"), count: 1, title: p.title || "", riseOnHover: true,
          colour: COLOUR.test(p.colour || "") ? p.colour : null, category: p.category || "", categoryName: p.category_name
        });
        marker.bindPopup(function () { return popupContent(p, config, categoryNames); }, {maxWidth: 320, minWidth: 220});
        return marker;
      });
      cluster.addLayers(markers);
      return markers;
    }

    /* The issues on the screen (not those loaded around it), counted from the markers. */
    function sayOnScreen() {
      var view = map.getBounds();
      var n = shown.markers.filter(function (marker) { return view.contains(marker.getLatLng()); }).length;
      summary = n ? format(messages.count, n) : messages.none;
      say(summary);
    }

    /* Counts per area; the number on the status line is the server's for exactly the screen. */
    function showCounts(view, signal, mine) {
      cluster.clearLayers();
      cluster.addLayers(density.points.map(function (point) {
        var marker = L.marker(point[0], {icon: countIcon(point[1], "jt-cell-count", messages), count: point[1]});
        marker.on("click", function () { map.setView(point[0], Math.min(map.getZoom() + 2, 20)); });
        return marker;
      }));
      return getJson(apiUrl("/issues", view, {limit: 1}), signal).then(function (collection) {
        if (mine !== generation) return;
        summary = format(messages.aggregated, collection.numberMatched);
        say(summary);
      });
    }

    function showHeat() {
      if (density && map.hasLayer(heat)) {
        heat.setLatLngs(density.points.map(function (point) { return [point[0].lat, point[0].lng, point[1]]; }));
      }
    }

    function countWithin(bounds) {
      return density.points.reduce(function (sum, point) {
        return sum + (bounds.contains(point[0]) ? point[1] : 0);
      }, 0);
    }

    function refresh(force) {
      var view = map.getBounds(), padded = view.pad(0.5), key = filterKey(), cell = cellFor(map.getZoom());
      var needDensity = force || !density || density.key !== key || density.cell !== cell || !density.bounds.contains(view);
      var needIssues = force || !shown || shown.key !== key || !shown.bounds.contains(view);
      if (!needDensity && !needIssues) { sayOnScreen(); return; }
      var mine = ++generation;
      if (inFlight) inFlight.abort();
      var controller = inFlight = new AbortController();
      var timer = setTimeout(function () { controller.abort(); }, TIMEOUT_MS);
      say(messages.loading);

      var step = needDensity
        ? getJson(apiUrl("/issues/density", padded, {cell_m: cell}), controller.signal).then(function (collection) {
            density = {
              key: key, cell: cell, bounds: padded,
              points: (collection.features || []).filter(function (f) {
                return f.geometry && f.geometry.type === "Point";
              }).map(function (f) {
                var c = f.geometry.coordinates;
                return [project.toMap(c[0], c[1]), Number((f.properties || {}).count) || 0];
              })
            };
            showHeat();
          })
        : Promise.resolve();

      step.then(function () {
        if (mine !== generation) return null;
        if (countWithin(padded) > config.aggregateAbove) {
          shown = null;
          return showCounts(view, controller.signal, mine);
        }
        if (!needIssues && shown) { sayOnScreen(); return null; }
        var url = apiUrl("/issues", padded, {limit: config.aggregateAbove, sort: "-reported_at"});
        return getJson(url, controller.signal).then(function (collection) {
          if (mine !== generation) return null;
          if (collection.numberMatched > config.aggregateAbove) {
            shown = null;
            return showCounts(view, controller.signal, mine);
          }
          shown = {key: key, bounds: padded, markers: showIssues(collection)};
          sayOnScreen();
          return null;
        });
      }).catch(function (problem) {
        if (mine !== generation) return;
        say(problem.status === 400 ? messages.badFilter : messages.failed, true);
      }).then(function () {
        clearTimeout(timer);
        if (inFlight === controller) inFlight = null;
      });
    }

    retry.addEventListener("click", function () { refresh(true); });
    map.on("moveend", function () {
      saveUrl();
      clearTimeout(moving);
      moving = setTimeout(function () { refresh(false); }, 250);
    });
    map.on("overlayadd", function (event) { if (event.layer === heat) showHeat(); });

    getJson(config.api + "/categories").then(function (body) {
      var categories = Array.isArray(body) ? body : body.categories || [];
      categories.forEach(function (c) { categoryNames[c.id] = config.lang === "en" ? c.name_en : c.name_zh; });
      panel.addCategories(categories, config.lang, state.filters.category);
    }).catch(function () {
      document.getElementById("jt-category-chips").textContent = messages.failed;
    });

    saveUrl();
    refresh(true);
  }

  window.JintanIssues = {attach: attach};
})();
