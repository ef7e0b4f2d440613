"""Checks on uploaded documents: the size limit and the type, judged by content, not by name.

The size limit is the setting COMMUNICATION_MAX_UPLOAD_MB (default 10). The allowed types are
below; an extension must agree with what the content is (`filetype` reads the magic numbers),
and text files must be UTF-8 text that is not HTML, SVG or XML (a browser could run those).
"""

from __future__ import annotations

import hashlib
import os

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

DEFAULT_MAX_UPLOAD_MB = 10

# extension -> the MIME type its content must have (None: plain text, checked separately).
ALLOWED_TYPES: dict[str, str | None] = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "webp": "image/webp",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "odp": "application/vnd.oasis.opendocument.presentation",
    "csv": None,
    "txt": None,
    "md": None,
}
TEXT_TYPES = {"csv": "text/csv", "txt": "text/plain", "md": "text/markdown"}

# Markup a browser would interpret: never accepted as "text", whatever the extension says.
_MARKUP = (b"<!doctype", b"<html", b"<script", b"<svg", b"<body", b"<iframe", b"<?xml", b"<head", b"<object")


def max_upload_bytes() -> int:
    return int(getattr(settings, "COMMUNICATION_MAX_UPLOAD_MB", DEFAULT_MAX_UPLOAD_MB) * 1024 * 1024)


def allowed_extensions() -> list[str]:
    return sorted(ALLOWED_TYPES)


def _head(upload, length: int = 8192) -> bytes:
    upload.seek(0)
    head = upload.read(length)
    upload.seek(0)
    return head


def _looks_like_markup(data: bytes) -> bool:
    lowered = data.lower()
    return any(tag in lowered for tag in _MARKUP)


def _is_text(upload) -> bool:
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    if b"\x00" in data:
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return not _looks_like_markup(data)


def inspect_upload(upload) -> dict:
    """Check an uploaded file; return its name, detected type, size and hash, or raise ValidationError."""
    limit = max_upload_bytes()
    if upload.size > limit:
        raise ValidationError(
            _("The file is %(size)s; the limit is %(limit)s.")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
            code="too_large",
        )
    if upload.size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    name = os.path.basename(upload.name or "")
    extension = os.path.splitext(name)[1].lower().lstrip(".")
    if extension not in ALLOWED_TYPES:
        raise ValidationError(
            _("Files of type “.%(ext)s” are not accepted. Accepted: %(allowed)s.")
            % {"ext": extension or "?", "allowed": ", ".join(allowed_extensions())},
            code="type_not_allowed",
        )
    expected = ALLOWED_TYPES[extension]
    head = _head(upload)
    detected = filetype.guess_mime(head)
    if expected is None:
        if detected is not None or not _is_text(upload):
            raise ValidationError(
                _("The file is named .%(ext)s but its content is not plain text.") % {"ext": extension},
                code="disguised",
            )
        content_type = TEXT_TYPES[extension]
    else:
        if detected != expected:
            what = _("HTML or markup") if _looks_like_markup(head) else (detected or _("unrecognised"))
            raise ValidationError(
                _(
                    "The file is named .%(ext)s but its content is something else (%(what)s), so it was refused."
                )
                % {"ext": extension, "what": what},
                code="disguised",
            )
        content_type = expected
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return {
        "name": name[:255],
        "content_type": content_type,
        "size": upload.size,
        "sha256": digest.hexdigest(),
    }
