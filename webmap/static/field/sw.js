/* The tablet app's service worker, served from /field/sw.js (scope /field/) after a first line
   `self.JINTAN_FIELD = {version, shell, api, static, precache}` written by webmap/field_pages.py.

   Caches: "jintan-field-shell-<version>" holds what is precached on install (the page, its
   scripts, styles, fonts and icons, the base layers, the categories) and the static files;
   "jintan-field-data" holds the latest answer of every page load and API read.
   The page and API reads: network first (an answer that takes too long, fails or is a 5xx comes
   from the cache instead). Static files: cache first (the cache's version changes with them).
   Only GET is ever answered here: reports, updates and photos go straight to the network. */
"use strict";

var CONFIG = self.JINTAN_FIELD;
var SHELL = "jintan-field-shell-" + CONFIG.version;
var SHELL_PREFIX = "jintan-field-shell-";
var DATA = "jintan-field-data";
var NETWORK_WAIT_MS = 8000; // on a weak signal, the cached copy after this long

self.addEventListener("install", function (event) {
  event.waitUntil(precache().then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) {
      return name.indexOf(SHELL_PREFIX) === 0 && name !== SHELL;
    }).map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});

/* Everything listed, fetched afresh; the page only if it really is the page (not a sign-in redirect). */
function precache() {
  return caches.open(SHELL).then(function (cache) {
    return Promise.all(CONFIG.precache.map(function (url) {
      return fetch(new Request(url, {cache: "reload", credentials: "same-origin"})).then(function (response) {
        if (response.ok && !response.redirected) return cache.put(url, response);
        if (url === CONFIG.shell) return null;
        throw new Error("could not precache " + url + ": HTTP " + response.status);
      });
    }));
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    if (url.pathname === CONFIG.shell) event.respondWith(networkFirst(event, request, CONFIG.shell));
  } else if (url.pathname.indexOf(CONFIG.api) === 0) {
    event.respondWith(networkFirst(event, request, request.url));
  } else if (url.pathname.indexOf(CONFIG.static) === 0) {
    event.respondWith(cacheFirst(event, request));
  }
});

function cached(key) {
  var options = {ignoreVary: true};
  return caches.open(DATA).then(function (data) { return data.match(key, options); }).then(function (hit) {
    return hit || caches.open(SHELL).then(function (shell) { return shell.match(key, options); });
  });
}

/* The page is kept under one key whatever its query (?lang=en), so it opens offline either way. */
function networkFirst(event, request, key) {
  var network = fetch(request).then(function (response) {
    if (keepable(response)) {
      var copy = response.clone();
      event.waitUntil(caches.open(DATA).then(function (cache) { return cache.put(key, copy); }));
    }
    return response;
  });
  var waited = new Promise(function (resolve) { setTimeout(resolve, NETWORK_WAIT_MS); });
  return Promise.race([network.catch(function () { return null; }), waited.then(function () { return "slow"; })])
    .then(function (first) {
      if (first && first !== "slow" && first.status < 500) return first;
      return cached(key).then(function (hit) {
        if (hit) return hit;
        if (first && first !== "slow") return first; // a 5xx, and nothing cached: say what the server said
        return network.catch(function () { return offline(request); });
      });
    });
}

/* A whole answer of our own that the server lets us keep (GET /api/v1/me, with its token, is no-store). */
function keepable(response) {
  return response.ok && !response.redirected && response.type === "basic"
    && !/no-store/i.test(response.headers.get("Cache-Control") || "");
}

function cacheFirst(event, request) {
  return caches.open(SHELL).then(function (cache) {
    return cache.match(request).then(function (hit) {
      if (hit) return hit;
      return fetch(request).then(function (response) {
        if (keepable(response)) {
          var copy = response.clone();
          event.waitUntil(cache.put(request, copy));
        }
        return response;
      });
    });
  });
}

function offline(request) {
  var body = JSON.stringify({error: "Service Unavailable", message: "offline, and nothing cached for " + request.url});
  return new Response(body, {status: 503, headers: {"Content-Type": "application/json"}});
}
