/* The report sheet of the tablet app: where (GPS, a tap on the map, or a building or lane from a list;
   the nearest building's address; a warning for a poor GPS position or a place outside the boundary),
   what (category, title, description, photos), and into the outbox. */
(function () {
  "use strict";

  var kit = window.JintanFieldKit, el = window.JintanPage.el, format = window.JintanPage.format;
  var byId = kit.byId, fill = kit.fill, icon = kit.icon;

  /* app: the tablet app (static/field/field.js): map, config, project, state, openSheet, closeSheet,
     toast, startWatching, outbox. */
  function ReportSheet(app) {
    var map = app.map, config = app.config, m = config.messages, project = app.project, state = app.state;

    /* ---- where ---- */

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
        app.startWatching();
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
      if (state.sheet !== "report") return; // the pin shows only while reporting
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
      if (state.sheet === "report") { app.closeSheet(); return; }
      app.openSheet("report");
      if (!currentSource()) chooseSource(navigator.geolocation ? "gps" : "map");
      else showPlace();
      loadCategories();
    }

    app.onSheet(showPlace);
    form.addEventListener("change", function (event) {
      if (event.target.name === "location_source") chooseSource(event.target.value);
    });

    /* While reporting, a tap anywhere on the map is where the issue is: on bare ground, a building, a
       compound, a lane, a lamp or a marker alike. Leaflet hands a tap on a feature to that feature (whose
       popup stops it before the map's click), so the tap is taken here first, before Leaflet sees it, and
       opens no popup. Taps on the map's controls (zoom, layers, legend) and the end of a drag are left alone. */
    var container = map.getContainer(), mapPane = map.getPane("mapPane");
    /* The click a tap makes is moved by the browser towards anything clickable near the finger (Chromium's touch
       adjustment pulls it onto a lamp a few pixels away); the finger's own point is the pointerdown's. */
    var pressed = null;
    container.addEventListener("pointerdown", function (event) {
      pressed = {clientX: event.clientX, clientY: event.clientY, time: Date.now()};
    }, true);
    function tappedPoint(click) {
      var near = pressed && Date.now() - pressed.time < 1500 &&
        Math.abs(pressed.clientX - click.clientX) < 48 && Math.abs(pressed.clientY - click.clientY) < 48;
      return near ? pressed : click;
    }
    container.addEventListener("click", function (event) {
      if (state.sheet !== "report") return;
      if (event.target !== container && !mapPane.contains(event.target)) return;
      event.stopPropagation();
      if (map.dragging && map.dragging.moved()) return;
      placeAt(map.mouseEventToLatLng(tappedPoint(event)));
    }, true);

    function placeAt(latlng) {
      map.closePopup();
      var lonLat = project.fromMap(latlng);
      if (currentSource() !== "map") chooseSource("map");
      setPlace({source: "map", lon: lonLat[0], lat: lonLat[1], accuracy: null});
      clearError("location");
    }

    // A popup left open from before would cover the place being picked.
    app.onSheet(function (name) { if (name === "report") map.closePopup(); });

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

    /* ---- what ---- */

    var categoriesLoaded = null;
    function loadCategories() {
      if (categoriesLoaded) return categoriesLoaded;
      var box = byId("jt-category-chips");
      categoriesLoaded = kit.getJson(config.categories).then(function (body) {
        box.textContent = "";
        (body.categories || []).forEach(function (category) {
          var chip = el("label", "jt-chip jt-category");
          if (kit.COLOUR.test(category.colour || "")) chip.style.setProperty("--c", category.colour);
          var input = el("input");
          input.type = "radio";
          input.name = "category";
          input.value = category.id;
          chip.appendChild(input);
          if (kit.ICON.test(category.icon || "")) chip.appendChild(icon(category.icon));
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
      byId("jt-report-photos"), byId("jt-report-previews"), byId("jt-report-photo-status"), kit.photoOptions(config)
    );

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
        return app.outbox.addReport(report, photos, title);
      }).then(function () {
        form.elements.title.value = "";
        form.elements.description.value = "";
        byId("jt-nearby").checked = false;
        Array.prototype.forEach.call(form.querySelectorAll('input[name="category"]'), function (input) { input.checked = false; });
        reportPhotos.clear();
        chooseSource(currentSource()); // the next report starts from the same kind of place
        app.closeSheet();
        app.toast(m.saved);
      }, function () {
        app.toast(m.saveFailed);
      }).then(function () { saving = false; });
    });

    return {
      start: startReport,
      showPlace: showPlace,
      // While the report is placed by GPS, it follows the newest position.
      fixChanged: function () { if (state.place && state.place.source === "gps") useFix(); }
    };
  }

  window.JintanFieldReport = ReportSheet;
})();
