"""A NUL character in an address's query is bad input: refused with 400 before any view reads it.

PostgreSQL refuses a NUL in text, and a view that filters by a parameter as it was given (the
updates' and documents' `?tag=`, the backbone scores' `?period=`, pages and API alike) answered 500.
No saved value holds one (Django's form fields refuse it), so no parameter can need it: one check
here instead of one in every view that reads the query.
"""

from __future__ import annotations

from django.core.exceptions import BadRequest
from django.http import JsonResponse
from django.utils.translation import gettext as _


class RefuseNulMiddleware:
    """400 for a query holding %00: the API's error shape under /api/, the 400 page elsewhere."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "%00" in request.META.get("QUERY_STRING", ""):
            if request.path.startswith("/api/"):
                message = _("The address holds a NUL character, which no parameter takes.")
                return JsonResponse({"code": "invalid", "message": message, "errors": {}}, status=400)
            raise BadRequest("NUL in the query string")
        return self.get_response(request)
