/* My work in the tablet app: issues assigned to me and open issues nearby, nearest first with the
   distance, on the map and in a list; each with a status update (where I may change it), a note and
   photos, which go into the outbox. */
(function () {
  "use strict";

  var kit = window.JintanFieldKit, el = window.JintanPage.el, format = window.JintanPage.format;
  var byId = kit.byId, icon = kit.icon;
  var UUID = /^[0-9a-fA-F-]{36}$/;
  // Nearby issues are asked for on a grid, so that a few steps reuse the answer cached for offline.
  var NEARBY_GRID_DEG = 0.002;
  var WORK_LIMIT = 200;
  var NEARBY_SHOWN = 50;

  /* app: the tablet app (static/field/field.js): map, config, project, state, openSheet, toast, outbox. */
  function WorkSheet(app) {
    var map = app.map, config = app.config, m = config.messages, project = app.project, state = app.state;
    var lists = {mine: [], nearby: []};

    var issueLayer = L.layerGroup().addTo(map);

    function origin() {
      return state.fix ? [state.fix.lon, state.fix.lat] : project.fromMap(map.getCenter());
    }

    function nearbyBox(centre) {
      var dLat = config.nearbyRadiusM / 111320, dLon = dLat / Math.cos(centre[1] * Math.PI / 180);
      var g = NEARBY_GRID_DEG;
      return [
        Math.floor((centre[0] - dLon) / g) * g, Math.floor((centre[1] - dLat) / g) * g,
        Math.ceil((centre[0] + dLon) / g) * g, Math.ceil((centre[1] + dLat) / g) * g
      ].map(function (v) { return v.toFixed(3); }).join(",");
    }

    function listUrl(extra) {
      var params = new URLSearchParams({status: config.openStatuses.join(","), limit: String(WORK_LIMIT), sort: "-reported_at"});
      Object.keys(extra).forEach(function (name) { params.set(name, extra[name]); });
      return config.api + "/issues?" + params.toString().replace(/%2C/g, ",");
    }

    function loadWork() {
      var status = byId("jt-work-status");
      status.textContent = m.loading;
      var mine = state.me && state.me.username
        ? kit.getJson(listUrl({assignee: state.me.username})).catch(function () { return null; })
        : Promise.resolve(null);
      var nearby = kit.getJson(listUrl({bbox: nearbyBox(origin())})).catch(function () { return null; });
      return Promise.all([mine, nearby]).then(function (answers) {
        var mineIds = {};
        lists.mine = answers[0] ? answers[0].features || [] : [];
        lists.mine.forEach(function (f) { mineIds[f.id] = true; });
        lists.nearby = (answers[1] ? answers[1].features || [] : []).filter(function (f) { return !mineIds[f.id]; });
        status.textContent = answers[1] ? "" : m.workFailed;
        renderWork();
      });
    }

    function distanceTo(feature) {
      var c = feature.geometry.coordinates, here = origin();
      return state.places ? state.places.distance(here, c) : null;
    }

    /* The status is the assignee's to change (and a planner's); anyone reporting may add a note or a photo. */
    function canChangeStatus(feature) {
      var me = state.me;
      if (!me) return false;
      return feature.properties.assignee === me.username || (me.permissions || []).indexOf("plan") !== -1;
    }

    function renderWork() {
      issueLayer.clearLayers();
      [["jt-work-mine", lists.mine], ["jt-work-nearby", lists.nearby]].forEach(function (pair) {
        var list = byId(pair[0]);
        list.textContent = "";
        var features = pair[1].filter(function (f) { return f.geometry && f.geometry.type === "Point" && UUID.test(String(f.id)); });
        features.forEach(function (f) { f.distance = distanceTo(f); });
        features.sort(function (a, b) { return (a.distance || 0) - (b.distance || 0); });
        if (pair[1] === lists.nearby) {
          features = features.filter(function (f) { return f.distance === null || f.distance <= config.nearbyRadiusM; })
            .slice(0, NEARBY_SHOWN);
        }
        if (!features.length) list.appendChild(el("li", "jt-empty", list.getAttribute("data-empty")));
        features.forEach(function (feature) {
          list.appendChild(workItem(feature));
          issueMarker(feature).addTo(issueLayer);
        });
      });
    }

    function issueMarker(feature) {
      var p = feature.properties, c = feature.geometry.coordinates;
      var dot = el("span", "jt-issue-dot");
      if (kit.COLOUR.test(p.colour || "")) dot.style.setProperty("--c", p.colour);
      if (kit.ICON.test(p.icon || "")) dot.appendChild(icon(p.icon));
      var marker = L.marker(project.toMap(c[0], c[1]), {
        icon: L.divIcon({html: dot, className: "jt-issue jt-open", iconSize: [44, 44], iconAnchor: [22, 22]}),
        title: p.title || "", riseOnHover: true
      });
      marker.on("click", function () {
        app.openSheet("work");
        var item = byId("jt-work-" + feature.id);
        if (item) {
          expand(item, true);
          item.scrollIntoView({block: "nearest"});
        }
      });
      return marker;
    }

    /* The update form is made the first time the item opens. */
    function expand(item, open) {
      var head = item.querySelector(".jt-work-head"), form = item.querySelector(".jt-work-form");
      if (open && !form) {
        form = item.appendChild(updateForm(item.feature));
        head.setAttribute("aria-controls", form.id);
      }
      head.setAttribute("aria-expanded", String(open));
      if (form) form.hidden = !open;
    }

    function workItem(feature) {
      var p = feature.properties, id = String(feature.id);
      var item = el("li", "jt-work-item");
      item.id = "jt-work-" + id;
      var head = el("button", "jt-work-head");
      head.type = "button";
      head.setAttribute("aria-expanded", "false");
      var dot = el("span", "jt-work-dot");
      dot.setAttribute("aria-hidden", "true");
      if (kit.COLOUR.test(p.colour || "")) dot.style.setProperty("--c", p.colour);
      head.appendChild(dot);
      var text = el("span", "jt-work-text");
      text.appendChild(el("strong", null, p.title || ""));
      var facts = [p.category_name, config.statuses[p.status] || p.status, p.address].filter(Boolean).join(" · ");
      text.appendChild(el("span", "jt-work-facts", facts));
      head.appendChild(text);
      if (feature.distance !== null) head.appendChild(el("span", "jt-distance", format(m.metres, Math.round(feature.distance))));
      head.addEventListener("click", function () {
        var open = head.getAttribute("aria-expanded") !== "true";
        expand(item, open);
        if (open) {
          var c = feature.geometry.coordinates;
          map.panTo(project.toMap(c[0], c[1]));
        }
      });
      item.appendChild(head);
      item.feature = feature;
      return item;
    }

    function updateForm(feature) {
      var p = feature.properties, id = String(feature.id);
      var box = el("form", "jt-work-form");
      box.id = "jt-work-form-" + id;
      box.hidden = true;
      box.noValidate = true;
      var statusSelect = null;
      if (canChangeStatus(feature)) {
        var statusLabel = el("label", "jt-field", m.newStatus);
        statusLabel.htmlFor = "jt-status-" + id;
        statusSelect = el("select", "jt-input");
        statusSelect.id = "jt-status-" + id;
        statusSelect.appendChild(new Option(m.keepStatus, ""));
        config.statusChoices.forEach(function (status) {
          if (status !== p.status) statusSelect.appendChild(new Option(config.statuses[status], status));
        });
        box.appendChild(statusLabel);
        box.appendChild(statusSelect);
      }
      var noteLabel = el("label", "jt-field", m.note);
      noteLabel.htmlFor = "jt-note-" + id;
      var note = el("textarea", "jt-input");
      note.id = "jt-note-" + id;
      note.rows = 2;
      note.maxLength = config.commentMax;
      box.appendChild(noteLabel);
      box.appendChild(note);

      var photoInput = el("input", "jt-file");
      photoInput.type = "file";
      photoInput.accept = "image/*";
      photoInput.setAttribute("capture", "environment");
      photoInput.multiple = true;
      photoInput.id = "jt-photos-" + id;
      var photoButton = el("label", "jt-button");
      photoButton.htmlFor = photoInput.id;
      photoButton.appendChild(icon("camera"));
      photoButton.appendChild(document.createTextNode(" " + m.addPhotos));
      var previews = el("ul", "jt-previews"), photoStatus = el("p", "jt-hint");
      photoStatus.setAttribute("aria-live", "polite");
      box.appendChild(photoInput);
      box.appendChild(photoButton);
      box.appendChild(previews);
      box.appendChild(photoStatus);
      var picker = new window.JintanPhotos.PhotoPicker(photoInput, previews, photoStatus, kit.photoOptions(config));

      var problem = el("p", "jt-error");
      problem.hidden = true;
      box.appendChild(problem);
      var actions = el("div", "jt-actions");
      var save = el("button", "jt-primary");
      save.type = "submit";
      save.appendChild(icon("paper-plane"));
      save.appendChild(document.createTextNode(" " + m.saveUpdate));
      actions.appendChild(save);
      var details = el("a", "jt-button", m.details);
      details.href = config.detail + encodeURIComponent(id);
      actions.appendChild(details);
      box.appendChild(actions);

      box.addEventListener("submit", function (event) {
        event.preventDefault();
        picker.blobs().then(function (photos) {
          var changes = {};
          if (statusSelect && statusSelect.value) changes.status = statusSelect.value;
          if (note.value.trim()) changes.comment = note.value.trim();
          if (!Object.keys(changes).length && !photos.length) {
            problem.textContent = m.nothingToSave;
            problem.hidden = false;
            return null;
          }
          problem.hidden = true;
          return app.outbox.addUpdate(id, Object.keys(changes).length ? changes : null, photos, p.title || "").then(function () {
            note.value = "";
            if (statusSelect) statusSelect.value = "";
            picker.clear();
            expand(byId("jt-work-" + id), false);
            app.toast(m.saved);
          });
        }).catch(function () { app.toast(m.saveFailed); });
      });
      return box;
    }

    return {
      load: loadWork,
      render: renderWork,
      shown: function () { return lists.mine.length + lists.nearby.length; },
      // An update being written, which a new list would throw away.
      editing: function () { return Boolean(document.querySelector("#jt-work .jt-work-form:not([hidden])")); }
    };
  }

  window.JintanFieldWork = WorkSheet;
})();
