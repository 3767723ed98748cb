/* A very small promise wrapper around IndexedDB: open a database, then read and write whole records
   of one object store, each call in a transaction of its own that has completed (is on disk) when
   its promise resolves. */
(function () {
  "use strict";

  function done(request) {
    return new Promise(function (resolve, reject) {
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function Database(db) {
    this.db = db;
  }

  /* Run work(store) in a transaction; resolves with what work's request returned, once committed. */
  Database.prototype.run = function (storeName, mode, work) {
    var db = this.db;
    return new Promise(function (resolve, reject) {
      var transaction = db.transaction(storeName, mode), result;
      var request = work(transaction.objectStore(storeName));
      if (request) done(request).then(function (value) { result = value; }, function () {});
      transaction.oncomplete = function () { resolve(result); };
      transaction.onabort = transaction.onerror = function () { reject(transaction.error); };
    });
  };

  /* Every record, in key order. */
  Database.prototype.all = function (storeName) {
    return this.run(storeName, "readonly", function (store) { return store.getAll(); });
  };

  Database.prototype.get = function (storeName, key) {
    return this.run(storeName, "readonly", function (store) { return store.get(key); });
  };

  /* Add a new record; resolves with its key. */
  Database.prototype.add = function (storeName, value) {
    return this.run(storeName, "readwrite", function (store) { return store.add(value); });
  };

  /* Add several records in one transaction: all of them or none. */
  Database.prototype.addAll = function (storeName, values) {
    return this.run(storeName, "readwrite", function (store) {
      var last = null;
      values.forEach(function (value) { last = store.add(value); });
      return last;
    });
  };

  Database.prototype.put = function (storeName, value) {
    return this.run(storeName, "readwrite", function (store) { return store.put(value); });
  };

  Database.prototype.delete = function (storeName, key) {
    return this.run(storeName, "readwrite", function (store) { return store.delete(key); });
  };

  /* upgrade(db, oldVersion) creates the object stores a new version needs. */
  function open(name, version, upgrade) {
    if (!window.indexedDB) return Promise.reject(new Error("IndexedDB is not available"));
    var request = window.indexedDB.open(name, version);
    request.onupgradeneeded = function (event) { upgrade(request.result, event.oldVersion); };
    return done(request).then(function (db) {
      // Another tab opening a newer version asks this one to let go.
      db.onversionchange = function () { db.close(); };
      return new Database(db);
    });
  }

  window.JintanIdb = {open: open};
})();
