"""OpenAPI: every operation documents its error answers in the one error shape, and API tokens are
a security scheme. Set as REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"], so every component's endpoints
get the same error documentation without saying anything."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework.permissions import AllowAny

from .errors import ErrorSerializer

WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")

ERRORS = {
    "400": "Bad input: a parameter, filter or field is not valid (`errors` says which).",
    "401": "No valid credentials: missing, unknown, expired or revoked token (code "
    "`not_authenticated` or `authentication_failed`).",
    "403": "Not allowed: the caller's role or the token's scope does not allow this.",
    "404": "Not found, or outside the caller's initiative (a token sees its own initiative only).",
    "409": "Conflict: approved or locked data, a stale revision, or an Idempotency-Key reused "
    "for a different request.",
    "413": "The request body is larger than the server accepts (DATA_UPLOAD_MAX_MEMORY_SIZE).",
    "415": "The request body is not JSON (or another accepted media type).",
    "429": "Too many requests: wait for `Retry-After` seconds (rates per token and per person).",
}

RETRY_AFTER = {
    "Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait before trying again."}
}
WWW_AUTHENTICATE = {
    "WWW-Authenticate": {
        "schema": {"type": "string"},
        "description": 'The scheme to use: `Bearer realm="api"`.',
    }
}


class ApiAutoSchema(AutoSchema):
    def _error_codes(self) -> list[str]:
        public = AllowAny in [p.__class__ for p in self.view.get_permissions()]
        codes = ["400", "404", "429"] if public else ["400", "401", "403", "404", "429"]
        if self.method in WRITE_METHODS:
            codes += ["409", "413", "415"]
        return codes

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for code in self._error_codes():
            if code in responses:
                continue
            response = self._get_response_for_code(
                OpenApiResponse(ErrorSerializer, description=ERRORS[code]), code, ["application/json"]
            )
            if code == "429":
                response["headers"] = {**response.get("headers", {}), **RETRY_AFTER}
            if code == "401":
                response["headers"] = {**response.get("headers", {}), **WWW_AUTHENTICATE}
            responses[code] = response
        return responses


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "ci_platform.api.authentication.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An API token of one initiative, issued by its backbone staff "
            "(Members → API tokens). Also accepted as `Authorization: Token <token>`.",
        }
