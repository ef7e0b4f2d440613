"""The data-entry grid with the network off, in headless Chromium (docs/measurement.md, "Offline
data entry"): the partner opens the grid, goes offline, types (a wrong value is refused with the
server's message), saves on the device, reloads (the page comes from the service worker's cache
and the draft is restored), reconnects, and the draft arrives whole through the grid's save. A
draft that meets a submission changed on the server overwrites nothing: the partner compares and
chooses. A value the server refuses after reconnection stays on the device with the server's
message, and signing out clears the device. English and Hebrew.

Same browser set-up as tests/test_browser.py (Debian's Chromium, no `playwright install`); the
live server is on http://localhost, where service workers run.
"""

import os
import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from playwright.sync_api import expect

from measurement import services
from measurement.models import DataValue, SharedMeasure, Submission

from .conftest import sign_in, wait_for
from .measurement.conftest import build_measurement_world, field_name

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = pytest.mark.browser

BROWSER_TIMEOUT_MS = 20_000

# The draft kept for the page's key, read in the page (null when there is none).
READ_DRAFT = """() => new Promise((resolve, reject) => {
  const key = document.getElementById("entry-grid").dataset.draftKey;
  const open = indexedDB.open("ci-offline", 1);
  open.onupgradeneeded = () => open.result.createObjectStore("drafts");
  open.onerror = () => reject(open.error);
  open.onsuccess = () => {
    const db = open.result;
    const get = db.transaction("drafts").objectStore("drafts").get(key);
    get.onsuccess = () => { db.close(); resolve(get.result || null); };
  };
})"""


@pytest.fixture
def mworld(world, make_user):
    return build_measurement_world(world, make_user)


def translated(language: str, text: str, **params) -> str:
    with translation.override(language):
        message = _(text)
    return message % params if params else message


def grid_url(mworld) -> str:
    year = mworld.periods["year"]
    return f"/initiatives/c2c/measurement/entry/{mworld.org.pk}/yearly/{year.code}/"


def open_grid(new_page, live_server, mworld, language: str = "en"):
    page = new_page()
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
    )
    sign_in(page, "partner")
    page.goto(grid_url(mworld))
    expect(page.locator("html")).to_have_attribute("lang", language)
    # The service worker is active and has kept the open periods' grids.
    expect(page.locator("#entry-grid")).to_have_attribute("data-offline-ready", "true")
    return page


def cell(page, mworld, code, *members):
    return page.locator(f'#entry-grid input[name="{field_name(mworld.cell(code, *members))}"]')


def stored(mworld) -> dict:
    return {
        (v.measure.code, v.member1.code if v.member1 else None): (v.value.normalize(), v.comment)
        for v in DataValue.objects.filter(
            organization=mworld.org, period=mworld.periods["year"]
        ).select_related("measure", "member1")
    }


