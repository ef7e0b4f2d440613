"""Reads that tolerate a little lag go to a PostgreSQL read replica, when one is configured.

With DATABASE_REPLICA_URL set (docs/deployment.md), the `replica` database alias points at a
streaming replica of the primary. Which reads may use it is decided here and nowhere else:

* the REST API's GET and HEAD requests (integrators page and sync through them: a value saved a
  moment ago appears on their next page, as it would after any later sync), unless the API view
  says `replica_reads = False`;
* pages whose view says `replica_reads = True`: dashboards, the public report card, embeds —
  pages that read precomputed aggregates and are never the answer to the reader's own save.

Never the write paths: a POST, PUT, PATCH or DELETE reads and writes the primary, and so does any
read made inside a transaction (a row lock, a check before a write), whatever the request. A page
that shows what its reader has just saved (the grid, a submission, a form) reads the primary.
Without a replica configured nothing changes: every query goes to `default`.
"""

from __future__ import annotations

from contextvars import ContextVar

from django.conf import settings
from django.db import connections

REPLICA = "replica"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

# Who the reader is comes from the primary, always: a session or an API token created a moment ago
# (a sign-in, a new token) must work on the very next request, whatever the replica's lag.
PRIMARY_ONLY = frozenset(
    {"sessions.session", "auth.user", "auth.group", "auth.permission", "initiatives.apitoken"}
)
PRIMARY_ONLY_APPS = frozenset({"axes"})

_reading: ContextVar[bool] = ContextVar("replica_reads", default=False)


def configured() -> bool:
    return REPLICA in settings.DATABASES


def may_read_from_replica(view_func, method: str) -> bool:
    """Whether this request's reads may be served by the replica (see the module's docstring)."""
    if method not in SAFE_METHODS:
        return False
    view_class = getattr(view_func, "cls", None) or getattr(view_func, "view_class", None)
    declared = getattr(view_class, "replica_reads", None)
    if declared is not None:
        return bool(declared)
    from rest_framework.views import APIView

    return isinstance(view_class, type) and issubclass(view_class, APIView)


class ReplicaReadsMiddleware:
    """Marks the requests whose reads may go to the replica; ReplicaRouter does the routing."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _reading.set(False)
        try:
            return self.get_response(request)
        finally:
            _reading.reset(token)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if configured() and may_read_from_replica(view_func, request.method):
            _reading.set(True)
        return None


class ReplicaRouter:
    """Sends a marked request's reads to the replica; everything else, and every write, to default."""

    def db_for_read(self, model, **hints):
        if (
            _reading.get()
            and configured()
            and model._meta.label_lower not in PRIMARY_ONLY
            and model._meta.app_label not in PRIMARY_ONLY_APPS
            and not connections["default"].in_atomic_block
        ):
            return REPLICA
        return "default"

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        # The replica holds the same rows as the primary: objects read from either may be related.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # The replica is a copy of the primary and follows it; nothing is ever migrated on it.
        return db == "default"
