"""A cache for rendered fragments (the dashboards' cards, `{% cache %}`), which Django's cache tag
reads from the `template_fragments` alias: with Redis down, a fragment is a cache miss and is
rendered again, never an error page (docs/reliability.md: pages work while Redis is down)."""

from __future__ import annotations

import logging

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)


class FragmentCache(RedisCache):
    def get(self, key, default=None, version=None):
        try:
            return super().get(key, default, version)
        except RedisError as exc:
            logger.warning("fragment cache unavailable, rendering instead: %s", exc)
            return default

    def set(self, key, value, timeout=None, version=None):
        try:
            super().set(key, value, timeout, version)
        except RedisError as exc:
            logger.warning("fragment cache unavailable, not kept: %s", exc)
