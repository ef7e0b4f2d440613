{% autoescape off %}// The service worker of the data-entry grid (ci_platform/pwa.py renders it; docs/measurement.md,
// "Offline data entry"). Workbox, from npm, served from STATIC: no CDN.
// - Grid pages: network first, the last copy when there is no network. Only complete pages
//   (200) are kept, never a redirect to the sign-in page. The grid's script also keeps the grid
//   pages of the organisation's open periods here (static/measurement/offline.js).
// - Static files: from the cache first (their names carry a hash of their content in production).
// - Nothing else is touched: every other page and every POST goes to the network as without it.
importScripts({% for url in workbox %}"{{ url|escapejs }}"{% if not forloop.last %}, {% endif %}{% endfor %});

var PAGES = "{{ pages_cache|escapejs }}";
var STATIC = "{{ static_cache|escapejs }}";
var ASSETS = [{% for url in assets %}"{{ url|escapejs }}"{% if not forloop.last %}, {% endif %}{% endfor %}];
var STATIC_PREFIX = "{{ static_prefix|escapejs }}";
var GRID = /\/initiatives\/[^/]+\/measurement\/entry\/\d+\/[^/]+\/[^/]+\/$/;

workbox.core.clientsClaim();

self.addEventListener("install", function (event) {
  self.skipWaiting();
  event.waitUntil(caches.open(STATIC).then(function (cache) { return cache.addAll(ASSETS); }));
});

var completePagesOnly = {
  cacheWillUpdate: function (args) {
    var response = args.response;
    return Promise.resolve(response && response.status === 200 && response.type === "basic" ? response : null);
  }
};

workbox.routing.registerRoute(
  function (args) { return args.request.mode === "navigate" && args.url.origin === self.location.origin && GRID.test(args.url.pathname); },
  new workbox.strategies.NetworkFirst({
    cacheName: PAGES,
    networkTimeoutSeconds: 10,
    plugins: [completePagesOnly],
    // Django's pages vary on the cookie, which a cached request does not carry.
    matchOptions: { ignoreVary: true }
  })
);

workbox.routing.registerRoute(
  function (args) { return args.url.origin === self.location.origin && args.url.pathname.indexOf(STATIC_PREFIX) === 0; },
  new workbox.strategies.CacheFirst({ cacheName: STATIC, plugins: [completePagesOnly] })
);
// The grid's script asks for the grid pages of the organisation's open periods to be kept, so that
// a period not yet opened on this device opens offline too. Pages already kept are left as they are
// (network first refreshes them on every visit); a redirect (signed out) is never kept.
self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (data.type !== "keep-pages") { return; }
  var port = event.ports && event.ports[0];
  // Pages kept for someone else (who did not sign out, which would have cleared them) go first.
  var owner = new Request(self.registration.scope + "__owner__");
  var forget = caches.open(PAGES).then(function (cache) {
    return cache.match(owner).then(function (kept) { return kept ? kept.text() : null; });
  }).then(function (previous) {
    return previous !== null && previous !== String(data.user) ? caches.delete(PAGES) : null;
  });
  event.waitUntil(forget.then(function () { return caches.open(PAGES); }).then(function (cache) {
    return cache.put(owner, new Response(String(data.user))).then(function () { return cache; });
  }).then(function (cache) {
    return Promise.all((data.urls || []).map(function (url) {
      var address = new URL(url, self.location.origin);
      if (address.origin !== self.location.origin || !GRID.test(address.pathname)) { return null; }
      return cache.match(address.href, { ignoreVary: true }).then(function (kept) {
        if (kept) { return null; }
        return fetch(address.href, { credentials: "same-origin" }).then(function (response) {
          if (response.status === 200 && !response.redirected) { return cache.put(address.href, response); }
          return null;
        });
      }).catch(function () { return null; });
    }));
  }).then(function () { if (port) { port.postMessage("kept"); } }));
});
{% endautoescape %}
