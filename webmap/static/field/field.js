/* The tablet app on the base map (the page is templates/field.html): the sheet beside or under the map,
   where I am (GPS with its accuracy circle), online or not, who I am and the token my writes carry, and
   the parts it holds together: the report sheet (report.js), my work (work.js) and the outbox (outbox.js,
   shown by outbox_view.js). Text from users and data reaches the page through textContent only. */
(function () {
  "use strict";

  var kit = window.JintanFieldKit, format = window.JintanPage.format, byId = kit.byId;
  var TOAST_MS = 4000;

  function attach(map, _layers, config) {
    var m = config.messages;
    var project = window.JintanPage.projection(config.shift);
    var state = {
      fix: null,        // the latest GPS position {lon, lat, accuracy}
      place: null,      // where the report being written is {source, lon, lat, accuracy, label}
      places: null,     // JintanPlaces, once the layers are in
      me: null,         // GET /api/v1/me
      csrf: (document.querySelector('meta[name="csrf-token"]') || {}).content || "",
      sheet: null       // which view the sheet shows: "report", "work", "outbox" or null
    };
    var app = {
      map: map, config: config, project: project, state: state,
      openSheet: openSheet, closeSheet: closeSheet, toast: toast, startWatching: startWatching, outbox: null,
      onSheet: function (listener) { sheetListeners.push(listener); } // told when the sheet opens, changes or closes
    };
    var sheetListeners = [];

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
      sheetListeners.forEach(function (listener) { listener(name); });
    }

    function closeSheet() {
      state.sheet = null;
      sheet.hidden = true;
      Object.keys(toggles).forEach(function (key) { toggles[key].setAttribute("aria-expanded", "false"); });
      document.body.classList.remove("jt-sheet-open");
      map.invalidateSize();
      sheetListeners.forEach(function (listener) { listener(null); });
    }

    byId("jt-sheet-close").addEventListener("click", closeSheet);
    toggles.outbox.addEventListener("click", function () {
      if (state.sheet === "outbox") closeSheet(); else openSheet("outbox");
    });
    toggles.work.addEventListener("click", function () {
      if (state.sheet === "work") { closeSheet(); return; }
      openSheet("work");
      work.load();
    });
    toggles.report.addEventListener("click", function () { report.start(); });

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
      report.fixChanged();
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

    var report = window.JintanFieldReport(app);
    var work = window.JintanFieldWork(app);
    var outboxView = window.JintanFieldOutboxView(app);
    var sending = false;

    window.JintanPlaces.load(config.layers, config.lang).then(function (places) {
      state.places = places;
      report.showPlace();
      if (work.shown()) work.render(); // with the distances now
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
      onChange: function (outboxState) {
        outboxView.show(outboxState);
        // Once what was waiting has gone, my work shows the issues as the server now has them.
        if (sending && !outboxState.running && state.sheet === "work" && !work.editing()) work.load();
        sending = outboxState.running;
      }
    }).then(function (outbox) {
      app.outbox = outbox;
      return outbox.start();
    }).catch(function () {
      toast(m.noOutbox);
    });
    refreshSession();
  }

  window.JintanField = {attach: attach};
})();
