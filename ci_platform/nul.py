"""A NUL character in an address is bad input: refused with 400 before any view reads it.

PostgreSQL refuses a NUL in text, and views that filter by what the address says answered 500: a
query parameter as given (the updates' and documents' `?tag=`, the backbone scores' `?period=`,
pages and API alike) or a path part (the entry grid's `<str:frequency>/<str:period>/`). No saved
value holds one (Django's form fields refuse it), so no address can need it: one check here
instead of one in every view.
"""

from __future__ import annotations

from django.core.exceptions import BadRequest
from django.utils.translation import gettext as _


class RefuseNulMiddleware:
    """400 for a path or query holding a NUL: the API's error shape under /api/, the 400 page
    elsewhere."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or "%00" in request.META.get("QUERY_STRING", ""):
            # Imported here: the API's errors module reads DRF's settings, which name its parser.
            from .api.errors import is_api, plain_error_response

            if is_api(request):
                message = _("The address holds a NUL character, which no parameter takes.")
                return plain_error_response(400, "invalid", message)
            raise BadRequest("NUL in the address")
        return self.get_response(request)
