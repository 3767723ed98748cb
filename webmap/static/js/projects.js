/* The project map: projects from /api/v1/projects coloured by status, filtered by year (the
   period overlaps it), status and kind, the filters kept in the URL; beside the map the list of
   them, and tapping one zooms to it and opens its popup. Text from users only ever reaches the
   page through textContent. */
(function () {
  "use strict";

  var FILTERS = ["year", "status", "kind"];
  var UUID = /^[0-9a-fA-F-]{36}$/;
  var TIMEOUT_MS = 30000;

  function period(p, messages) {
    var start = p.actual_start || p.planned_start, end = p.actual_end || p.planned_end;
    if (!start && !end) return messages.undated;
    return (start || "…") + " – " + (end || "…");
  }

  /* ---- filters <-> the URL ---- */

  var kit = window.JintanPage, el = kit.el, format = kit.format, queryString = kit.queryString;

  function readUrl() {
    return kit.readFilters(FILTERS);
  }

  // The language switch keeps the filters on screen.
  function writeUrl(filters) {
    kit.replaceQuery(kit.setFilters(new URLSearchParams(window.location.search), FILTERS, filters), queryString);
  }

  function formValues(form) {
    var values = {};
    FILTERS.forEach(function (name) {
      values[name] = Array.prototype.filter.call(form.elements, function (input) {
        return input.name === name && input.checked && input.value;
      }).map(function (input) { return input.value; }).join(",");
    });
    return values;
  }

  function showInForm(form, filters) {
    FILTERS.forEach(function (name) {
      var chosen = (filters[name] || "").split(",");
      Array.prototype.forEach.call(form.elements, function (input) {
        if (input.name === name) input.checked = chosen.indexOf(input.value) !== -1;
      });
    });
  }

  /* ---- popup and list ---- */

  function popupContent(p, config) {
    var m = config.messages, box = el("div", "jt-popup jt-project-popup");
    box.appendChild(el("h3", null, p.name || ""));
    var table = el("table");
    function row(label, value) {
      var tr = table.insertRow();
      tr.appendChild(el("th", null, label));
      tr.appendChild(el("td", null, value === undefined || value === null ? "" : value));
      return tr;
    }
    row(m.kind, config.kinds[p.kind] || p.kind_name || p.kind);
    var status = config.statuses[p.status];
    var cell = row(m.status, status ? status.label : p.status).cells[1];
    if (status) { cell.className = "jt-status-cell"; cell.style.setProperty("--c", status.colour); }
    row(m.period, period(p, m));
    if (p.households_affected !== undefined && p.households_affected !== null) {
      row(m.households, format(m.householdsValue, p.households_affected));
    }
    box.appendChild(table);
    var id = String(p.id || "");
    if (UUID.test(id)) {
      var link = el("a", "jt-details", m.details);
      link.href = config.detail + encodeURIComponent(id);
      box.appendChild(link);
    }
    return box;
  }

  function listItem(p, config) {
    var m = config.messages, status = config.statuses[p.status];
    var button = el("button", "jt-project-item");
    button.type = "button";
    button.appendChild(el("span", "jt-project-name", p.name || ""));
    var meta = el("span", "jt-project-meta");
    var tag = el("span", "jt-project-status-tag", status ? status.label : p.status);
    if (status) tag.style.setProperty("--c", status.colour);
    meta.appendChild(tag);
    meta.appendChild(el("span", null, config.kinds[p.kind] || p.kind_name || p.kind || ""));
    button.appendChild(meta);
    var facts = el("span", "jt-project-facts");
    facts.appendChild(el("span", null, period(p, m)));
    if (p.households_affected !== undefined && p.households_affected !== null) {
      facts.appendChild(el("span", null, format(m.householdsValue, p.households_affected)));
    }
    button.appendChild(facts);
    return button;
  }

  function startOf(p) {
    return p.actual_start || p.planned_start || "";
  }

  /* ---- the app ---- */

  function attach(map, layers, config) {
    var toMap = kit.projection(config.shift).toMap;
    var m = config.messages;
    var group = layers.projects;
    var form = document.getElementById("jt-filters");
    var list = document.getElementById("jt-project-list");
    var count = document.getElementById("jt-list-count");
    var retry = document.getElementById("jt-retry");
    var badge = document.getElementById("jt-filter-count");
    var filters = readUrl();
    var controller = null, shapes = {}, selected = null;

    showInForm(form, filters);
    kit.setupPanelToggle(map);
    map.fitBounds(config.home, {padding: [10, 10], animate: false});

    function saveUrl() {
      writeUrl(filters);
      var active = FILTERS.filter(function (name) { return filters[name]; }).length;
      badge.textContent = String(active);
      badge.hidden = active === 0;
    }

    form.addEventListener("change", function () {
      filters = formValues(form);
      saveUrl();
      load();
    });
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    form.addEventListener("reset", function () {
      setTimeout(function () { form.dispatchEvent(new Event("change")); }, 0);
    });
    retry.addEventListener("click", function () { load(); });

    function apiUrl(offset) {
      var params = new URLSearchParams();
      FILTERS.forEach(function (name) { if (filters[name]) params.set(name, filters[name]); });
      params.set("limit", String(config.pageSize));
      params.set("offset", String(offset));
      return config.api + "/projects?" + queryString(params);
    }

    function getJson(url, signal) {
      return fetch(url, {signal: signal, credentials: "same-origin", headers: {Accept: "application/json"}})
        .then(function (response) {
          if (!response.ok) throw new Error("HTTP " + response.status);
          return response.json();
        });
    }

    /* Every page of the answer: a neighbourhood has hundreds of projects at most. */
    function getAll(signal, offset, features) {
      return getJson(apiUrl(offset), signal).then(function (collection) {
        var page = collection.features || [];
        features = features.concat(page);
        var matched = collection.numberMatched;
        if (page.length && typeof matched === "number" && features.length < matched) {
          return getAll(signal, offset + page.length, features);
        }
        return features;
      });
    }

    function style(p, chosen, line) {
      var status = config.statuses[p.status], colour = status ? status.colour : "#4d4d4d";
      return {
        color: chosen && !line ? "#1f1f1f" : colour, weight: (line ? 6 : 3) + (chosen ? 3 : 0), opacity: 1,
        fillColor: colour, fillOpacity: chosen ? 0.55 : 0.35,
        dashArray: p.status === "proposed" ? (line ? "10 6" : "6 5") : null
      };
    }

    /* Highlights a project; from the list also zooms to it and opens its popup. */
    function select(id, fromList) {
      if (selected && shapes[selected]) {
        shapes[selected].layer.setStyle(style(shapes[selected].p, false, shapes[selected].line));
        shapes[selected].item.removeAttribute("aria-current");
      }
      selected = id;
      var shape = shapes[id];
      if (!shape) return;
      shape.layer.setStyle(style(shape.p, true, shape.line));
      if (shape.layer.bringToFront) shape.layer.bringToFront();
      shape.item.setAttribute("aria-current", "true");
      if (!fromList) return;
      var bounds = shape.layer.getBounds();
      if (bounds.isValid()) map.fitBounds(bounds, {padding: [40, 40], maxZoom: 19, animate: false});
      shape.layer.openPopup(bounds.isValid() ? bounds.getCenter() : undefined);
    }

    function show(features) {
      group.clearLayers();
      list.textContent = "";
      shapes = {};
      features.sort(function (a, b) {
        var pa = a.properties || {}, pb = b.properties || {};
        return startOf(pb).localeCompare(startOf(pa)) || String(pa.name || "").localeCompare(String(pb.name || ""));
      });
      features.forEach(function (feature) {
        var p = feature.properties || {}, id = String(p.id || feature.id || "");
        if (!feature.geometry) return;
        var line = /LineString$/.test(feature.geometry.type);
        var layer = L.geoJSON(feature, {
          coordsToLatLng: function (c) { return toMap(c[0], c[1]); },
          style: function () { return style(p, false, line); },
          pointToLayer: function (_f, latlng) {
            return L.circleMarker(latlng, L.extend(style(p, false), {radius: 10, fillOpacity: 0.9, color: "#ffffff"}));
          }
        });
        layer.bindPopup(function () { return popupContent(p, config); }, {maxWidth: 320, minWidth: 220});
        layer.on("click", function () { select(id, false); });
        layer.addTo(group);
        var item = el("li");
        var button = listItem(p, config);
        button.addEventListener("click", function () { select(id, true); });
        item.appendChild(button);
        list.appendChild(item);
        shapes[id] = {layer: layer, item: button, p: p, line: line};
      });
      count.textContent = features.length ? format(m.count, features.length) : m.none;
      if (selected && shapes[selected]) select(selected, false); else selected = null;
    }

    function load() {
      if (controller) controller.abort();
      var mine = controller = new AbortController();
      var timer = setTimeout(function () { mine.abort(); }, TIMEOUT_MS);
      count.textContent = m.loading;
      retry.hidden = true;
      getAll(mine.signal, 0, []).then(function (features) {
        if (mine === controller) show(features);
      }).catch(function () {
        if (mine !== controller) return;
        count.textContent = m.failed;
        retry.hidden = false;
      }).then(function () {
        clearTimeout(timer);
      });
    }

    saveUrl();
    load();
  }

  window.JintanProjects = {attach: attach};
})();
