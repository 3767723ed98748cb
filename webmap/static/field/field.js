/* The tablet app on the base map: where I am (GPS with its accuracy circle), reporting an issue here
   (the place from GPS, a tap on the map or a building or lane from a list, with the nearest building's
   address; category, title, description, photos), my work (issues assigned to me and open issues
   nearby, nearest first, each with a status update, a note and a photo), and the outbox holding all
   of it until the server has it. Text from users and data reaches the page through textContent only. */
(function () {
  "use strict";

  var kit = window.JintanPage, el = kit.el, format = kit.format;
  var COLOUR = /^#[0-9a-fA-F]{6}$/;
  var ICON = /^[a-z0-9-]+$/;
  var UUID = /^[0-9a-fA-F-]{36}$/;
  // Nearby issues are asked for on a grid, so that a few steps reuse the answer cached for offline.
  var NEARBY_GRID_DEG = 0.002;
  var WORK_LIMIT = 200;
  var TOAST_MS = 4000;
  var LOCAL_TIME = new Intl.DateTimeFormat("en-GB", {
    timeZone: "Asia/Shanghai", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit"
  });

  function byId(id) {
    return document.getElementById(id);
  }

  function fill(message, values) {
    return Object.keys(values).reduce(function (text, name) {
      return text.split("{" + name + "}").join(String(values[name]));
    }, message);
  }

  function icon(name) {
    var i = el("i", "fa-solid fa-" + name);
    i.setAttribute("aria-hidden", "true");
    return i;
  }

  function getJson(url) {
    return fetch(url, {credentials: "same-origin", headers: {Accept: "application/json"}}).then(function (response) {
      if (!response.ok) {
        var problem = new Error("HTTP " + response.status);
        problem.status = response.status;
        throw problem;
      }
      return response.json();
    });
  }

  function attach(map, _layers, config) {
    var m = config.messages;
    var project = kit.projection(config.shift);
    var state = {
      fix: null,        // the latest GPS position {lon, lat, accuracy}
      place: null,      // where the report being written is {source, lon, lat, accuracy, label}
      places: null,     // JintanPlaces, once the layers are in
      me: null,         // GET /api/v1/me
      csrf: (document.querySelector('meta[name="csrf-token"]') || {}).content || "",
      work: {mine: [], nearby: []},
      outbox: {entries: []},
      sheet: null
    };
    var outbox = null;

    map.fitBounds(config.home, {padding: [10, 10], animate: false});

    /* ---- the sheet: report, my work, outbox ---- */

    var sheet = byId("jt-sheet");
    var views = {report: byId("jt-report"), work: byId("jt-work"), outbox: byId("jt-outbox")};
    var toggles = {report: byId("jt-report-here"), work: byId("jt-my-work"), outbox: byId("jt-outbox-toggle")};

    function openSheet(name) {
      state.sheet = name;
      sheet.hidden = false;
      Object.keys(views).forEach(function (key) {
        views[key].hidden = key !== name;
        toggles[key].setAttribute("aria-expanded", String(key === name));
      });
      byId("jt-sheet-title").textContent = views[name].getAttribute("data-title");
      document.body.classList.add("jt-sheet-open");
      // The legend folds away so that the map beside or above the sheet shows the place.
      document.querySelectorAll(".jt-legend details").forEach(function (legend) { legend.open = false; });
      map.invalidateSize();
    }

    function closeSheet() {
      state.sheet = null;
      sheet.hidden = true;
      Object.keys(toggles).forEach(function (key) { toggles[key].setAttribute("aria-expanded", "false"); });
      document.body.classList.remove("jt-sheet-open");
      map.invalidateSize();
    }

    byId("jt-sheet-close").addEventListener("click", closeSheet);
    toggles.outbox.addEventListener("click", function () {
      if (state.sheet === "outbox") closeSheet(); else openSheet("outbox");
    });
    toggles.work.addEventListener("click", function () {
      if (state.sheet === "work") { closeSheet(); return; }
      openSheet("work");
      loadWork();
    });
    toggles.report.addEventListener("click", function () { startReport(); });

    var toastTimer = null;
    function toast(text) {
      var box = byId("jt-toast");
      box.textContent = text;
      clearTimeout(toastTimer);
      toastTimer = setTimeout(function () { box.textContent = ""; }, TOAST_MS);
    }

    /* ---- online, offline ---- */

    function showConnection() {
      var line = byId("jt-connection"), online = navigator.onLine !== false;
      line.textContent = online ? m.online : m.offline;
      line.classList.toggle("jt-offline", !online);
    }
    window.addEventListener("online", showConnection);
    window.addEventListener("offline", showConnection);
    showConnection();

    /* ---- where I am ---- */

    var positionLayer = L.layerGroup().addTo(map);
    var watching = null, centreOnFix = true;

    function gpsSay(text, poor) {
      var line = byId("jt-gps");
      line.textContent = text || "";
      line.classList.toggle("jt-poor", Boolean(poor));
    }

    function startWatching() {
      if (watching !== null) return;
      if (!navigator.geolocation) {
        gpsSay(window.isSecureContext ? m.gpsUnavailable : m.gpsNeedsHttps, true);
        return;
      }
      gpsSay(m.locating);
      watching = navigator.geolocation.watchPosition(onFix, onGpsError, {
        enableHighAccuracy: true, maximumAge: 5000, timeout: 30000
      });
    }

    function onFix(position) {
      var c = position.coords, poor = c.accuracy > config.accuracyLimitM;
      state.fix = {lon: c.longitude, lat: c.latitude, accuracy: c.accuracy};
      var at = project.toMap(c.longitude, c.latitude);
      positionLayer.clearLayers();
      L.circle(at, {
        radius: c.accuracy, className: "jt-accuracy" + (poor ? " jt-poor" : ""), interactive: false
      }).addTo(positionLayer);
      L.circleMarker(at, {radius: 9, className: "jt-me", interactive: false}).addTo(positionLayer);
      gpsSay(format(poor ? m.gpsPoor : m.gpsGood, Math.round(c.accuracy)), poor);
      if (centreOnFix) {
        centreOnFix = false;
        map.setView(at, Math.max(map.getZoom(), 19));
      }
      if (state.place && state.place.source === "gps") useFix();
    }

    function onGpsError(error) {
      if (error.code === error.PERMISSION_DENIED) {
        navigator.geolocation.clearWatch(watching);
        watching = null;
        gpsSay(m.gpsDenied, true);
      } else if (!state.fix) {
        gpsSay(m.gpsFailed, true);
      }
    }

    byId("jt-locate").addEventListener("click", function () {
      startWatching();
      if (state.fix) map.setView(project.toMap(state.fix.lon, state.fix.lat), Math.max(map.getZoom(), 19));
      else centreOnFix = true;
    });

    /* ---- the report: where ---- */

    var form = byId("jt-report-form");
    var reportMarker = null;

    function sourceInputs() {
      return Array.prototype.slice.call(form.elements.location_source);
    }

    function chooseSource(source) {
      sourceInputs().forEach(function (input) { input.checked = input.value === source; });
      byId("jt-map-hint").hidden = source !== "map";
      byId("jt-place-search").hidden = source !== "list";
      state.place = null;
      if (source === "gps") {
        startWatching();
        if (state.fix) useFix();
      }
      showPlace();
      if (source === "list") byId("jt-place-query").focus();
    }

    function useFix() {
      setPlace({source: "gps", lon: state.fix.lon, lat: state.fix.lat, accuracy: state.fix.accuracy});
    }

    function setPlace(place) {
      state.place = place;
      showPlace();
    }

    function nearestBuilding(place) {
      return state.places ? state.places.building(place.lon, place.lat, config.addressWithinM) : null;
    }

    /* The address the report will carry: the building's, else the chosen lane's name. */
    function addressOf(place) {
      var near = nearestBuilding(place);
      return near ? near.building.address : place.label || null;
    }

    function showPlace() {
      var place = state.place;
      var address = byId("jt-address"), coordinates = byId("jt-coordinates");
      var accuracy = byId("jt-accuracy-warning"), outside = byId("jt-outside");
      if (reportMarker) { map.removeLayer(reportMarker); reportMarker = null; }
      accuracy.hidden = true;
      outside.hidden = true;
      if (!place) {
        var source = currentSource();
        address.textContent = source === "gps" && !state.fix ? m.locating : m.noPlace;
        coordinates.textContent = "";
        return;
      }
      reportMarker = L.marker(project.toMap(place.lon, place.lat), {
        icon: L.divIcon({html: el("span", "jt-report-pin"), className: "jt-report-marker", iconSize: [44, 44], iconAnchor: [22, 44]}),
        interactive: false, keyboard: false
      }).addTo(map);
      var near = nearestBuilding(place);
      var parts = [];
      if (place.label) parts.push(place.label);
      if (near) {
        var building = near.building.address + (near.building.name ? " · " + near.building.name : "");
        parts.push(near.distance > 0 ? fill(m.nearBuilding, {address: building, n: Math.round(near.distance)}) : building);
      } else if (state.places) {
        parts.push(format(m.noBuilding, config.addressWithinM));
      }
      address.textContent = parts.join(" — ");
      coordinates.textContent = place.lat.toFixed(6) + ", " + place.lon.toFixed(6);
      if (place.source === "gps" && place.accuracy > config.accuracyLimitM) {
        accuracy.textContent = format(m.poorAccuracy, Math.round(place.accuracy));
        accuracy.hidden = false;
      }
      var away = state.places ? state.places.outside(place.lon, place.lat) : 0;
      if (away > config.outsideToleranceM) {
        byId("jt-outside-text").textContent = format(m.outside, Math.round(away));
        outside.hidden = false;
      }
    }

    function currentSource() {
      var chosen = sourceInputs().filter(function (input) { return input.checked; })[0];
      return chosen ? chosen.value : null;
    }

    function startReport() {
      if (state.sheet === "report") { closeSheet(); return; }
      openSheet("report");
      if (!currentSource()) chooseSource(navigator.geolocation ? "gps" : "map");
      else showPlace();
      loadCategories();
    }

    form.addEventListener("change", function (event) {
      if (event.target.name === "location_source") chooseSource(event.target.value);
    });

    // While reporting, a tap on the map is where the issue is (and opens no popup).
    map.on("click", function (event) {
      if (state.sheet !== "report") return;
      map.closePopup();
      var lonLat = project.fromMap(event.latlng);
      if (currentSource() !== "map") chooseSource("map");
      setPlace({source: "map", lon: lonLat[0], lat: lonLat[1], accuracy: null});
      clearError("location");
    });

    var query = byId("jt-place-query"), results = byId("jt-place-results");
    query.addEventListener("input", function () {
      results.textContent = "";
      if (!state.places) { results.appendChild(el("li", "jt-hint", m.placesLoading)); return; }
      var found = state.places.search(query.value);
      if (!found.length && query.value.trim()) results.appendChild(el("li", "jt-hint", m.nothingFound));
      found.forEach(function (place) {
        var button = el("button", "jt-place-choice");
        button.type = "button";
        button.appendChild(icon(place.kind === "lane" ? "road" : "building"));
        var label = place.kind === "lane" ? place.name : place.address + (place.name ? " · " + place.name : "");
        button.appendChild(el("span", null, label));
        button.appendChild(el("span", "jt-kind", place.kind === "lane" ? m.lane : m.building));
        button.addEventListener("click", function () {
          var point = state.places.pointOf(place);
          setPlace({source: "list", lon: point[0], lat: point[1], accuracy: null, label: place.kind === "lane" ? place.name : null});
          map.setView(project.toMap(point[0], point[1]), Math.max(map.getZoom(), 19));
          results.textContent = "";
          query.value = label;
          clearError("location");
        });
        var item = el("li");
        item.appendChild(button);
        results.appendChild(item);
      });
    });

    /* ---- the report: what ---- */

    var categoriesLoaded = null;
    function loadCategories() {
      if (categoriesLoaded) return categoriesLoaded;
      var box = byId("jt-category-chips");
      categoriesLoaded = getJson(config.categories).then(function (body) {
        box.textContent = "";
        (body.categories || []).forEach(function (category) {
          var chip = el("label", "jt-chip jt-category");
          if (COLOUR.test(category.colour || "")) chip.style.setProperty("--c", category.colour);
          var input = el("input");
          input.type = "radio";
          input.name = "category";
          input.value = category.id;
          chip.appendChild(input);
          if (ICON.test(category.icon || "")) chip.appendChild(icon(category.icon));
          chip.appendChild(el("span", null, config.lang === "en" ? category.name_en : category.name_zh));
          box.appendChild(chip);
        });
      }).catch(function () {
        categoriesLoaded = null;
        box.textContent = m.categoriesFailed;
      });
      return categoriesLoaded;
    }

    var reportPhotos = new window.JintanPhotos.PhotoPicker(
      byId("jt-report-photos"), byId("jt-report-previews"), byId("jt-report-photo-status"), photoOptions()
    );

    function photoOptions() {
      return {
        max: config.photos.max, longSide: config.photos.longSide, quality: config.photos.quality,
        messages: {photo: m.photo, remove: m.removePhoto, tooMany: m.tooManyPhotos, unreadable: m.unreadablePhoto}
      };
    }

    function showError(name, text) {
      var line = form.querySelector('[data-error-for="' + name + '"]');
      line.textContent = text;
      line.hidden = false;
      var field = form.elements[name];
      if (field && field.setAttribute) field.setAttribute("aria-invalid", "true");
    }

    function clearError(name) {
      var line = form.querySelector('[data-error-for="' + name + '"]');
      if (line) { line.textContent = ""; line.hidden = true; }
      var field = form.elements[name];
      if (field && field.removeAttribute) field.removeAttribute("aria-invalid");
    }

    form.addEventListener("input", function (event) { if (event.target.name) clearError(event.target.name); });
    form.addEventListener("change", function (event) { if (event.target.name === "category") clearError("category"); });

    function checkReport() {
      var problems = {}, place = state.place;
      var category = form.querySelector('input[name="category"]:checked');
      if (!place) problems.location = m.needPlace;
      else if (!byId("jt-outside").hidden && !byId("jt-nearby").checked) problems.location = m.confirmOutside;
      if (!category) problems.category = m.needCategory;
      if (!form.elements.title.value.trim()) problems.title = m.needTitle;
      ["location", "category", "title", "description"].forEach(clearError);
      Object.keys(problems).forEach(function (name) { showError(name, problems[name]); });
      return Object.keys(problems).length ? null : category.value;
    }

    var saving = false;
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (saving) return;
      var category = checkReport();
      if (!category) {
        var first = form.querySelector(".jt-error:not([hidden])");
        if (first) first.scrollIntoView({block: "center"});
        return;
      }
      saving = true;
      var place = state.place, title = form.elements.title.value.trim();
      reportPhotos.blobs().then(function (photos) {
        var report = {
          id: window.JintanOutbox.uuid(),
          category: category,
          title: title,
          description: form.elements.description.value.trim(),
          lon: Math.round(place.lon * 1e7) / 1e7,
          lat: Math.round(place.lat * 1e7) / 1e7,
          reported_at: new Date().toISOString(),
          source: config.source,
          location_source: place.source,
          location_accuracy_m: place.source === "gps" ? Math.round(place.accuracy * 10) / 10 : null
        };
        var address = addressOf(place);
        if (address) report.address = address;
        if (!byId("jt-outside").hidden && byId("jt-nearby").checked) report.nearby_on_purpose = true;
        return outbox.addReport(report, photos, title);
      }).then(function () {
        form.elements.title.value = "";
        form.elements.description.value = "";
        byId("jt-nearby").checked = false;
        Array.prototype.forEach.call(form.querySelectorAll('input[name="category"]'), function (input) { input.checked = false; });
        reportPhotos.clear();
        chooseSource(currentSource()); // the next report starts from the same kind of place
        closeSheet();
        toast(m.saved);
      }, function () {
        toast(m.saveFailed);
      }).then(function () { saving = false; });
    });

    /* ---- my work ---- */

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
        ? getJson(listUrl({assignee: state.me.username})).catch(function () { return null; })
        : Promise.resolve(null);
      var nearby = getJson(listUrl({bbox: nearbyBox(origin())})).catch(function () { return null; });
      return Promise.all([mine, nearby]).then(function (answers) {
        var mineIds = {};
        state.work.mine = answers[0] ? answers[0].features || [] : [];
        state.work.mine.forEach(function (f) { mineIds[f.id] = true; });
        state.work.nearby = (answers[1] ? answers[1].features || [] : []).filter(function (f) { return !mineIds[f.id]; });
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
      [["jt-work-mine", state.work.mine], ["jt-work-nearby", state.work.nearby]].forEach(function (pair) {
        var list = byId(pair[0]);
        list.textContent = "";
        var features = pair[1].filter(function (f) { return f.geometry && f.geometry.type === "Point" && UUID.test(String(f.id)); });
        features.forEach(function (f) { f.distance = distanceTo(f); });
        features.sort(function (a, b) { return (a.distance || 0) - (b.distance || 0); });
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
      if (COLOUR.test(p.colour || "")) dot.style.setProperty("--c", p.colour);
      if (ICON.test(p.icon || "")) dot.appendChild(icon(p.icon));
      var marker = L.marker(project.toMap(c[0], c[1]), {
        icon: L.divIcon({html: dot, className: "jt-issue jt-open", iconSize: [44, 44], iconAnchor: [22, 22]}),
        title: p.title || "", riseOnHover: true
      });
      marker.on("click", function () {
        openSheet("work");
        var item = byId("jt-work-" + feature.id);
        if (item) {
          expand(item, true);
          item.scrollIntoView({block: "nearest"});
        }
      });
      return marker;
    }

    function expand(item, open) {
      var head = item.querySelector(".jt-work-head");
      head.setAttribute("aria-expanded", String(open));
      item.querySelector(".jt-work-form").hidden = !open;
    }

    function workItem(feature) {
      var p = feature.properties, id = String(feature.id);
      var item = el("li", "jt-work-item");
      item.id = "jt-work-" + id;
      var head = el("button", "jt-work-head");
      head.type = "button";
      head.setAttribute("aria-expanded", "false");
      head.setAttribute("aria-controls", "jt-work-form-" + id);
      var dot = el("span", "jt-work-dot");
      dot.setAttribute("aria-hidden", "true");
      if (COLOUR.test(p.colour || "")) dot.style.setProperty("--c", p.colour);
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
      item.appendChild(updateForm(feature));
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
      var picker = new window.JintanPhotos.PhotoPicker(photoInput, previews, photoStatus, photoOptions());

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
          return outbox.addUpdate(id, Object.keys(changes).length ? changes : null, photos, p.title || "").then(function () {
            note.value = "";
            if (statusSelect) statusSelect.value = "";
            picker.clear();
            toast(m.saved);
          });
        }).catch(function () { toast(m.saveFailed); });
      });
      return box;
    }

    /* ---- the outbox ---- */

    var pendingLayer = L.layerGroup().addTo(map);
    var KIND_LABELS = {report: m.kindReport, update: m.kindUpdate, photo: m.kindPhoto};

    function showOutbox(outboxState) {
      state.outbox = outboxState;
      var entries = outboxState.entries;
      var count = byId("jt-outbox-count");
      count.textContent = String(entries.length);
      count.classList.toggle("jt-waiting", entries.length > 0);
      var status = byId("jt-outbox-status");
      status.textContent = outboxState.running ? m.sending
        : entries.length ? (navigator.onLine === false ? m.waitingOffline : m.waitingRetry) : "";
      byId("jt-signin").hidden = outboxState.problem !== "signin";
      byId("jt-signin-message").textContent = outboxState.message || "";
      var connection = byId("jt-connection");
      connection.classList.toggle("jt-sending", outboxState.running);

      var list = byId("jt-outbox-list");
      list.textContent = "";
      if (!entries.length) list.appendChild(el("li", "jt-empty", list.getAttribute("data-empty")));
      entries.forEach(function (entry) { list.appendChild(outboxItem(entry)); });

      pendingLayer.clearLayers();
      entries.forEach(function (entry) {
        if (!entry.point) return;
        L.marker(project.toMap(entry.point[0], entry.point[1]), {
          icon: L.divIcon({html: el("span", "jt-pending-dot"), className: "jt-pending", iconSize: [28, 28]}),
          title: entry.label || "", interactive: false, keyboard: false
        }).addTo(pendingLayer);
      });
    }

    function outboxItem(entry) {
      var item = el("li", "jt-outbox-item" + (entry.refused ? " jt-refused" : ""));
      var head = el("p", "jt-outbox-head");
      head.appendChild(el("span", "jt-kind", KIND_LABELS[entry.kind] || entry.kind));
      head.appendChild(el("strong", null, entry.label || ""));
      item.appendChild(head);
      var facts = [LOCAL_TIME.format(new Date(entry.createdAt))];
      if (entry.photos) facts.push(format(m.photoCount, entry.photos));
      facts.push(entry.refused ? m.refused : m.waiting);
      item.appendChild(el("p", "jt-hint", facts.join(" · ")));
      if (entry.refused && entry.message) item.appendChild(el("p", "jt-refusal", entry.message));
      var discard = el("button", "jt-discard", m.discard);
      discard.type = "button";
      discard.addEventListener("click", function () {
        // A second tap confirms: nothing waiting is thrown away by one slip of the finger.
        if (discard.getAttribute("data-confirm") !== "yes") {
          discard.setAttribute("data-confirm", "yes");
          discard.textContent = m.confirmDiscard;
          return;
        }
        outbox.discard(entry.group);
      });
      item.appendChild(discard);
      return item;
    }

    byId("jt-send-now").addEventListener("click", function () {
      if (!outbox) return;
      outbox.attempts = 0;
      outbox.sync();
    });

    /* ---- who I am, and the token my writes carry ---- */

    function refreshSession() {
      return fetch(config.me, {credentials: "same-origin", cache: "no-store", headers: {Accept: "application/json"}})
        .then(function (response) {
          if (response.status === 401) return "signin";
          if (!response.ok) return "ok"; // no answer about the session: the page's token stands
          return response.json().then(function (me) {
            state.me = me;
            if (me.csrf_token) state.csrf = me.csrf_token;
            return "ok";
          });
        }, function () { return "later"; });
    }

    /* ---- start ---- */

    if ("serviceWorker" in navigator) {
      navigator.serviceWorker.register(config.serviceWorker, {scope: config.scope}).catch(function () {
        toast(m.noOffline);
      });
    } else if (!window.isSecureContext) {
      toast(m.noOffline);
    }
    if (navigator.storage && navigator.storage.persist) navigator.storage.persist().catch(function () {});

    window.JintanPlaces.load(config.layers, config.lang).then(function (places) {
      state.places = places;
      showPlace();
      if (state.work.mine.length || state.work.nearby.length) renderWork();
    }).catch(function () {
      byId("jt-address").textContent = m.placesFailed;
    });

    if (navigator.permissions && navigator.geolocation) {
      navigator.permissions.query({name: "geolocation"}).then(function (permission) {
        if (permission.state === "granted") startWatching();
      }).catch(function () {});
    }

    window.JintanOutbox.open({
      api: config.api,
      csrfToken: function () { return state.csrf; },
      refreshSession: refreshSession,
      onChange: showOutbox
    }).then(function (opened) {
      outbox = opened;
      return outbox.start();
    }).catch(function () {
      toast(m.noOutbox);
    });
    refreshSession();
  }

  window.JintanField = {attach: attach};
})();
