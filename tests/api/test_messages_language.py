"""The API answers in the reader's language (Accept-Language), Django REST framework's own messages
included: DRF ships no Hebrew (its he_IL catalogue is empty), so its messages are marked in
ci_platform/api/drf_messages.py and translated in the platform's catalogue."""

from __future__ import annotations

import json
from pathlib import Path

import polib
import pytest
import rest_framework
from django.test import Client

from ci_platform.api import drf_messages

from ..permission_matrix import module_world
from .conftest import BASE, as_token, build_api_mworld

mworld_once, mworld = module_world("mworld", build_api_mworld)


def test_the_marked_messages_are_drfs_own():
    """A DRF release that rewords a message would leave its old wording translated and the new one
    in English: each marked message must still be one of DRF's."""
    catalogue = Path(rest_framework.__file__).parent / "locale" / "en" / "LC_MESSAGES" / "django.mo"
    assert set(drf_messages.MESSAGES) <= {entry.msgid for entry in polib.mofile(str(catalogue))}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "anonymous", "method", "a_list"),
    [
        (
            "en",
            "Authentication credentials were not provided.",
            'Method "PATCH" not allowed.',
            'Expected a list of items but got type "str".',
        ),
        (
            "he",
            "לא סופקו פרטי הזדהות.",
            'השיטה "PATCH" אינה מותרת.',
            'נדרשה רשימת פריטים, והתקבל ערך מסוג "str".',
        ),
    ],
)
def test_drfs_own_messages_in_the_readers_language(mworld, tokens, language, anonymous, method, a_list):
    headers = {"Accept-Language": language}
    assert Client().get(BASE + "measures/", headers=headers).json()["message"] == anonymous
    public = "/api/v1/public/c2c/report-card/"
    assert Client().patch(public, headers=headers).json()["message"] == method
    bulk = as_token(tokens, "submit").post(
        BASE + "submissions/bulk/",
        json.dumps({"values": "none"}),
        content_type="application/json",
        headers=headers,
    )
    assert bulk.status_code == 400 and bulk.json()["errors"]["values"] == [a_list], bulk.json()
