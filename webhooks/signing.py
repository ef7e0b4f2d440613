"""Standard Webhooks signatures (https://www.standardwebhooks.com/), through the specification's
own Python package: `webhook-signature` is "v1,<base64 HMAC-SHA256 of id.timestamp.body>", the
secret "whsec_<base64 of 32 random bytes>". During a rotation's overlap the request carries a
signature by the new secret and one by the previous one, space-separated, as the specification
allows: a receiver still holding the old secret goes on verifying until it is given the new one."""

from __future__ import annotations

import base64
import secrets
from datetime import datetime

from standardwebhooks import Webhook

SECRET_PREFIX = "whsec_"  # noqa: S105 - the specification's prefix, not a secret


def secret_new() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def signature(secret: str, msg_id: str, at: datetime, body: bytes) -> str:
    return Webhook(secret).sign(msg_id=msg_id, timestamp=at, data=body)


def headers(*, secrets_in_force: list[str], msg_id: str, at: datetime, body: bytes) -> dict[str, str]:
    """The three headers of one attempt, signed with every secret in force."""
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": " ".join(signature(s, msg_id, at, body) for s in secrets_in_force),
    }
