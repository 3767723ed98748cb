/* The streetlight plan: lit and dark stretches and the lamps of an area from /api/v1/lighting/gaps, a plan of
   new lamps from POST /api/v1/lighting/plan (numbered markers, summary, lamp table, downloads, print), and the
   plan turned into a project. Area and parameters are kept in the URL; a drawn area travels there as GeoJSON.
   Text from the server (names, titles, addresses) only ever reaches the page through textContent. */
(function () {
  "use strict";

  var PARAMETERS = ["mounting_height", "luminaire", "unit_cost", "as_of"];
  var DRAWN = "drawn";
  var DECIMALS = 7;
  var TABLE_DECIMALS = 6;  // about 10 cm: enough to find a pole, narrow enough for the panel
  var UUID = /^[0-9a-fA-F-]{36}$/;
  var TIMEOUT_MS = 60000;
  var DESCRIPTION_MAX = 5000;  // what a project's description may hold
  var NUMBERS_FROM_ZOOM = 18;  // below it new lamps are small discs, so a whole neighbourhood stays readable

  var kit = window.JintanPage, el = kit.el;

  /* "{n} 盏" with {n} = 11: each {name} replaced by values[name] (in the plural form for n). */
  function format(message, values) {
    var n = Object.prototype.hasOwnProperty.call(values, "n") ? Number(String(values.n).replace(/[^0-9.-]/g, "")) : 0;
    return kit.plural(message, n).replace(/\{(\w+)\}/g, function (whole, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : whole;
    });
  }

  function number(value, digits) {
    return Number(value).toLocaleString(undefined, {maximumFractionDigits: digits === undefined ? 0 : digits});
  }

  /* 0.996 is not "100 %", and 0.004 is not "0 %". */
  function percent(share) {
    if (share === null || share === undefined) return "—";
    var whole = Math.round(share * 100);
    if (share < 1) whole = Math.min(whole, 99);
    if (share > 0) whole = Math.max(whole, 1);
    return whole + " %";
  }

  function isPolygon(geometry) {
    return !!geometry && (geometry.type === "Polygon" || geometry.type === "MultiPolygon") &&
      Array.isArray(geometry.coordinates);
  }

  /* Leaflet.draw speaks the page's language. */
  function localizeDraw(m) {
    if (!L.drawLocal) return;
    var draw = L.drawLocal.draw;
    draw.toolbar.buttons.polygon = m.drawPolygon;
    draw.toolbar.buttons.rectangle = m.drawRectangle;
    draw.toolbar.actions.title = m.drawCancel;
    draw.toolbar.actions.text = m.drawCancel;
    draw.toolbar.finish.title = m.drawFinish;
    draw.toolbar.finish.text = m.drawFinish;
    draw.toolbar.undo.title = m.drawUndo;
    draw.toolbar.undo.text = m.drawUndo;
    draw.handlers.polygon.tooltip = {start: m.drawStart, cont: m.drawContinue, end: m.drawEnd};
    draw.handlers.rectangle.tooltip.start = m.drawRectangleStart;
    draw.handlers.simpleshape.tooltip.end = m.drawRelease;
    [["polygon", m.drawPolygon], ["rectangle", m.drawRectangle]].forEach(function (tool) {
      document.querySelectorAll(".leaflet-draw-draw-" + tool[0]).forEach(function (button) {
        button.title = tool[1];
        var hidden = button.querySelector(".sr-only");
        if (hidden) hidden.textContent = tool[1];
      });
    });
  }

  function attach(map, layers, config) {
    var m = config.messages;
    var project = kit.projection(config.shift);
    var form = document.getElementById("jt-plan-form");
    var status = document.getElementById("jt-plan-status");
    var hint = document.getElementById("jt-draw-hint");
    var planSection = document.getElementById("jt-plan");
    var nowFacts = document.getElementById("jt-now-facts");
    var projectStatus = document.getElementById("jt-project-status");
    var state = readUrl();
    var plan = null, gapsRequest = null, planRequest = null, lampMarkers = {};
    var money = new Intl.NumberFormat(config.lang === "en" ? "en" : "zh-CN",
                                      {style: "currency", currency: "CNY", maximumFractionDigits: 0});

    localizeDraw(m);
    kit.setupPanelToggle(map);
    map.on("zoomend", sizeLamps);
    sizeLamps();

    function sizeLamps() {
      map.getContainer().classList.toggle("jt-small-lamps", map.getZoom() < NUMBERS_FROM_ZOOM);
    }
    map.fitBounds(config.home, {padding: [10, 10], animate: false});

    /* ---- state <-> URL and form ---- */

    function readUrl() {
      var params = new URLSearchParams(window.location.search);
      var read = {area: config.defaults.area, geometry: null, planned: params.get("plan") === "1"};
      var area = (params.get("area") || "").trim();
      if (area.charAt(0) === "{") {
        try {
          var geometry = JSON.parse(area);
          if (isPolygon(geometry)) { read.area = DRAWN; read.geometry = geometry; }
        } catch (problem) { /* not GeoJSON: the default area */ }
      } else if (area) {
        read.area = area;
      }
      PARAMETERS.forEach(function (name) { read[name] = (params.get(name) || "").trim(); });
      return read;
    }

    function query() {
      var params = new URLSearchParams();
      params.set("area", state.area === DRAWN ? JSON.stringify(state.geometry) : state.area);
      PARAMETERS.forEach(function (name) { if (state[name]) params.set(name, state[name]); });
      return params;
    }

    function writeUrl() {
      var params = query();
      if (state.area === config.defaults.area) params.delete("area");
      if (state.planned) params.set("plan", "1");
      kit.replaceQuery(params);
    }

    function fillForm() {
      var chooser = form.elements.area;
      chooser.value = state.area;
      if (chooser.value !== state.area) {  // not one of ours
        state.area = config.defaults.area;
        chooser.value = state.area;
      }
      form.elements.mounting_height.value = state.mounting_height || config.defaults.mounting_height;
      form.elements.luminaire.value = state.luminaire || config.defaults.luminaire;
      if (!form.elements.luminaire.value) form.elements.luminaire.value = config.defaults.luminaire;
      form.elements.unit_cost.value = state.unit_cost || config.defaults.unit_cost;
      form.elements.as_of.value = state.as_of || "";
      hint.hidden = !(state.area === DRAWN && !state.geometry);
    }

    function readForm() {
      PARAMETERS.forEach(function (name) { state[name] = (form.elements[name].value || "").trim(); });
    }

    /* ---- requests ---- */

    function request(url, options, previous) {
      if (previous) previous.abort();
      var controller = new AbortController();
      var timer = setTimeout(function () { controller.abort(); }, TIMEOUT_MS);
      options = Object.assign({signal: controller.signal, credentials: "same-origin", headers: {Accept: "application/json"}}, options || {});
      var done = fetch(url, options).then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (body) {
          clearTimeout(timer);
          return {status: response.status, ok: response.ok, body: body};
        });
      }, function (problem) { clearTimeout(timer); throw problem; });
      return {controller: controller, done: done};
    }

    /* ---- drawing on the map ---- */

    function clear(group) { group.clearLayers(); }

    function geoJsonLayer(data, options) {
      return L.geoJSON(data, Object.assign({coordsToLatLng: function (c) { return project.toMap(c[0], c[1]); }},
                                           options));
    }

    function showArea(area) {
      clear(layers.area);
      clear(layers.drawn);  // a drawn area comes back from the server as it was understood
      if (!area || !area.geometry) return;
      var outline = geoJsonLayer(area.geometry, {
        interactive: false,
        style: {color: config.colours.area, weight: 2.5, dashArray: "8 6", fill: true, fillColor: config.colours.area,
                fillOpacity: 0.04}
      });
      layers.area.addLayer(outline);
      map.fitBounds(outline.getBounds(), {padding: [30, 30], maxZoom: 19, animate: false});
    }

    function popupTable(title, rows) {
      var box = el("div", "jt-popup");
      box.appendChild(el("h3", null, title));
      var table = el("table");
      rows.forEach(function (row) {
        if (row[1] === null || row[1] === undefined || row[1] === "") return;
        var tr = table.insertRow();
        tr.appendChild(el("th", null, row[0]));
        tr.appendChild(el("td", null, row[1]));
      });
      box.appendChild(table);
      return box;
    }

    function showStretches(group, features, kind) {
      clear(group);
      var lit = kind === "lit";
      group.addLayer(geoJsonLayer({type: "FeatureCollection", features: features}, {
        style: {color: lit ? config.colours.lit : config.colours.dark, weight: lit ? 5 : 7, opacity: 0.9,
                lineCap: "round"},
        onEachFeature: function (feature, layer) {
          var p = feature.properties || {};
          layer.bindPopup(function () {
            return popupTable(p.lane_name || p.lane || "", [
              [m.stretch, lit ? m.litStretch : m.darkStretch],
              [m.length, format(m.metres, {n: number(p.length_m, 1)})]
            ]);
          });
        }
      }));
    }

    function showLamps(features) {
      clear(layers.lamps);
      features.forEach(function (feature) {
        var p = feature.properties || {}, c = feature.geometry.coordinates;
        var broken = p.status === "broken";
        var marker = L.circleMarker(project.toMap(c[0], c[1]), {
          radius: 5, weight: 1.5, color: "#3d3d3d", fillOpacity: 1,
          fillColor: config.colours.lamps[broken ? "broken" : "working"], className: "jt-existing-lamp"
        });
        marker.bindPopup(function () {
          return popupTable(format(m.lamp, {n: p.id}), [
            [m.status, broken ? m.broken : m.working],
            [m.height, p.height ? format(m.metres, {n: number(p.height, 1)}) : ""],
            [m.litRadius, broken ? "" : format(m.metres, {n: number(p.lit_radius_m, 1)})]
          ]);
        });
        layers.lamps.addLayer(marker);
      });
    }

    function fact(list, name, value) {
      var row = el("div");
      row.appendChild(el("dt", null, name));
      row.appendChild(el("dd", null, value));
      list.appendChild(row);
    }

    function showNow(summary, lampFeatures) {
      nowFacts.textContent = "";
      var broken = lampFeatures.filter(function (f) { return f.properties.status === "broken"; }).length;
      fact(nowFacts, m.litShare, percent(summary.lit_share));
      fact(nowFacts, m.laneLength, format(m.metres, {n: number(summary.lane_length_m)}));
      fact(nowFacts, m.darkLength, format(m.metres, {n: number(summary.dark_length_m)}) + " · " +
           format(m.stretches, {n: summary.dark_stretches}));
      fact(nowFacts, m.lampsAround, format(m.lampsUnit, {n: lampFeatures.length}) +
           (broken ? " · " + m.brokenLamps + " " + broken : ""));
    }

    function loadGaps() {
      if (state.area === DRAWN && !state.geometry) {
        status.textContent = m.drawFirst;
        return;
      }
      var params = new URLSearchParams({area: query().get("area"), lang: config.lang});
      if (state.as_of) params.set("as_of", state.as_of);
      status.textContent = m.loading;
      var call = request(config.api + "/lighting/gaps?" + params.toString(), {}, gapsRequest && gapsRequest.controller);
      gapsRequest = call;
      call.done.then(function (result) {
        if (gapsRequest !== call) return;
        if (!result.ok) {
          [layers.area, layers.lit, layers.dark, layers.lamps].forEach(clear);
          nowFacts.textContent = "";
          status.textContent = result.status === 400 ? m.badInput : m.failed;
          showFieldErrors((result.body || {}).fields || {});
          return;
        }
        var features = result.body.features || [];
        var byKind = function (kind) { return features.filter(function (f) { return f.properties.kind === kind; }); };
        showArea(result.body.area);
        showStretches(layers.lit, byKind("lit"), "lit");
        if (!plan) showStretches(layers.dark, byKind("dark"), "dark");
        showLamps(byKind("lamp"));
        showNow(result.body.summary || {}, byKind("lamp"));
        if (status.textContent === m.loading) status.textContent = "";
      }).catch(function (problem) {
        if (gapsRequest === call && problem.name !== "AbortError") status.textContent = m.failed;
      });
    }

    /* ---- the plan ---- */

    var FIELD_MESSAGES = {
      area: function () { return state.area === DRAWN ? m.badDrawnArea : m.badArea; },
      mounting_height: function () { return m.badHeight; },
      luminaire: function () { return m.badLuminaire; },
      unit_cost: function () { return m.badUnitCost; },
      as_of: function () { return m.badAsOf; }
    };

    function showFieldErrors(fields) {
      Object.keys(FIELD_MESSAGES).forEach(function (name) {
        var slot = document.getElementById("jt-error-" + name);
        var control = form.elements[name];
        if (fields[name]) {
          slot.textContent = FIELD_MESSAGES[name]();
          slot.title = fields[name];
          slot.hidden = false;
          control.setAttribute("aria-invalid", "true");
        } else {
          slot.textContent = "";
          slot.hidden = true;
          control.removeAttribute("aria-invalid");
        }
      });
    }

    function forgetPlan() {
      plan = null;
      planSection.hidden = true;
      clear(layers.proposed);
      clear(layers.issues);
      lampMarkers = {};
      projectStatus.textContent = "";
      if (state.planned) {
        state.planned = false;
        status.textContent = m.stale;
      }
      writeUrl();
    }

    function planBody() {
      var body = {area: state.area === DRAWN ? state.geometry : state.area};
      PARAMETERS.forEach(function (name) {
        var value = state[name];
        if (!value) return;
        body[name] = name === "luminaire" || isNaN(Number(value)) ? value : Number(value);
      });
      return body;
    }

    function makePlan() {
      readForm();
      showFieldErrors({});
      if (state.area === DRAWN && !state.geometry) {
        status.textContent = m.drawFirst;
        hint.hidden = false;
        return;
      }
      status.textContent = m.planning;
      var call = request(config.api + "/lighting/plan?lang=" + encodeURIComponent(config.lang), {
        method: "POST",
        headers: kit.writeHeaders({"Content-Type": "application/json", Accept: "application/geo+json"}),
        body: JSON.stringify(planBody())
      }, planRequest && planRequest.controller);
      planRequest = call;
      call.done.then(function (result) {
        if (planRequest !== call) return;
        if (result.status === 422) {
          status.textContent = m.badInput;
          showFieldErrors(result.body.fields || {});
          return;
        }
        if (!result.ok) { status.textContent = m.failed; return; }
        state.planned = true;
        writeUrl();
        showPlan(result.body);
      }).catch(function (problem) {
        if (planRequest === call && problem.name !== "AbortError") status.textContent = m.failed;
      });
    }

    function proposedIcon(n) {
      var badge = el("span", "jt-proposed-number", n);
      return L.divIcon({className: "jt-proposed", html: badge, iconSize: [26, 26], iconAnchor: [13, 13],
                        popupAnchor: [0, -12]});
    }

    function showProposed(features) {
      clear(layers.proposed);
      lampMarkers = {};
      features.forEach(function (feature) {
        var p = feature.properties;
        var marker = L.marker(project.toMap(p.lon, p.lat), {
          icon: proposedIcon(p.number), title: format(m.proposedLamp, {n: p.number}), riseOnHover: true
        });
        marker.bindPopup(function () {
          return popupTable(format(m.proposedLamp, {n: p.number}), [
            [m.lane, p.lane_name || p.lane],
            [m.height, format(m.metres, {n: number(p.height, 1)})],
            [m.luminaire, config.luminaires[p.luminaire] || p.luminaire],
            [m.litRadius, format(m.metres, {n: number(p.lit_radius_m, 1)})],
            [m.coordinates, p.lat.toFixed(DECIMALS) + ", " + p.lon.toFixed(DECIMALS)]
          ]);
        });
        lampMarkers[p.number] = marker;
        layers.proposed.addLayer(marker);
      });
    }

    function showIssues(issues) {
      clear(layers.issues);
      var list = document.getElementById("jt-plan-issues");
      list.textContent = "";
      if (!issues.length) list.appendChild(el("li", "jt-empty", m.noIssues));
      issues.forEach(function (issue) {
        var marker = L.circleMarker(project.toMap(issue.lon, issue.lat), {
          radius: 8, weight: 2, color: "#ffffff", fillColor: config.colours.issue, fillOpacity: 1,
          className: "jt-lighting-issue"
        });
        var link = UUID.test(issue.id) ? config.issuePage + encodeURIComponent(issue.id) : null;
        marker.bindPopup(function () {
          var box = popupTable(issue.title, [[m.status, config.statuses[issue.status] || issue.status],
                                             [m.lane, issue.lane]]);
          if (link) {
            var a = el("a", "jt-details", m.details);
            a.href = link;
            box.appendChild(a);
          }
          return box;
        });
        layers.issues.addLayer(marker);
        var item = el("li");
        if (link) {
          var a = el("a", null, issue.title);
          a.href = link;
          item.appendChild(a);
        } else {
          item.appendChild(el("span", null, issue.title));
        }
        item.appendChild(el("span", "jt-issue-status", config.statuses[issue.status] || issue.status));
        list.appendChild(item);
      });
    }

    function showLampTable(features) {
      var body = document.querySelector("#jt-lamp-table tbody");
      body.textContent = "";
      features.forEach(function (feature) {
        var p = feature.properties, row = body.insertRow();
        var cell = row.insertCell();
        var button = el("button", "jt-lamp-number", p.number);
        button.type = "button";
        button.setAttribute("aria-label", format(m.proposedLamp, {n: p.number}));
        button.addEventListener("click", function () {
          var marker = lampMarkers[p.number];
          if (!marker) return;
          map.setView(marker.getLatLng(), Math.max(map.getZoom(), 19));
          marker.openPopup();
        });
        cell.appendChild(button);
        row.insertCell().textContent = p.lane_name || p.lane || "";
        row.insertCell().textContent = p.lon.toFixed(TABLE_DECIMALS);
        row.insertCell().textContent = p.lat.toFixed(TABLE_DECIMALS);
      });
    }

    function showSummary(s, buildings) {
      document.getElementById("jt-lit-share").textContent =
        percent(s.lit_share_before) + " → " + percent(s.lit_share_after);
      document.getElementById("jt-lamp-count").textContent =
        format(m.lampCount, {n: s.lamps_proposed, bound: s.lower_bound, naive: s.naive_count});
      document.getElementById("jt-cost").textContent = money.format(s.cost);
      document.getElementById("jt-households").textContent =
        format(m.households, {n: number(s.households_served)}) + " · " + format(m.buildings, {n: buildings.length});
      document.getElementById("jt-building-count").textContent = "(" + buildings.length + ")";
      var list = document.getElementById("jt-addresses");
      list.textContent = "";
      if (!buildings.length) list.appendChild(el("li", "jt-empty", m.noBuildings));
      buildings.forEach(function (b) {
        var item = el("li");
        item.appendChild(el("span", null, b.address || b.id));
        item.appendChild(el("span", "jt-households", format(m.households, {n: b.households})));
        list.appendChild(item);
      });
    }

    function showExports() {
      var params = query();
      var text = params.toString();
      document.getElementById("jt-export-geojson").href = config.api + "/lighting/plan.geojson?" + text;
      document.getElementById("jt-export-csv").href = config.api + "/lighting/plan.csv?" + text;
      document.getElementById("jt-print-link").href = config.printPage + "?" + text;
    }

    function showPlan(collection) {
      plan = collection;
      var features = collection.features || [];
      var proposed = features.filter(function (f) { return f.properties.kind === "proposed_lamp"; });
      var dark = features.filter(function (f) { return f.properties.kind === "dark"; });
      var s = collection.summary || {};
      showArea(collection.area);
      showStretches(layers.dark, dark, "dark");
      showProposed(proposed);
      showIssues(collection.issues || []);
      showLampTable(proposed);
      showSummary(s, collection.buildings_served || []);
      showExports();
      planSection.hidden = false;
      projectStatus.textContent = "";
      if (s.lit_share_before === null || s.lit_share_before === undefined) status.textContent = m.noLanes;
      else if (!proposed.length) status.textContent = m.nothingDark;
      else status.textContent = format(m.planned, {n: proposed.length});
    }

    /* ---- the plan as a project ---- */

    function projectBody() {
      var s = plan.summary, area = plan.area || {};
      var lamps = (plan.features || []).filter(function (f) { return f.properties.kind === "proposed_lamp"; });
      var separator = config.lang === "en" ? ", " : "、";
      var addresses = (plan.buildings_served || []).map(function (b) { return b.address || b.id; });
      return {
        name: format(m.projectName, {area: area.name || m.drawnArea, n: lamps.length}),
        kind: "lighting_works",
        status: "proposed",
        budget: Math.round(s.cost * 100) / 100,
        description: format(m.projectDescription, {
          before: percent(s.lit_share_before), after: percent(s.lit_share_after), n: lamps.length,
          height: number(s.mounting_height_m, 1), luminaire: config.luminaires[s.luminaire] || s.luminaire,
          bound: s.lower_bound, households: s.households_served,
          addresses: addresses.length ? addresses.join(separator) : m.none
        }).slice(0, DESCRIPTION_MAX),
        geometry: lamps.length
          ? {type: "MultiPoint", coordinates: lamps.map(function (f) { return [f.properties.lon, f.properties.lat]; })}
          : area.geometry,
        link_issues: (plan.issues || []).map(function (issue) { return issue.id; })
      };
    }

    function makeProject() {
      if (!plan) return;
      var button = document.getElementById("jt-make-project");
      button.disabled = true;
      projectStatus.textContent = m.projectCreating;
      request(config.projectsApi + "?lang=" + encodeURIComponent(config.lang), {
        method: "POST",
        headers: kit.writeHeaders({"Content-Type": "application/json", Accept: "application/json"}),
        body: JSON.stringify(projectBody())
      }).done.then(function (result) {
        var id = result.body && (result.body.id || (result.body.properties || {}).id);
        if (result.status === 201 && id !== undefined && id !== null) {
          window.location.assign(config.projectPage + encodeURIComponent(String(id)));
          return;
        }
        projectStatus.textContent = result.status === 404 || result.status === 405 ? m.projectUnavailable
                                                                                   : m.projectFailed;
        button.disabled = false;
      }).catch(function () {
        projectStatus.textContent = m.projectFailed;
        button.disabled = false;
      });
    }

    /* ---- wiring ---- */

    function drawnGeometry(layer) {
      var rings = layer.getLatLngs();
      var polygons = Array.isArray(rings[0]) && Array.isArray(rings[0][0]) ? rings : [rings];
      var coordinates = polygons.map(function (polygon) {
        return polygon.map(function (ring) {
          var positions = ring.map(function (latlng) {
            return project.fromMap(latlng).map(function (v) { return Number(v.toFixed(DECIMALS)); });
          });
          positions.push(positions[0].slice());
          return positions;
        });
      });
      return coordinates.length === 1 ? {type: "Polygon", coordinates: coordinates[0]}
                                      : {type: "MultiPolygon", coordinates: coordinates};
    }

    map.on(L.Draw.Event.CREATED, function (event) {
      layers.drawn.eachLayer(function (layer) { if (layer !== event.layer) layers.drawn.removeLayer(layer); });
      state.area = DRAWN;
      state.geometry = drawnGeometry(event.layer);
      form.elements.area.value = DRAWN;
      hint.hidden = true;
      forgetPlan();
      loadGaps();
    });

    form.elements.area.addEventListener("change", function () {
      state.area = form.elements.area.value;
      showFieldErrors({});
      if (state.area !== DRAWN) {
        state.geometry = null;
        clear(layers.drawn);
      }
      hint.hidden = !(state.area === DRAWN && !state.geometry);
      forgetPlan();
      if (state.area === DRAWN && !state.geometry) {
        clear(layers.area);
        status.textContent = m.drawFirst;
        return;
      }
      loadGaps();
    });
    PARAMETERS.forEach(function (name) {
      form.elements[name].addEventListener("change", function () {
        var day = state.as_of;
        readForm();
        if (plan || state.planned) forgetPlan();
        writeUrl();
        if (state.as_of !== day) {  // other lamps stood then
          showFieldErrors({});
          loadGaps();
        }
      });
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      makePlan();
    });
    var makeProjectButton = document.getElementById("jt-make-project");  // only for those who may plan
    if (makeProjectButton) makeProjectButton.addEventListener("click", makeProject);

    fillForm();
    writeUrl();
    loadGaps();
    if (state.planned) makePlan();
  }

  window.JintanLighting = {attach: attach};
})();
