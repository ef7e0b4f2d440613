"""English and Hebrew everywhere: the catalogue is complete, in step with the code, and used."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings

from .conftest import IN_CI

PO = Path(settings.BASE_DIR) / "locale" / "he" / "LC_MESSAGES" / "django.po"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\{.*?\}\}|<[^>]+>")


def test_hebrew_catalogue_is_complete():
    po = polib.pofile(str(PO))
    assert po.untranslated_entries() == []
    assert po.fuzzy_entries() == []
    for entry in po:
        if entry.msgid_plural:
            # A plural form may leave out the number ("one milestone"), never add a placeholder.
            allowed = set(PLACEHOLDER.findall(entry.msgid_plural))
            for form in entry.msgstr_plural.values():
                assert set(PLACEHOLDER.findall(form)) <= allowed, entry.msgid
        else:
            assert sorted(PLACEHOLDER.findall(entry.msgid)) == sorted(PLACEHOLDER.findall(entry.msgstr)), (
                entry.msgid
            )


def test_catalogue_is_in_step_with_the_code(tmp_path):
    """Every string marked for translation in the code is in the catalogue (needs GNU gettext)."""
    if shutil.which("xgettext") is None:
        if IN_CI:
            pytest.fail("GNU gettext is missing under CI")
        pytest.skip("needs GNU gettext (apt-get install gettext)")
    backup = tmp_path / "django.po"
    shutil.copy(PO, backup)
    try:
        subprocess.run(
            [
                sys.executable,
                "manage.py",
                "makemessages",
                "-l",
                "he",
                "--no-obsolete",
                "--ignore=.venv",
                "--ignore=tests",
                "--ignore=staticfiles",
            ],
            cwd=settings.BASE_DIR,
            check=True,
            capture_output=True,
            timeout=300,
        )
        fresh = {e.msgid for e in polib.pofile(str(PO))}
    finally:
        shutil.copy(backup, PO)
    committed = {e.msgid for e in polib.pofile(str(backup))}
    assert sorted(fresh - committed) == [], "run `make messages` and translate the new strings"


@pytest.mark.django_db
def test_hebrew_page_is_translated(client, world):
    client.force_login(world.people["viewer"])
    client.cookies["django_language"] = "he"
    body = client.get(world.initiative.get_absolute_url()).content.decode()
    assert "אבני דרך" in body or "אבן דרך" in body
    assert "Milestones" not in body
