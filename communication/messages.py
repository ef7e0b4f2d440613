"""Sentences stored to be read later (notifications, their emails and digests), rendered in the
reader's language when read or sent, not frozen in the writer's.

A message is stored as its English source text (the catalogue's msgid, marked with gettext_noop
where it is written, so makemessages finds it) and its parameters; a parameter that reads
differently by language is stored as data: {"period": "2026-Q4"} is rendered "רבעון 4, 2026" or
"Q4 2026", {"date": "2026-12-04"} and {"datetime": "2026-12-27T10:00"} in the reader's date format.
User-written parameters (a meeting's title) stay as written."""

from __future__ import annotations

from datetime import date, datetime

from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext

from ci_platform.i18n_format import period_label


def message(text: str, **params) -> dict:
    """A message to store: `text` is a msgid (gettext_noop("…%(name)s…")), `params` its values."""
    return {"text": str(text), "params": {k: v if isinstance(v, dict) else str(v) for k, v in params.items()}}


def period(code: str) -> dict:
    return {"period": str(code)}


def day(value: date) -> dict:
    return {"date": value.isoformat()}


def moment(value: datetime) -> dict:
    """A wall-clock time (the initiative's, as the writer saw it), rendered in the reader's format."""
    return {"datetime": value.replace(tzinfo=None, second=0, microsecond=0).isoformat()}


def label(choice, name: str = "") -> dict:
    """A choice's label (its English text is the catalogue's msgid), with an optional name after
    it ("Working group: Transition to work")."""
    with translation.override("en"):
        return {"label": str(choice.label), "name": name}


def translatable(text) -> dict:
    """A text of the platform's catalogue (a lazy translation), stored by its msgid."""
    with translation.override("en"):
        return {"label": str(text), "name": ""}


def render(stored: dict | None, fallback: str = "") -> str:
    """The stored message in the active language; `fallback` for a row stored before messages
    were (its text is the writer's)."""
    if not stored:
        return fallback
    params = {name: _param(value) for name, value in (stored.get("params") or {}).items()}
    try:
        return gettext(stored["text"]) % params
    except (KeyError, TypeError, ValueError):  # a translation that lost a placeholder
        return stored["text"] % params


def _param(value) -> str:
    if isinstance(value, dict):
        if "period" in value:
            return period_label(value["period"])
        if "date" in value:
            return date_format(date.fromisoformat(value["date"]), "DATE_FORMAT")
        if "datetime" in value:
            return date_format(datetime.fromisoformat(value["datetime"]), "DATETIME_FORMAT")
        if "label" in value:
            text = gettext(value["label"])
            return f"{text}: {value['name']}" if value.get("name") else text
    return str(value)
