"""The demo's calculated rate (#23) in headless Chromium: its measure page (the formula in words and
symbols, its history), its dashboard page and its edit form read right in Hebrew (no Latin outside
isolated user content, time left to right) and have no serious accessibility violation in either
language. The demo and its live server are tests/test_accessibility.py's."""

import pytest

from .test_accessibility import BLOCKING, axe_page, demo, describe, run_axe, test_database  # noqa: F401
from .test_browser_hebrew import ids, latin_outside_user_content, open_page, reversed_axes  # noqa: F401

pytestmark = pytest.mark.browser

PAGES = [
    ("calculated-measure", "/initiatives/{slug}/measurement/measures/joint-per-1000-hours/"),
    ("calculated-dashboard", "/initiatives/{slug}/measurement/dashboard/joint-per-1000-hours/"),
    ("calculated-edit", "/initiatives/{slug}/measurement/measures/joint-per-1000-hours/edit/"),
]


@pytest.mark.parametrize(("name", "path"), PAGES, ids=[p[0] for p in PAGES])
def test_the_calculated_rate_reads_right_in_hebrew(open_page, ids, name, path):  # noqa: F811
    page, status = open_page(path.format(**ids), "backbone")
    assert status == 200, name
    latin = latin_outside_user_content(page)
    assert not latin, f"{name} ({page.url}): Latin outside user content:\n  " + "\n  ".join(latin)
    assert not reversed_axes(page), name
    if name == "calculated-measure":
        words = page.locator("#formula-words").inner_text()
        assert "פעילויות משותפות" in words and "שעות חונכות" in words and "÷" in words and "×" in words
        assert page.locator("#formula-codes").inner_text() == "1000 * joint-activities / tutoring-hours"


@pytest.mark.parametrize("language", ["en", "he"])
@pytest.mark.parametrize(("name", "path"), PAGES, ids=[p[0] for p in PAGES])
def test_the_calculated_rate_has_no_serious_accessibility_violation(axe_page, demo, name, path, language):  # noqa: F811
    page = axe_page(path.format(**demo.ids), "backbone", language)
    blocking = [v for v in run_axe(page) if v["impact"] in BLOCKING]
    assert not blocking, f"{name} ({language}) {page.url}:\n{describe(blocking)}"
