/* The scanner page's service worker: after one visit the page, its scripts and its styles
   open without a network. Pages are fetched fresh when the server answers, else (no network,
   or a 5xx) served from the cache; the API is never cached (the page keeps its own snapshot in IndexedDB). */
"use strict";
var CACHE = "scanner-{{ version }}";
var SHELL = {{ shell | tojson }};

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) { return cache.addAll(SHELL); }).then(function () {
    return self.skipWaiting();
  }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) { return name.indexOf("scanner-") === 0 && name !== CACHE; })
      .map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener("fetch", function (event) {
  var url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== location.origin || url.pathname.indexOf("/api/") === 0) return;
  var shell = url.pathname === "/scan/" || SHELL.indexOf(url.pathname) >= 0;
  if (!shell) return;
  var key = url.pathname === "/scan/" ? "/scan/" : event.request;
  event.respondWith(fetch(event.request).then(function (response) {
    if (response.ok) {
      var copy = response.clone();
      caches.open(CACHE).then(function (cache) { cache.put(key, copy); });
    }
    // A server that answers but cannot serve (a 502 from the proxy while the app restarts):
    // the page from the cache, never an error page the volunteer cannot leave.
    if (response.status >= 500) return caches.match(key).then(function (cached) { return cached || response; });
    return response;
  }).catch(function () {
    return caches.match(key);
  }));
});