@pytest.mark.parametrize("language", ["en", "he"])
def test_typed_offline_reloaded_and_sent_on_reconnection(new_page, live_server, mworld, language):
    page = open_grid(new_page, live_server, mworld, language)
    page.context.set_offline(True)
    expect(page.locator("#offline-status")).to_have_text(
        translated(
            language,
            "You are offline. Save the draft: it is kept on this device and sent when the connection returns.",
        )
    )

    # Offline, a wrong value is refused with the server's own message, in the page's language.
    for c, value in mworld.valid_year().items():
        page.locator(f'#entry-grid input[name="{field_name(c)}"]').fill(value)
    cell(page, mworld, "ready-pct").fill("120")
    page.locator('#entry-grid button[name="save"]').click()
    ready = cell(page, mworld, "ready-pct")
    expect(ready).to_have_class(re.compile(r"\bis-invalid\b"))
    percent = translated(language, "Enter a percentage between 0 and 100.")
    expect(page.locator(f"#{field_name(mworld.cell('ready-pct'))}-err")).to_have_text(percent)
    expect(page.locator("#offline-status")).to_have_text(
        translated(language, "Nothing was saved: correct the marked cells.")
    )
    assert page.evaluate(READ_DRAFT) is None

    # Corrected, with a comment (Hebrew text kept as typed): kept on this device, not sent.
    ready.fill("55.5")
    page.locator(f'#entry-grid input[name="c{field_name(mworld.cell("spend"))}"]').fill("מהדוחות המבוקרים")
    page.locator('#entry-grid button[name="save"]').click()
    saved_here = translated(language, "Saved on this device, not yet sent.")
    expect(page.locator("#offline-status")).to_have_text(saved_here)
    expect(ready).not_to_have_class(re.compile(r"\bis-invalid\b"))
    draft = page.evaluate(READ_DRAFT)
    assert draft["fields"][field_name(mworld.cell("ready-pct"))] == "55.5"
    assert draft["base"] == ""  # typed on a grid never saved
    assert not Submission.objects.filter(organization=mworld.org, period=mworld.periods["year"]).exists()

    # Reloaded with no network: the page from the service worker's cache (a change on the server
    # since is not in it), the draft restored.
    SharedMeasure.objects.filter(pk=mworld.measures["attended"].pk).update(name_en="Renamed", name_he="שונה")
    response = page.reload()
    assert response.from_service_worker
    expect(page.locator("#entry-grid")).not_to_contain_text("Renamed")
    expect(page.locator("#entry-grid")).not_to_contain_text("שונה")
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator("#offline-status")).to_have_text(saved_here)
    expect(cell(page, mworld, "ready-pct")).to_have_value("55.5")
    expect(cell(page, mworld, "attended")).to_have_value("200")
    assert not DataValue.objects.filter(organization=mworld.org, period=mworld.periods["year"]).exists()

    # The network returns: the draft goes through the grid's save and arrives whole.
    page.context.set_offline(False)
    expect(page.locator(".alert-success")).to_have_text(
        translated(
            language,
            "Draft saved: %(created)s new, %(updated)s changed, %(deleted)s cleared.",
            created=6,
            updated=0,
            deleted=0,
        )
    )
    assert stored(mworld) == {
        ("enrolled", "dalet"): (Decimal("110"), ""),
        ("enrolled", "hey"): (Decimal("100"), ""),
        ("enrolled", "vav"): (Decimal("105"), ""),
        ("ready-pct", None): (Decimal("55.5"), ""),
        ("spend", None): (Decimal("1234.5"), "מהדוחות המבוקרים"),
        ("attended", None): (Decimal("200"), ""),
    }
    assert page.evaluate(READ_DRAFT) is None
    expect(page.locator("#offline-status")).to_be_hidden()
    expect(page.locator("#entry-grid")).to_contain_text("Renamed" if language == "en" else "שונה")
    assert page.console_errors == []


@pytest.mark.parametrize("language", ["en", "he"])
def test_a_submission_changed_on_the_server_meanwhile_is_not_overwritten(
    new_page, live_server, mworld, language
):
    services.values_save(
        submission=mworld.submission(by=mworld.partner), by=mworld.partner, raw=mworld.valid_year()
    )
    page = open_grid(new_page, live_server, mworld, language)
    page.context.set_offline(True)
    cell(page, mworld, "attended").fill("190")
    page.locator('#entry-grid button[name="save"]').click()
    expect(page.locator("#offline-status")).to_have_text(
        translated(language, "Saved on this device, not yet sent.")
    )

    # Meanwhile a colleague saves another figure.
    services.values_save(
        submission=mworld.submission(by=mworld.partner),
        by=mworld.partner,
        raw=mworld.valid_year({mworld.cell("attended"): "150"}),
    )
    page.context.set_offline(False)
    conflict = page.locator("#conflict")
    expect(conflict).to_be_visible()
    expect(page.locator("#offline-status")).to_have_text(
        translated(
            language,
            "This period changed on the server after you saved on this device. Nothing was overwritten: "
            "compare and choose.",
        )
    )
    row = conflict.locator(f'tr[data-field="{field_name(mworld.cell("attended"))}"]')
    expect(row.locator(".conflict-mine")).to_have_text("190")
    expect(row.locator(".conflict-theirs")).to_have_text("150")
    expect(conflict.locator("tbody tr")).to_have_count(1)
    assert stored(mworld)[("attended", None)] == (Decimal("150"), "")
    assert page.evaluate(READ_DRAFT) is not None  # still on the device

    # The partner chooses their own values: saved on top of the current version, checked again.
    conflict.get_by_role("button", name=translated(language, "Save mine instead")).click()
    expect(page.locator(".alert-success")).to_have_text(
        translated(
            language,
            "Draft saved: %(created)s new, %(updated)s changed, %(deleted)s cleared.",
            created=0,
            updated=1,
            deleted=0,
        )
    )
    assert stored(mworld)[("attended", None)] == (Decimal("190"), "")
    assert page.evaluate(READ_DRAFT) is None


