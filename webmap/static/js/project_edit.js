/* Changing projects through /api/v1/projects.
   JintanProjectEditor: the form of /projects/new and /projects/<id>?edit=1 with the project's area
   drawn with Leaflet.draw or picked from the compounds, buildings or lanes; 422 answers shown next
   to the fields. JintanProjectActions: a project's record page, its status and linked issues.
   Text from users and from the server only ever reaches the page through textContent. */
(function () {
  "use strict";

  var FIELDS = ["name", "kind", "status", "planned_start", "planned_end", "actual_start", "actual_end",
                "budget", "contractor", "description"];
  var AREA_FIELDS = ["geometry", "compounds", "buildings", "lanes"];
  var PICK_STYLE = {color: "#6b6459", weight: 2, opacity: 0.8, fillColor: "#ffffff", fillOpacity: 0.05};
  var PICKED_STYLE = {color: "#a61b1b", weight: 3, opacity: 1, fillColor: "#d1495b", fillOpacity: 0.45};
  var LANE_WEIGHT = 7; // a lane must be wide enough to tap

  var kit = window.JintanPage, el = kit.el, format = kit.format;

  function sendJson(method, url, body) {
    var options = {method: method, credentials: "same-origin", headers: kit.writeHeaders({Accept: "application/json"})};
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    return fetch(url, options).then(function (response) {
      return response.text().then(function (text) {
        var data = null;
        try { data = text ? JSON.parse(text) : null; } catch (ignored) { data = null; }
        return {status: response.status, ok: response.ok, data: data};
      });
    });
  }

  function mapCoordinates(coordinates, convert) {
    if (typeof coordinates[0] === "number") {
      var back = convert(coordinates[0], coordinates[1]);
      return [Number(back[0].toFixed(8)), Number(back[1].toFixed(8))];
    }
    return coordinates.map(function (part) { return mapCoordinates(part, convert); });
  }

  /* One geometry from the drawn shapes: shapes of one type become one (Multi)geometry. */
  function combine(geometries) {
    var parts = [];
    geometries.forEach(function (g) {
      if (g.type.indexOf("Multi") === 0) {
        g.coordinates.forEach(function (c) { parts.push({type: g.type.slice(5), coordinates: c}); });
      } else {
        parts.push(g);
      }
    });
    if (!parts.length) return null;
    if (parts.length === 1) return parts[0];
    var type = parts[0].type;
    if (parts.every(function (p) { return p.type === type; })) {
      return {type: "Multi" + type, coordinates: parts.map(function (p) { return p.coordinates; })};
    }
    return {type: "GeometryCollection", geometries: parts};
  }

  function leaves(layer, into) {
    if (layer.getLayers && !(layer instanceof L.Polyline)) {
      layer.getLayers().forEach(function (inner) { leaves(inner, into); });
    } else {
      into.push(layer);
    }
    return into;
  }

  function deepMerge(target, source) {
    Object.keys(source || {}).forEach(function (key) {
      var value = source[key];
      if (value && typeof value === "object" && target[key] && typeof target[key] === "object") {
        deepMerge(target[key], value);
      } else {
        target[key] = value;
      }
    });
    return target;
  }

  /* Leaflet.draw 1.0.2 on touch screens: the tap that adds a vertex puts its marker under the finger,
     and the click (or, after a quick second tap, the dblclick) that follows lands on that marker and
     finishes the shape at two or three points (Leaflet.draw#789). A vertex's own tap never finishes. */
  var FRESH_VERTEX_MS = 600;

  function finishOnlyOnPurpose() {
    var Polyline = L.Draw.Polyline.prototype;
    if (Polyline._jtPatched) return;
    Polyline._jtPatched = true;
    var createMarker = Polyline._createMarker, finishShape = Polyline._finishShape;
    Polyline._createMarker = function (latlng) {
      var marker = createMarker.call(this, latlng);
      marker._jtAddedAt = Date.now();
      return marker;
    };
    Polyline._finishShape = function (event) {
      var marker = event && event.target;
      if (marker && marker._jtAddedAt && Date.now() - marker._jtAddedAt < FRESH_VERTEX_MS) return;
      finishShape.apply(this, arguments);
    };
  }

  /* ---- errors next to the fields ---- */

  function FieldErrors(form, messages) {
    this.form = form;
    this.messages = messages;
    this.status = document.getElementById("jt-form-status");
  }

  FieldErrors.prototype.clear = function () {
    this.form.querySelectorAll(".jt-field-error").forEach(function (slot) { slot.textContent = ""; });
    this.form.querySelectorAll("[aria-invalid]").forEach(function (input) { input.removeAttribute("aria-invalid"); });
    this.say("");
  };

  FieldErrors.prototype.say = function (text, failed) {
    this.status.textContent = text || "";
    this.status.classList.toggle("jt-failed", Boolean(failed));
  };

  /* {field: message} from a 422; fields without a place of their own are listed under the form. */
  FieldErrors.prototype.show = function (fields) {
    var form = this.form, first = null, elsewhere = [];
    Object.keys(fields || {}).forEach(function (field) {
      var message = String(fields[field]);
      var name = AREA_FIELDS.indexOf(field) !== -1 ? "geometry" : field;
      var slot = form.querySelector('.jt-field-error[data-field="' + CSS.escape(name) + '"]');
      if (!slot) { elsewhere.push(field + ": " + message); return; }
      slot.textContent = slot.textContent ? slot.textContent + "；" + message : message;
      var input = form.elements[name];
      if (input && input.setAttribute) {
        input.setAttribute("aria-invalid", "true");
        if (!first) first = input;
      } else if (!first) {
        first = slot;
      }
    });
    this.say([this.messages.invalid].concat(elsewhere).join(" "), true);
    if (first && first.focus) {
      if (first.tagName === "SPAN") first.scrollIntoView({block: "center"}); else first.focus();
    }
  };

  /* ---- the project form with its map ---- */

  function attachEditor(map, layers, config) {
    var m = config.messages;
    var project = kit.projection(config.shift);
    var drawn = layers.drawn, draw = layers.draw;
    var form = document.getElementById("jt-project-form");
    var errors = new FieldErrors(form, m);
    var summary = document.getElementById("jt-area-summary");
    var page = JSON.parse(document.getElementById("jt-project-data").textContent);
    var existing = page.project;
    var areaChanged = false;
    var picker = null;

    finishOnlyOnPurpose();
    // Leaflet.draw reads its words when its toolbars are built: build them again in the page's language.
    deepMerge(L.drawLocal, config.drawText);
    map.removeControl(draw);
    map.addControl(draw);
    kit.setupPanelToggle(map);

    if (existing && existing.geometry) {
      var shapes = L.geoJSON(existing.geometry, {coordsToLatLng: function (c) { return project.toMap(c[0], c[1]); }});
      leaves(shapes, []).forEach(function (layer) { drawn.addLayer(layer); });
      var bounds = drawn.getBounds();
      map.fitBounds(bounds.isValid() ? bounds : config.home, {padding: [40, 40], maxZoom: 19, animate: false});
    } else {
      map.fitBounds(config.home, {padding: [10, 10], animate: false});
    }

    // Two quick taps while placing vertices are a double tap to the browser: it must not zoom the map.
    map.on(L.Draw.Event.DRAWSTART + " " + L.Draw.Event.EDITSTART, function () { map.doubleClickZoom.disable(); });
    map.on(L.Draw.Event.DRAWSTOP + " " + L.Draw.Event.EDITSTOP, function () { map.doubleClickZoom.enable(); });

    map.on(L.Draw.Event.CREATED, function (event) {
      // A shape of another kind than those already drawn starts the area afresh.
      var kind = event.layer instanceof L.Polygon ? "polygon" : event.layer instanceof L.Polyline ? "line" : "point";
      drawn.getLayers().forEach(function (layer) {
        var other = layer instanceof L.Polygon ? "polygon" : layer instanceof L.Polyline ? "line" : "point";
        if (other !== kind) drawn.removeLayer(layer);
      });
      drawn.addLayer(event.layer);
      areaChanged = true;
      showSummary();
    });
    map.on(L.Draw.Event.EDITED + " " + L.Draw.Event.DELETED, function () {
      areaChanged = true;
      showSummary();
    });

    function mode() {
      var chosen = form.querySelector('input[name="area_mode"]:checked');
      return chosen ? chosen.value : "draw";
    }

    function drawnGeometry() {
      return combine(drawn.getLayers().map(function (layer) {
        var geometry = layer.toGeoJSON().geometry;
        return {type: geometry.type, coordinates: mapCoordinates(geometry.coordinates, project.fromLonLat)};
      }));
    }

    function showSummary() {
      var n = mode() === "pick" && picker ? picker.count() : drawn.getLayers().length;
      var message = mode() === "pick" ? m.picked : m.drawn;
      summary.textContent = n ? format(message, n) : m.nothing;
    }

    if (form.elements.area_mode) {
      picker = new Picker(map, config, project, document.getElementById("jt-pick"), showSummary);
      var hint = document.getElementById("jt-draw-hint");
      form.addEventListener("change", function (event) {
        if (event.target.name !== "area_mode") return;
        var picking = mode() === "pick";
        document.getElementById("jt-pick").hidden = !picking;
        hint.hidden = picking;
        if (picking) {
          map.removeControl(draw);
          map.removeLayer(drawn);
          picker.show();
        } else {
          picker.hide();
          map.addLayer(drawn);
          map.addControl(draw);
        }
        showSummary();
      });
    }
    showSummary();

    function values() {
      var body = {};
      FIELDS.forEach(function (name) {
        var input = form.elements[name];
        if (!input) return;
        var value = input.value.trim();
        if (name === "budget" && value !== "") value = Number(value);
        if (existing) {
          body[name] = value === "" ? null : value;
        } else if (value !== "") {
          body[name] = value;
        }
      });
      if (existing && form.elements.comment && form.elements.comment.value.trim()) {
        body.comment = form.elements.comment.value.trim();
      }
      return body;
    }

    var saving = false;
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (saving) return;
      errors.clear();
      var body = values(), method = "POST", url = config.api + "/projects";
      if (existing) {
        method = "PATCH";
        url = config.api + "/projects/" + encodeURIComponent(existing.id || existing.properties.id);
      }
      if (mode() === "pick") {
        if (picker.count()) {
          body[picker.layerName()] = picker.ids();
        } else if (!existing) {
          errors.show({geometry: m.noArea});
          return;
        }
      } else if (!existing || areaChanged) {
        body.geometry = drawnGeometry();
        if (!body.geometry) { errors.show({geometry: m.noArea}); return; }
      }
      saving = true;
      errors.say(m.saving);
      sendJson(method, url, body).then(function (answer) {
        if (answer.ok && answer.data) {
          var id = answer.data.id || (answer.data.properties || {}).id;
          window.location.assign(config.detail + encodeURIComponent(id));
          return;
        }
        saving = false;
        if (answer.status === 422 || answer.status === 400) {
          errors.show((answer.data || {}).fields || {});
        } else {
          errors.say(m.saveFailed, true);
        }
      }).catch(function () {
        saving = false;
        errors.say(m.saveFailed, true);
      });
    });
  }

  /* ---- picking compounds, buildings or lanes ---- */

  function Picker(map, config, project, box, onChange) {
    this.map = map;
    this.config = config;
    this.project = project;
    this.box = box;
    this.onChange = onChange;
    this.list = box.querySelector("#jt-pick-list");
    this.search = box.querySelector("#jt-pick-search");
    this.layers = {};   // name -> {layer, entries: [{id, label, shape, row, input}]}
    this.chosen = {compounds: {}, buildings: {}, lanes: {}};
    this.current = null;
    var self = this;
    box.addEventListener("change", function (event) {
      if (event.target.name === "pick_layer") self.use(event.target.value);
    });
    this.search.addEventListener("input", function () { self.filter(); });
  }

  Picker.prototype.layerName = function () {
    var chosen = this.box.querySelector('input[name="pick_layer"]:checked');
    return chosen ? chosen.value : "compounds";
  };

  Picker.prototype.ids = function () {
    var chosen = this.chosen[this.layerName()], ids = [];
    Object.keys(chosen).forEach(function (key) { ids.push(chosen[key]); });
    return ids;
  };

  Picker.prototype.count = function () { return this.ids().length; };

  Picker.prototype.show = function () { this.use(this.layerName()); };

  Picker.prototype.hide = function () {
    if (this.current && this.layers[this.current]) this.map.removeLayer(this.layers[this.current].layer);
    this.current = null;
  };

  Picker.prototype.label = function (name, p) {
    var lang = this.config.lang;
    if (name === "buildings") return p.name ? p.name + "（" + p.address + "）" : String(p.address || p.id);
    var text = String((lang === "en" && p.name_en ? p.name_en : p.name) || "");
    return name === "lanes" ? text + " · " + p.id : text;
  };

  Picker.prototype.use = function (name) {
    var self = this;
    this.hide();
    this.current = name;
    this.list.textContent = "";
    this.list.appendChild(el("li", "jt-empty", this.config.messages.loading));
    this.onChange();
    if (this.layers[name]) { this.present(name); return; }
    fetch(this.config.layers + encodeURIComponent(name), {credentials: "same-origin", headers: {Accept: "application/geo+json"}})
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (collection) { self.build(name, collection); if (self.current === name) self.present(name); })
      .catch(function () {
        if (self.current !== name) return;
        self.list.textContent = "";
        self.list.appendChild(el("li", "jt-empty", self.config.messages.failed));
      });
  };

  Picker.prototype.build = function (name, collection) {
    var self = this, entries = [], lanes = name === "lanes", toMap = this.project.toMap;
    var group = L.featureGroup();
    (collection.features || []).forEach(function (feature) {
      var p = feature.properties || {}, id = feature.id !== undefined ? feature.id : p.id;
      var entry = {id: id, key: String(id), label: self.label(name, p), households: p.households};
      entry.shape = L.geoJSON(feature, {
        coordsToLatLng: function (c) { return toMap(c[0], c[1]); },
        style: function () { return L.extend({}, PICK_STYLE, lanes ? {weight: LANE_WEIGHT} : {}); }
      });
      entry.shape.bindTooltip(entry.label, {sticky: true});
      entry.shape.on("click", function (event) {
        L.DomEvent.stopPropagation(event);
        self.toggle(name, entry);
      });
      entry.shape.addTo(group);
      entries.push(entry);
    });
    entries.sort(function (a, b) { return a.label.localeCompare(b.label, "zh-CN"); });
    this.layers[name] = {layer: group, entries: entries};
  };

  Picker.prototype.present = function (name) {
    var self = this, data = this.layers[name], m = this.config.messages;
    this.map.addLayer(data.layer);
    this.list.textContent = "";
    data.entries.forEach(function (entry) {
      var row = el("li");
      var label = el("label", "jt-pick-item");
      var input = el("input");
      input.type = "checkbox";
      input.value = entry.key;
      input.checked = Boolean(self.chosen[name][entry.key]);
      input.addEventListener("change", function () { self.toggle(name, entry, input.checked); });
      label.appendChild(input);
      label.appendChild(el("span", null, entry.label));
      if (typeof entry.households === "number") label.appendChild(el("small", null, format(m.households, entry.households)));
      row.appendChild(label);
      self.list.appendChild(row);
      entry.row = row;
      entry.input = input;
      self.paint(name, entry);
    });
    this.filter();
    this.onChange();
  };

  Picker.prototype.toggle = function (name, entry, on) {
    var chosen = this.chosen[name];
    if (on === undefined) on = !chosen[entry.key];
    if (on) chosen[entry.key] = entry.key; else delete chosen[entry.key];
    if (entry.input) entry.input.checked = on;
    this.paint(name, entry);
    this.onChange();
  };

  Picker.prototype.paint = function (name, entry) {
    var on = Boolean(this.chosen[name][entry.key]);
    var style = L.extend({}, on ? PICKED_STYLE : PICK_STYLE, name === "lanes" ? {weight: LANE_WEIGHT} : {});
    entry.shape.setStyle(style);
    if (on) entry.shape.bringToFront();
    if (entry.row) entry.row.classList.toggle("jt-picked", on);
  };

  Picker.prototype.filter = function () {
    var data = this.current && this.layers[this.current], wanted = this.search.value.trim().toLowerCase();
    if (!data) return;
    var shown = 0;
    data.entries.forEach(function (entry) {
      var visible = !wanted || entry.label.toLowerCase().indexOf(wanted) !== -1;
      if (entry.row) entry.row.hidden = !visible;
      if (visible) shown += 1;
    });
    var none = this.list.querySelector(".jt-no-match");
    if (!shown && !none) this.list.appendChild(el("li", "jt-empty jt-no-match", this.config.messages.noMatch));
    if (shown && none) none.remove();
  };

  /* ---- a project's record: status and linked issues ---- */

  function attachActions(config) {
    var m = config.messages;
    var status = document.getElementById("jt-actions-status");
    var base = config.api + "/projects/" + encodeURIComponent(config.id);
    var busy = false;

    function say(text, failed) {
      status.textContent = text || "";
      status.classList.toggle("jt-failed", Boolean(failed));
    }

    function act(method, url, body) {
      if (busy) return;
      busy = true;
      say(m.saving);
      sendJson(method, url, body).then(function (answer) {
        if (answer.ok) { window.location.reload(); return; }
        busy = false;
        var fields = (answer.data || {}).fields, problems = [];
        Object.keys(fields || {}).forEach(function (field) { problems.push(String(fields[field])); });
        say(problems.length ? m.invalid + " " + problems.join("；") : m.failed, true);
      }).catch(function () {
        busy = false;
        say(m.failed, true);
      });
    }

    var statusForm = document.getElementById("jt-status-form");
    if (statusForm) {
      var select = statusForm.elements.status, resolve = statusForm.elements.resolve_linked_issues;
      var syncResolve = function () {
        resolve.disabled = select.value !== "completed";
        resolve.closest("label").classList.toggle("jt-disabled", resolve.disabled);
      };
      select.addEventListener("change", syncResolve);
      syncResolve();
      statusForm.addEventListener("submit", function (event) {
        event.preventDefault();
        var body = {status: select.value};
        if (select.value === "completed" && resolve.checked) body.resolve_linked_issues = true;
        var comment = statusForm.elements.comment.value.trim();
        if (comment) body.comment = comment;
        act("PATCH", base, body);
      });
    }

    document.querySelectorAll("[data-link-issue]").forEach(function (button) {
      button.addEventListener("click", function () {
        act("POST", base + "/issues", {issues: [button.getAttribute("data-link-issue")]});
      });
    });
    document.querySelectorAll("[data-unlink-issue]").forEach(function (button) {
      button.addEventListener("click", function () {
        act("DELETE", base + "/issues/" + encodeURIComponent(button.getAttribute("data-unlink-issue")));
      });
    });
  }

  window.JintanProjectEditor = {attach: attachEditor};
  window.JintanProjectActions = {attach: attachActions};
})();
