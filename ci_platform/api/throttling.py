"""Request rates: per API token, per signed-in person, and per address for anonymous callers.

Rates come from REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] (set from API_RATE_* environment
variables, see docs/configuration.md) and are read on every request, so a test can change them.
Counters live in Django's cache (Redis in production, shared by every web process)."""

import logging

from redis.exceptions import RedisError
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

logger = logging.getLogger(__name__)


class _LiveRateThrottle(SimpleRateThrottle):
    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope or "")

    def allow_request(self, request, view):
        # The rate is looked up per request rather than once per process.
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        try:
            return super().allow_request(request, view)
        except RedisError as exc:
            # The counters' Redis is down: serve the request unthrottled rather than fail it
            # (docs/reliability.md); the outage is logged.
            logger.error("API throttling skipped, its cache is unavailable: %s", exc)
            return True


class TokenRateThrottle(_LiveRateThrottle):
    """Each API token has its own budget (API_RATE_TOKEN)."""

    scope = "token"

    def get_cache_key(self, request, view):
        from .authentication import api_token_of

        token = api_token_of(request)
        return None if token is None else self.cache_format % {"scope": self.scope, "ident": token.pk}


class UserRateThrottle(_LiveRateThrottle):
    """Each signed-in person (session) has a budget of their own (API_RATE_USER)."""

    scope = "user"

    def get_cache_key(self, request, view):
        from .authentication import api_token_of

        if not request.user.is_authenticated or api_token_of(request) is not None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}


class AnonRateThrottle(_LiveRateThrottle):
    """Anonymous callers (the public report card, failed sign-ins) by address (API_RATE_ANON)."""

    scope = "anon"

    def get_cache_key(self, request, view):
        if request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
