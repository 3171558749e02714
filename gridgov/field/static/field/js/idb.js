/* 网格通 — a small promise wrapper over IndexedDB for the outbox (store "items", key "id").
   window.GridgovIDB = {all(), get(id), put(item), remove(id), clear(), drop()} */
(function () {
  "use strict";
  var NAME = "gridgov-field", VERSION = 1, STORE = "items";
  var opening = null, dropped = false;

  function open() {
    // After drop() (sign-out) this page writes nothing more: a late answer must not bring
    // the deleted queue back.
    if (dropped) return Promise.reject(new Error("dropped"));
    if (opening) return opening;
    opening = new Promise(function (resolve, reject) {
      var req = indexedDB.open(NAME, VERSION);
      req.onupgradeneeded = function () {
        var db = req.result;
        if (!db.objectStoreNames.contains(STORE)) {
          var store = db.createObjectStore(STORE, { keyPath: "id" });
          store.createIndex("seq", "seq");
        }
      };
      req.onsuccess = function () {
        var db = req.result;
        // Another tab deleting the database (sign-out) must not be blocked by this one.
        db.onversionchange = function () { db.close(); opening = null; };
        resolve(db);
      };
      req.onerror = function () { opening = null; reject(req.error); };
    });
    return opening;
  }

  function run(mode, body) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(STORE, mode), store = tx.objectStore(STORE), out;
        var req = body(store);
        if (req) req.onsuccess = function () { out = req.result; };
        tx.oncomplete = function () { resolve(out); };
        tx.onerror = function () { reject(tx.error); };
        tx.onabort = function () { reject(tx.error); };
      });
    });
  }

  window.GridgovIDB = {
    all: function () {
      return run("readonly", function (s) { return s.index("seq").getAll(); })
        .then(function (rows) { return rows || []; });
    },
    get: function (id) { return run("readonly", function (s) { return s.get(id); }); },
    put: function (item) { return run("readwrite", function (s) { return s.put(item); }); },
    remove: function (id) { return run("readwrite", function (s) { return s.delete(id); }); },
    clear: function () { return run("readwrite", function (s) { return s.clear(); }); },
    drop: function () {
      var was = opening;
      dropped = true;
      opening = null;
      return Promise.resolve(was).then(function (db) { if (db) db.close(); }).catch(function () {})
        .then(function () {
          return new Promise(function (resolve) {
            var req = indexedDB.deleteDatabase(NAME);
            req.onsuccess = req.onerror = req.onblocked = function () { resolve(); };
          });
        });
    }
  };
})();