@pytest.mark.parametrize("language", ["en", "he"])
def test_a_value_refused_after_reconnection_stays_a_draft_and_sign_out_clears_it(
    new_page, live_server, mworld, language
):
    page = open_grid(new_page, live_server, mworld, language)
    page.context.set_offline(True)
    for c, value in mworld.valid_year().items():
        page.locator(f'#entry-grid input[name="{field_name(c)}"]').fill(value)
    cell(page, mworld, "spend").fill("5000")  # within the range the page was given
    page.locator('#entry-grid button[name="save"]').click()
    expect(page.locator("#offline-status")).to_have_text(
        translated(language, "Saved on this device, not yet sent.")
    )

    # Meanwhile the backbone narrows the measure's range: the server refuses the value.
    SharedMeasure.objects.filter(pk=mworld.measures["spend"].pk).update(max_value=Decimal(1000))
    page.context.set_offline(False)
    spend = cell(page, mworld, "spend")
    expect(spend).to_have_class(re.compile(r"\bis-invalid\b"))
    expect(page.locator(f"#{field_name(mworld.cell('spend'))}-err")).to_have_text(
        translated(language, "The highest valid value is %(max)s.", max="1000")
    )
    expect(page.locator("#offline-status")).to_have_text(
        translated(
            language,
            "The server refused the draft saved on this device: correct the marked cells. It is kept on "
            "this device until it is sent.",
        )
    )
    assert not DataValue.objects.filter(organization=mworld.org, period=mworld.periods["year"]).exists()
    assert page.evaluate(READ_DRAFT)["fields"][field_name(mworld.cell("spend"))] == "5000"

    # Signing out clears the drafts, the cached pages and the service worker of this browser.
    assert page.evaluate("() => caches.keys()")
    page.locator('nav form[action="/accounts/logout/"] button').click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    assert wait_for(lambda: page.evaluate("() => caches.keys()") == [], timeout=10)
    assert page.evaluate("() => navigator.serviceWorker.getRegistrations().then(r => r.length)") == 0
    names = page.evaluate("() => indexedDB.databases().then(d => d.map(x => x.name))")
    assert "ci-offline" not in names

    # Another person signs in on the same browser: no draft of the first one's.
    page.fill("#id_username", "partner_b")
    page.fill("#id_password", "a-Long-test-pass-7391")
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/$"))
    names = page.evaluate("() => indexedDB.databases().then(d => d.map(x => x.name))")
    assert "ci-offline" not in names


# Typed values, one round per row of the grid (three enrolled cells, ready-pct, spend, attended),
# chosen where a second implementation would go wrong: thousands separators, a decimal comma, a
# formula, signs, the Unicode minus, exponents, too many digits or decimals, bounds, the change
# that needs a comment (enrolled was 300) and the rule attended <= enrolled.
ROUNDS = [
    ("1,234", "1,5", "=SUM(A1)", "100.0000001", "1000000.5", "-0"),
    ("12345678901234", "123456789012345", "+7", "\u22125", " 12.50 ", "1.0"),
    ("5.", ".5", "abc", "1e5", "0", "@x"),
    ("100", "100", "100", "50", "", "301"),
    ("200", "200", "200", "0", "999999.999999", "10"),
    ("1,000,000", "0001", "-3", "100", "1.1234567", "2.5"),
    ("12,34", "1.5000000", "", "-0.0", "-1", "NaN"),
]


def test_offline_checks_give_the_servers_messages(new_page, live_server, mworld):
    """The page's checks and the pipeline's, on the same input, give the same messages per cell."""
    from measurement.entry import pipeline

    page = open_grid(new_page, live_server, mworld)
    page.context.set_offline(True)
    cells = [
        mworld.cell("enrolled", "area:dalet"),
        mworld.cell("enrolled", "area:hey"),
        mworld.cell("enrolled", "area:vav"),
        mworld.cell("ready-pct"),
        mworld.cell("spend"),
        mworld.cell("attended"),
    ]
    for typed in ROUNDS:
        raw = dict(zip(cells, typed, strict=True))
        for c, value in raw.items():
            page.locator(f'#entry-grid input[name="{field_name(c)}"]').fill(value)
        page.locator('#entry-grid button[name="save"]').click()
        expect(page.locator("#offline-status")).to_be_visible()
        shown = page.evaluate(
            """names => Object.fromEntries(names.map(n => {
                const e = document.getElementById(n + "-err");
                return [n, e ? e.textContent.trim() : ""];
            }))""",
            [field_name(c) for c in cells],
        )
        (verdict,) = pipeline.preview(
            initiative=mworld.initiative,
            organization=mworld.org,
            by=mworld.partner,
            changes=[
                pipeline.Change(
                    period=mworld.periods["year"], values=raw, comments=dict.fromkeys(cells, ""), clear=set()
                )
            ],
            replace=True,
        )
        expected = {field_name(c): " ".join(verdict.problems.cells.get(c, [])) for c in cells}
        assert shown == expected, typed
