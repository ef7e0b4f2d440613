"""Conditional GET: an ETag and a Last-Modified on answers that change rarely (aggregates, the
report card), and 304 Not Modified when the client already has them."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime

from django.utils.http import http_date, parse_etags, parse_http_date_safe, quote_etag
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework.response import Response


def make_etag(*parts) -> str:
    return quote_etag(hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()[:32])


def _not_modified(request, etag: str, last_modified: datetime | None) -> bool:
    if_none_match = request.headers.get("If-None-Match")
    if if_none_match is not None:
        # Weak comparison, as RFC 9110 asks for If-None-Match.
        wanted = {tag.removeprefix("W/") for tag in parse_etags(if_none_match)}
        return "*" in wanted or etag.removeprefix("W/") in wanted
    since = parse_http_date_safe(request.headers.get("If-Modified-Since") or "")
    return since is not None and last_modified is not None and int(last_modified.timestamp()) <= since


def conditional(
    request,
    *,
    etag: str,
    last_modified: datetime | None,
    build: Callable[[], Response],
    cache_control: str,
    validate: Callable[[], object] | None = None,
) -> Response:
    """304 when the client's copy is current, else `build()`; both carry the validators.

    `validate` checks the request's parameters first (raising a 400), so that a request the
    schema refuses is refused even when the client's copy is current."""
    if validate is not None:
        validate()
    response = Response(status=304) if _not_modified(request, etag, last_modified) else build()
    response["ETag"] = etag
    if last_modified is not None:
        response["Last-Modified"] = http_date(last_modified.timestamp())
    response["Cache-Control"] = cache_control
    return response


# Documentation of a conditional GET, for extend_schema(parameters=…, responses={304: NOT_MODIFIED}).
CONDITIONAL_PARAMETERS = [
    OpenApiParameter(
        "If-None-Match",
        OpenApiTypes.STR,
        OpenApiParameter.HEADER,
        description="The ETag of the copy you have: 304 Not Modified if it is still current.",
    ),
    OpenApiParameter(
        "If-Modified-Since",
        OpenApiTypes.STR,
        OpenApiParameter.HEADER,
        description="An HTTP date: 304 Not Modified if nothing changed since then (If-None-Match wins).",
    ),
    OpenApiParameter(
        "ETag", OpenApiTypes.STR, OpenApiParameter.HEADER, response=[200, 304], description="Version tag."
    ),
    OpenApiParameter(
        "Last-Modified",
        OpenApiTypes.STR,
        OpenApiParameter.HEADER,
        response=[200, 304],
        description="When the numbers were last computed.",
    ),
]
NOT_MODIFIED = OpenApiResponse(description="Not Modified: your copy is current (no body).")
