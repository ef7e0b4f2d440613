"""The platform as an installable web app, for the data-entry grid offline (docs/measurement.md,
"Offline data entry"): the web app manifest, the service worker, and a sign-out that leaves
nothing of the person's offline work in the browser."""

from __future__ import annotations

import json

from django.contrib.auth.views import LogoutView
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import get_language, get_language_bidi
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

# Cache names the service worker and the grid's script share (static/measurement/offline.js).
PAGES_CACHE = "ci-grid-pages-v1"
STATIC_CACHE = "ci-static-v1"


@require_GET
@vary_on_headers("Cookie", "Accept-Language")
def web_manifest(request):
    """The manifest, in the reader's language."""
    manifest = {
        "name": _("Collective Impact Platform"),
        "short_name": _("Collective Impact"),
        "lang": get_language(),
        "dir": "rtl" if get_language_bidi() else "ltr",
        # The app's identity for the browser, said once so that a later start_url keeps it one app.
        "id": reverse("home"),
        "start_url": reverse("home"),
        "scope": "/",
        "display": "standalone",
        "background_color": "#f8f9fa",
        "theme_color": "#0d6efd",
        "icons": [
            {"src": static(path), "sizes": sizes, "type": kind, "purpose": purpose}
            for path, sizes, kind, purpose in ICONS
        ],
    }
    return HttpResponse(json.dumps(manifest, ensure_ascii=False), content_type="application/manifest+json")


@require_GET
def service_worker(request):
    """The service worker, at the root so that its scope covers every grid page. Workbox's files
    are served from STATIC like any asset (from node_modules, installed by `npm ci`)."""
    body = render_to_string(
        "pwa/sw.js",
        {
            "workbox": [static(f"vendor/workbox/{name}.prod.js") for name in WORKBOX_MODULES],
            "assets": [static(path) for path in GRID_ASSETS],
            "pages_cache": PAGES_CACHE,
            "static_cache": STATIC_CACHE,
            "static_prefix": static(""),
        },
    )
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    # The browser checks for a new worker on every navigation; never a stale one from a cache.
    response["Cache-Control"] = "no-cache"
    return response


# The favicon, and the PNGs Chromium needs before it offers to install the app (192 and 512 pixels;
# the maskable one keeps the mark inside the safe zone of a round or squircle launcher icon). The
# PNGs are the favicon rendered by headless Chromium, committed as source assets.
ICONS = [
    ("favicon.svg", "any", "image/svg+xml", "any"),
    ("icons/icon-192.png", "192x192", "image/png", "any"),
    ("icons/icon-512.png", "512x512", "image/png", "any"),
    ("icons/icon-maskable-512.png", "512x512", "image/png", "maskable"),
]
# In their load order: core first, the others extend it.
WORKBOX_MODULES = ["workbox-core", "workbox-routing", "workbox-strategies"]
# What the grid page needs, kept at install so that the first offline visit has it.
GRID_ASSETS = [
    "bootstrap/css/bootstrap.min.css",
    "bootstrap/css/bootstrap.rtl.min.css",
    "bootstrap/js/bootstrap.bundle.min.js",
    "css/app.css",
    "favicon.svg",
    "measurement/grid.js",
    "measurement/offline.js",
]


class SignOutView(LogoutView):
    """Django's sign-out, and the browser told to forget this site's offline data: the grid's
    drafts (IndexedDB), the cached pages (Cache Storage) and the service worker. Another person
    who signs in on the same browser finds none of them."""

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        response["Clear-Site-Data"] = '"cache", "storage"'
        return response
