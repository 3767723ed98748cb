/* The outbox: reports, updates and photos made on the tablet wait here, in IndexedDB and in the
   order they were made, each with its client UUID, until the server has them. The server stores a
   report, update or photo sent twice only once, so sending again after a lost answer is safe.

   Answers: 2xx sent (removed); 422 and other refusals kept, marked refused with the server's
   message, until the user discards them; 401, 403 and a refused CSRF token keep everything and
   ask the user to sign in again; no answer, a timeout or 5xx: tried again later, with backoff.
   A photo waits for the report or update it came with (same group). */
(function () {
  "use strict";

  var DB_NAME = "jintan-field";
  var DB_VERSION = 1;
  var STORE = "outbox";
  var LOCK = "jintan-field-outbox";
  var RETRY_FIRST_MS = 5000;
  var RETRY_MAX_MS = 120000;
  var TIMEOUT_MS = {report: 30000, update: 30000, photo: 120000};

  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    // crypto.randomUUID needs a secure context; getRandomValues does not.
    var bytes = crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 0x100).toString(16).slice(1); }).join("");
    return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join("-");
  }

  function parseJson(text) {
    try { return JSON.parse(text); } catch (e) { return null; }
  }

  /* What the server said no to, in its own words: each field's message, or its message. */
  function refusal(body, status) {
    if (body && body.fields && typeof body.fields === "object") {
      return Object.keys(body.fields).map(function (name) { return name + ": " + body.fields[name]; }).join("; ");
    }
    return (body && (body.message || body.error)) || "HTTP " + status;
  }

  function answer(response) {
    return response.text().then(function (text) {
      var body = parseJson(text), status = response.status;
      if (response.ok) return {result: "sent", body: body};
      if (status === 401 || status === 403) return {result: "signin", message: refusal(body, status)};
      if (status === 400 && /csrf/i.test(text)) return {result: "csrf", message: refusal(body, status)};
      if (status === 408 || status === 429 || status >= 500) return {result: "later"};
      return {result: "refused", message: refusal(body, status)};
    });
  }

  /* Items of one group (a report or an update with its photos) shown as one entry. */
  function entries(items) {
    var list = [], byGroup = {};
    items.forEach(function (item) {
      var entry = byGroup[item.group];
      if (!entry) {
        entry = byGroup[item.group] = {
          group: item.group, kind: item.kind, issueId: item.issueId, label: item.label,
          createdAt: item.createdAt, photos: 0, refused: false, message: ""
        };
        list.push(entry);
      }
      if (item.kind === "photo") entry.photos += 1;
      else { entry.kind = item.kind; entry.label = item.label; }
      if (item.kind === "report") entry.point = [item.body.lon, item.body.lat];
      if (item.state === "refused") { entry.refused = true; entry.message = item.message || ""; }
    });
    return list;
  }

  /* options: api (URL root), csrfToken() -> the token to send, refreshSession() -> Promise of
     "ok" | "signin" | "later" (asks the server who we are and renews the token),
     onChange(state) with {entries, running, problem, message, retryAt}. */
  function Outbox(db, options) {
    this.db = db;
    this.options = options;
    this.running = null;
    this.attempts = 0;
    this.timer = null;
    this.problem = null;
    this.message = "";
    this.retryAt = null;
  }

  Outbox.prototype.addReport = function (report, photos, label) {
    var now = new Date().toISOString(), group = report.id;
    var items = [{id: report.id, group: group, kind: "report", issueId: report.id, body: report, label: label, createdAt: now}];
    return this.add(items.concat(photoItems(report.id, group, photos, label, now)));
  };

  /* changes: {status?, comment?} or null for photos alone. The update's UUID goes with it as update_id. */
  Outbox.prototype.addUpdate = function (issueId, changes, photos, label) {
    var now = new Date().toISOString(), group = uuid(), items = [];
    if (changes) {
      var body = Object.assign({update_id: group}, changes);
      items.push({id: group, group: group, kind: "update", issueId: issueId, body: body, label: label, createdAt: now});
    }
    return this.add(items.concat(photoItems(issueId, group, photos, label, now)));
  };

  function photoItems(issueId, group, photos, label, now) {
    return photos.map(function (blob, n) {
      return {id: uuid(), group: group, kind: "photo", issueId: issueId, blob: blob, name: "photo-" + (n + 1) + ".jpg",
              label: label, createdAt: now};
    });
  }

  Outbox.prototype.add = function (items) {
    var self = this;
    // Resolves once the screen shows them waiting (or already sent).
    return this.db.addAll(STORE, items).then(function () {
      self.sendNow();
      return self.emit();
    });
  };

  Outbox.prototype.discard = function (group) {
    var self = this;
    return this.db.all(STORE).then(function (items) {
      return Promise.all(items.filter(function (item) { return item.group === group; }).map(function (item) {
        return self.db.delete(STORE, item.seq);
      }));
    }).then(function () { return self.emit(); });
  };

  Outbox.prototype.emit = function () {
    var self = this;
    return this.db.all(STORE).then(function (items) {
      self.options.onChange({
        entries: entries(items), running: Boolean(self.running), problem: self.problem,
        message: self.message, retryAt: self.retryAt
      });
    });
  };

  Outbox.prototype.request = function (item) {
    var api = this.options.api;
    var headers = {Accept: "application/json", "X-CSRFToken": this.options.csrfToken() || ""};
    var init = {method: "POST", credentials: "same-origin", headers: headers};
    var url;
    if (item.kind === "photo") {
      var form = new FormData();
      form.append("id", item.id);
      form.append("photo", item.blob, item.name);
      url = api + "/issues/" + encodeURIComponent(item.issueId) + "/photos";
      init.body = form;
    } else {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(item.body);
      if (item.kind === "update") {
        url = api + "/issues/" + encodeURIComponent(item.issueId);
        init.method = "PATCH";
      } else {
        url = api + "/issues";
      }
    }
    return {url: url, init: init};
  };

  Outbox.prototype.send = function (item) {
    var request = this.request(item), controller = new AbortController();
    var timer = setTimeout(function () { controller.abort(); }, TIMEOUT_MS[item.kind]);
    request.init.signal = controller.signal;
    return fetch(request.url, request.init).then(answer, function () {
      return {result: "later"};
    }).then(function (outcome) {
      clearTimeout(timer);
      return outcome;
    });
  };

  /* Send what is waiting, oldest first; resolves with "done", "later" or "signin". */
  Outbox.prototype.sendInOrder = function (items) {
    var self = this, blocked = {}, renewed = false;

    function sendOne(item) {
      return self.send(item).then(function (outcome) {
        if (outcome.result !== "csrf" || renewed) return outcome;
        renewed = true; // the page's token may be older than the session: renew it once and try again
        return self.options.refreshSession().then(function () { return self.send(item); });
      });
    }

    function keepRefused(item, message) {
      blocked[item.group] = true;
      return self.db.get(STORE, item.seq).then(function (stored) {
        if (!stored) return null; // discarded meanwhile
        stored.state = "refused";
        stored.message = message;
        return self.db.put(STORE, stored);
      });
    }

    return items.reduce(function (chain, item) {
      return chain.then(function (stop) {
        if (stop) return stop;
        if (item.state === "refused") blocked[item.group] = true;
        if (blocked[item.group]) return null;
        return sendOne(item).then(function (outcome) {
          if (outcome.result === "sent") {
            return self.db.delete(STORE, item.seq).then(function () { self.emit(); return null; });
          }
          if (outcome.result === "refused") return keepRefused(item, outcome.message).then(function () { return null; });
          if (outcome.result === "later") return "later";
          self.message = outcome.message || "";
          return "signin";
        });
      });
    }, Promise.resolve(null)).then(function (stop) { return stop || "done"; });
  };

  function exclusively(work) {
    // One tab sends at a time; another waits its turn and then finds the items gone.
    return navigator.locks ? navigator.locks.request(LOCK, work) : work();
  }

  Outbox.prototype.sync = function () {
    var self = this;
    if (this.running) return this.running;
    clearTimeout(this.timer);
    this.timer = null;
    this.retryAt = null;
    if (navigator.onLine === false) return Promise.resolve(this.settle("later"));
    this.running = exclusively(function () {
      return self.db.all(STORE).then(function (items) {
        if (!items.some(function (item) { return item.state !== "refused"; })) return "done";
        return self.options.refreshSession().then(function (session) {
          return session === "ok" ? self.sendInOrder(items) : session;
        });
      });
    }).catch(function () { return "later"; }).then(function (result) {
      self.running = null;
      return self.settle(result);
    });
    this.emit();
    return this.running;
  };

  /* Send now, and after this try wait from the shortest delay again. */
  Outbox.prototype.sendNow = function () {
    this.attempts = 0;
    return this.sync();
  };

  /* After a run: forget the problem or keep asking, and try again later if anything is waiting. */
  Outbox.prototype.settle = function (result) {
    var self = this;
    this.problem = result === "signin" ? "signin" : null;
    if (result !== "signin") this.message = "";
    if (result === "done") {
      this.attempts = 0;
    } else {
      var delay = Math.min(RETRY_MAX_MS, RETRY_FIRST_MS * Math.pow(2, this.attempts));
      this.attempts += 1;
      delay = Math.round(delay * (0.8 + Math.random() * 0.4));
      this.retryAt = Date.now() + delay;
      this.timer = setTimeout(function () { self.sync(); }, delay);
    }
    this.emit();
    return result;
  };

  /* Send now and whenever the network may be back: when it says so, and when the tab is shown. */
  Outbox.prototype.start = function () {
    var self = this;
    window.addEventListener("online", function () { self.sendNow(); });
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "visible") self.sync();
    });
    return this.sync();
  };

  function open(options) {
    return window.JintanIdb.open(DB_NAME, DB_VERSION, function (db) {
      if (!db.objectStoreNames.contains(STORE)) db.createObjectStore(STORE, {keyPath: "seq", autoIncrement: true});
    }).then(function (db) { return new Outbox(db, options); });
  }

  window.JintanOutbox = {open: open, uuid: uuid};
})();
