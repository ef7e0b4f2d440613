"""Safe retries of writes: a request sent with an `Idempotency-Key` header is carried out once.

The key is claimed in the same transaction as the write, so the write and the stored answer commit
together or not at all. A retry with the same key and the same request gets the first answer back
(with `Idempotent-Replayed: true`) and writes nothing; the same key with a different request is a
409. Keys belong to the caller (a token's service account, or a person), and are kept for
API_IDEMPOTENCY_TTL_HOURS. Only successful answers are kept: a refused request wrote nothing, so
it may be corrected and sent again under the same key.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from initiatives.models import IdempotencyRecord

from .errors import ApiError

HEADER = "Idempotency-Key"
KEY = re.compile(r"[\x21-\x7e]{1,200}")  # visible ASCII, no spaces


class _Taken(Exception):
    pass


class _NotKept(Exception):
    def __init__(self, response: Response):
        self.response = response


def fingerprint(request) -> str:
    body = json.dumps(request.data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(f"{request.method} {request.path}\n{body}".encode()).hexdigest()


def _replay(record: IdempotencyRecord, request_hash: str) -> Response:
    if record.request_hash != request_hash:
        raise ApiError(
            status_code=409,
            code="idempotency_key_reused",
            message=_("This Idempotency-Key was used for a different request; use a new key."),
        )
    return Response(record.response, status=record.status_code, headers={"Idempotent-Replayed": "true"})


def run_once(request, work: Callable[[], Response]) -> Response:
    """Run `work` (which writes and returns a Response) at most once per Idempotency-Key."""
    key = request.headers.get(HEADER)
    if key is None:
        return work()
    if not KEY.fullmatch(key):
        raise ApiError(
            status_code=400,
            code="invalid",
            message=_("An Idempotency-Key is 1 to 200 visible ASCII characters."),
            errors={HEADER: [_("An Idempotency-Key is 1 to 200 visible ASCII characters.")]},
        )
    user, request_hash = request.user, fingerprint(request)
    ttl = timedelta(hours=getattr(settings, "API_IDEMPOTENCY_TTL_HOURS", 24))
    IdempotencyRecord.objects.filter(user=user, created_at__lt=timezone.now() - ttl).delete()
    if (record := IdempotencyRecord.objects.filter(user=user, key=key).first()) is not None:
        return _replay(record, request_hash)
    try:
        with transaction.atomic():
            try:
                with transaction.atomic():
                    # Claims the key: a concurrent request with the same key waits here (PostgreSQL)
                    # until this one commits, then replays its answer.
                    record = IdempotencyRecord.objects.create(
                        user=user, key=key, request_hash=request_hash, status_code=0, response={}
                    )
            except IntegrityError as exc:
                raise _Taken from exc
            response = work()
            if not 200 <= response.status_code < 300:
                raise _NotKept(response)
            record.status_code = response.status_code
            record.response = json.loads(JSONRenderer().render(response.data))
            record.save(update_fields=["status_code", "response"])
            return response
    except _Taken:
        return _replay(IdempotencyRecord.objects.get(user=user, key=key), request_hash)
    except _NotKept as refused:
        return refused.response
