"""One error shape for the whole API: `{"code": …, "message": …, "errors": {field: [messages]}}`.

`code` is stable and meant for programs (`invalid`, `not_authenticated`, `authentication_failed`,
`permission_denied`, `not_found`, `conflict`, `locked`, `idempotency_key_reused`, `too_large`,
`throttled`, …); `message` is for people, in the request's language; `errors` holds field errors
under dotted paths (`values.3.value`), and is empty when there are none. Some errors add keys of
their own (a stale agenda draft adds `current`, a refused bulk submission its `summary` and `rows`).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions, serializers, status
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

GENERAL_KEYS = ("detail", api_settings.NON_FIELD_ERRORS_KEY)


class ApiError(exceptions.APIException):
    """An error with a code of its own, field errors and extra keys for the body."""

    def __init__(self, *, status_code: int, code: str, message: str, errors=None, extra=None):
        super().__init__(detail=message, code=code)
        self.status_code = status_code
        self.code = code
        self.message = message
        self.errors = errors or {}
        self.extra = extra or {}


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = gettext_lazy("The request conflicts with the current state of the data.")
    default_code = "conflict"


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = gettext_lazy("The request body is too large.")
    default_code = "too_large"


class ErrorSerializer(serializers.Serializer):
    """The body of every error answer (documentation only)."""

    code = serializers.CharField(help_text="Stable, for programs: invalid, not_found, conflict, throttled, …")
    message = serializers.CharField(help_text="For people, in the request's language.")
    errors = serializers.DictField(  # type: ignore[assignment]  # a field (DRF's metaclass takes it), not the property
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Field errors by dotted path (`values.3.value`); empty when there are none.",
    )


def flatten(detail, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested error detail -> {"a.0.b": ["message", …]}."""
    out: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            # A nested serializer's own errors (a list that may not be empty) belong to its field.
            path = prefix if key == api_settings.NON_FIELD_ERRORS_KEY and prefix else f"{prefix}{key}."
            out.update(flatten(value, path))
    elif isinstance(detail, list) and detail and all(isinstance(d, (dict, list)) for d in detail):
        for index, value in enumerate(detail):
            out.update(flatten(value, f"{prefix}{index}."))
    elif isinstance(detail, list):
        out[prefix.rstrip(".") or api_settings.NON_FIELD_ERRORS_KEY] = [str(d) for d in detail]
    else:
        out[prefix.rstrip(".") or api_settings.NON_FIELD_ERRORS_KEY] = [str(detail)]
    return {k: v for k, v in out.items() if v}


def _validation_message(errors: dict[str, list[str]]) -> str:
    for key in GENERAL_KEYS:
        if errors.get(key):
            return errors[key][0]
    if len(errors) == 1:
        ((field, messages),) = errors.items()
        return f"{field}: {messages[0]}"
    return _("Some fields are not valid; see errors.")


def _code_of(exc: exceptions.APIException) -> str:
    codes = exc.get_codes()
    return codes if isinstance(codes, str) else exc.default_code


def exception_handler(exc, context):
    """REST_FRAMEWORK["EXCEPTION_HANDLER"]: DRF's handler, then the body in the one shape."""
    if isinstance(exc, RequestDataTooBig):
        exc = PayloadTooLarge(
            _("The request body is larger than %(n)s bytes; send fewer values per request.")
            % {"n": settings.DATA_UPLOAD_MAX_MEMORY_SIZE}
        )
    elif isinstance(exc, DjangoValidationError):
        # A service's refusal that a view did not translate: still bad input, not a server error.
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        )
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()  # never echo what was looked for
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, ApiError):
        body = {"code": exc.code, "message": exc.message, "errors": exc.errors, **exc.extra}
    elif isinstance(exc, exceptions.ValidationError):
        errors = flatten(exc.detail)
        body = {"code": "invalid", "message": _validation_message(errors), "errors": errors}
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else ""
        body = {"code": _code_of(exc), "message": str(detail), "errors": {}}
    response.data = body
    set_rollback()
    return response


def error_response(status_code: int, code: str, message: str, errors=None, **extra) -> Response:
    return Response({"code": code, "message": message, "errors": errors or {}, **extra}, status=status_code)


def is_api(request) -> bool:
    """Whether the address is the API's, whose errors have the one shape even outside DRF."""
    return request.path.startswith("/api/")


def plain_error_response(status_code: int, code: str, message: str) -> JsonResponse:
    """The error shape where DRF does not answer (the 500 handler, a middleware)."""
    return JsonResponse({"code": code, "message": message, "errors": {}}, status=status_code)


class LimitedJSONParser(JSONParser):
    """DRF's JSON parser reads the body as a stream, past Django's DATA_UPLOAD_MAX_MEMORY_SIZE
    check: apply the same limit here (413) before reading anything."""

    def parse(self, stream, media_type=None, parser_context=None):
        request = (parser_context or {}).get("request")
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if request is not None and limit is not None:
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            if length > limit:
                raise RequestDataTooBig
        return super().parse(stream, media_type, parser_context)
