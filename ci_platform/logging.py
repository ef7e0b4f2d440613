"""Logging filters of the platform (wired in settings.LOGGING)."""

from __future__ import annotations

import logging


class ClientErrorsInOneLine(logging.Filter):
    """A 403 or 404 is an answer the platform meant to give, not a failure: Django's request log
    keeps its one line ("Forbidden (Permission denied): /path") without the traceback of the
    exception that produced it. Server errors (5xx) keep theirs."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if status is not None and status < 500:
            record.exc_info, record.exc_text = None, None
        return True
