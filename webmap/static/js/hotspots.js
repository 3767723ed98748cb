/* The hot spot map: Gi* grid cells from /api/v1/hotspots coloured by class, the summary and
   warnings, and a ranked list of the hottest significant cells; filters kept in the URL.
   Text from the server (place names, warnings) only ever reaches the page through textContent. */
(function () {
  "use strict";

  var FILTERS = ["category", "since", "until"];
  var HOT = ["hot99", "hot95", "hot90"];
  var TIMEOUT_MS = 60000;

  var kit = window.JintanPage, el = kit.el, format = kit.format;

  function readUrl() {
    return kit.readFilters(FILTERS);
  }

  function writeUrl(filters) {
    kit.replaceQuery(kit.setFilters(new URLSearchParams(window.location.search), FILTERS, filters));
  }

  /* A message in the plural form for n: {one, other} from the server's ngettext, or one text. */
  function plural(message, n) {
    return format(typeof message === "string" ? message : (n === 1 ? message.one : message.other), n);
  }

  /* Issues in the 8 cells around each cell (Gi* weighs a cell with them), by cell id "r{row}c{col}". */
  function aroundCounts(features) {
    var at = {}, around = {};
    function key(id) {
      var match = /^r(-?\d+)c(-?\d+)$/.exec(String(id));
      return match ? [Number(match[1]), Number(match[2])] : null;
    }
    features.forEach(function (f) {
      var p = f.properties || {}, rc = key(p.id);
      if (rc) at[rc[0] + "," + rc[1]] = Number(p.count) || 0;
    });
    features.forEach(function (f) {
      var p = f.properties || {}, rc = key(p.id), sum = 0;
      if (!rc) return;
      for (var dr = -1; dr <= 1; dr++) {
        for (var dc = -1; dc <= 1; dc++) {
          if (dr || dc) sum += at[(rc[0] + dr) + "," + (rc[1] + dc)] || 0;
        }
      }
      around[String(p.id)] = sum;
    });
    return around;
  }

  /* "小区 A、B · 弄堂 C": the compounds and lanes a cell touches, each name once. */
  function places(p, config) {
    var separator = config.lang === "en" ? ", " : "、";
    return [["compounds", config.messages.compounds], ["lanes", config.messages.lanes]].map(function (kind) {
      var names = (p[kind[0]] || []).filter(function (name, n, all) {
        return typeof name === "string" && name && all.indexOf(name) === n;
      });
      return names.length ? kind[1] + " " + names.join(separator) : "";
    }).filter(Boolean).join(" · ");
  }

  function attach(map, layers, config) {
    var toMap = kit.projection(config.shift).toMap;
    var m = config.messages;
    var form = document.getElementById("jt-filters");
    var summary = document.getElementById("jt-summary-text");
    var warnings = document.getElementById("jt-warnings");
    var classCounts = document.getElementById("jt-class-counts");
    var ranking = document.getElementById("jt-ranking");
    var retry = document.getElementById("jt-retry");
    var filters = readUrl();
    var cellLayer = null, controller = null, selected = null;

    kit.setupPanelToggle(map);
    map.fitBounds(config.home, {padding: [10, 10], animate: false});

    FILTERS.forEach(function (name) { form.elements[name].value = filters[name]; });
    form.addEventListener("change", function () {
      FILTERS.forEach(function (name) { filters[name] = (form.elements[name].value || "").trim(); });
      load();
    });
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    retry.addEventListener("click", load);

    function style(feature) {
      var cls = (feature.properties || {})["class"];
      var colour = config.colours[cls] || config.colours.ns;
      if (cls === "ns" || !config.colours[cls]) {
        return {color: colour, weight: 0.5, opacity: 0.6, fill: true, fillColor: "#ffffff", fillOpacity: 0.01};
      }
      return {color: HOT.indexOf(cls) !== -1 ? "#7f2704" : "#08306b", weight: 0.8, opacity: 0.7,
              fillColor: colour, fillOpacity: 0.7};
    }

    function popupContent(p) {
      var box = el("div", "jt-popup");
      box.appendChild(el("h3", null, config.labels[p["class"]] || p["class"]));
      var table = el("table");
      function row(label, value) {
        var tr = table.insertRow();
        tr.appendChild(el("th", null, label));
        tr.appendChild(el("td", null, value));
      }
      row(m.count, p.count);
      if (typeof p.z === "number") row("z", p.z.toFixed(2));
      if (typeof p.p === "number") row("p", p.p < 0.001 ? "< 0.001" : p.p.toFixed(3));
      row(m.places, places(p, config));
      box.appendChild(table);
      return box;
    }

    function select(layer) {
      if (selected) cellLayer.resetStyle(selected);
      selected = layer;
      layer.setStyle({weight: 3, color: "#000000", opacity: 1});
      layer.bringToFront();
    }

    function showCells(collection) {
      if (cellLayer) layers.cells.removeLayer(cellLayer);
      selected = null;
      var byId = {};
      cellLayer = L.geoJSON(collection, {
        style: style,
        coordsToLatLng: function (c) { return toMap(c[0], c[1]); },
        onEachFeature: function (feature, layer) {
          var p = feature.properties || {};
          byId[String(p.id !== undefined ? p.id : feature.id)] = layer;
          layer.bindPopup(function () { return popupContent(p); }, {maxWidth: 320});
          layer.on("click", function () { select(layer); });
        }
      });
      layers.cells.addLayer(cellLayer);
      return byId;
    }

    function showSummary(collection) {
      var features = collection.features || [];
      var s = collection.summary || {};
      var counts = {}, issues = 0;
      features.forEach(function (f) {
        var p = f.properties || {};
        counts[p["class"]] = (counts[p["class"]] || 0) + 1;
        issues += Number(p.count) || 0;
      });
      var parts = [format(m.issues, issues), format(m.cells, features.length)];
      if (s.cell_size_m) parts.push(format(m.cellSize, s.cell_size_m));
      summary.textContent = parts.join(" · ");
      warnings.textContent = "";
      (s.warnings || []).forEach(function (w) {
        var text = typeof w === "string" ? w : (w[config.lang] || w.zh || w.en || "");
        if (text) warnings.appendChild(el("li", null, text));
      });
      classCounts.textContent = "";
      Object.keys(config.labels).forEach(function (cls) {
        if (!counts[cls]) return;
        var item = el("li");
        var swatch = el("span", "jt-swatch jt-box");
        swatch.style.setProperty("--c", config.colours[cls]);
        item.appendChild(swatch);
        item.appendChild(el("span", null, config.labels[cls]));
        item.appendChild(el("strong", null, counts[cls]));
        classCounts.appendChild(item);
      });
      document.getElementById("jt-method").textContent = s.method || "";
    }

    function showRanking(collection, byId) {
      ranking.textContent = "";
      var hot = (collection.features || []).filter(function (f) {
        var p = f.properties || {};
        return HOT.indexOf(p["class"]) !== -1 && typeof p.z === "number";
      }).sort(function (a, b) { return b.properties.z - a.properties.z; });
      var around = aroundCounts(collection.features || []);
      if (!hot.length) {
        ranking.appendChild(el("li", "jt-empty", m.noHotspots));
        return;
      }
      hot.forEach(function (feature, n) {
        var p = feature.properties;
        var layer = byId[String(p.id !== undefined ? p.id : feature.id)];
        var item = el("li"), button = el("button", "jt-rank");
        button.type = "button";
        button.appendChild(el("span", "jt-rank-number", n + 1));
        var swatch = el("span", "jt-swatch jt-box");
        swatch.style.setProperty("--c", config.colours[p["class"]]);
        button.appendChild(swatch);
        var text = el("span", "jt-rank-text");
        var own = Number(p.count) || 0, near = around[String(p.id)] || 0;
        // Gi* counts the cells around: a cell with few issues of its own ranks high when they have many.
        text.appendChild(el("strong", null, plural(m.cellIssues, own)));
        text.appendChild(el("span", "jt-rank-around", plural(own ? m.aroundIssues : m.onlyAroundIssues, near)));
        text.appendChild(el("span", "jt-rank-class", config.labels[p["class"]] + " · z " + p.z.toFixed(1)));
        text.appendChild(el("span", "jt-rank-places", places(p, config)));
        button.appendChild(text);
        button.addEventListener("click", function () {
          if (!layer) return;
          ranking.querySelectorAll(".jt-rank[aria-current]").forEach(function (row) { row.removeAttribute("aria-current"); });
          button.setAttribute("aria-current", "true");
          map.fitBounds(layer.getBounds(), {maxZoom: 19, padding: [60, 60]});
          select(layer);
          layer.openPopup(layer.getBounds().getCenter());
        });
        item.appendChild(button);
        ranking.appendChild(item);
      });
    }

    function load() {
      writeUrl(filters);
      if (controller) controller.abort();
      var mine = controller = new AbortController();
      var timer = setTimeout(function () { mine.abort(); }, TIMEOUT_MS);
      var params = new URLSearchParams();
      FILTERS.forEach(function (name) { if (filters[name]) params.set(name, filters[name]); });
      summary.textContent = m.loading;
      retry.hidden = true;
      fetch(config.api + "/hotspots?" + params.toString(), {signal: mine.signal, headers: {Accept: "application/json"}})
        .then(function (response) {
          if (!response.ok) {
            var problem = new Error("HTTP " + response.status);
            problem.status = response.status;
            throw problem;
          }
          return response.json();
        })
        .then(function (collection) {
          if (mine !== controller) return;
          var byId = showCells(collection);
          showSummary(collection);
          showRanking(collection, byId);
        })
        .catch(function (problem) {
          if (mine !== controller) return;
          summary.textContent = problem.status === 400 ? m.badFilter : m.failed;
          retry.hidden = problem.status === 400;
        })
        .then(function () { clearTimeout(timer); });
    }

    fetch(config.api + "/categories", {headers: {Accept: "application/json"}})
      .then(function (response) { return response.ok ? response.json() : []; })
      .then(function (body) {
        var categories = Array.isArray(body) ? body : body.categories || [];
        var chooser = form.elements.category;
        categories.forEach(function (c) {
          var option = el("option", null, config.lang === "en" ? c.name_en : c.name_zh);
          option.value = c.id;
          chooser.appendChild(option);
        });
        chooser.value = filters.category;
      })
      .catch(function () { /* the list stays at "all categories" */ });

    load();
  }

  window.JintanHotspots = {attach: attach};
})();
