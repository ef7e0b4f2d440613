"""Accessibility: axe-core audits every main page, in English and in Hebrew, in headless Chromium.

The target is WCAG 2.1 AA: axe runs the rules tagged wcag2a, wcag2aa, wcag21a and wcag21aa, and a
page fails on any violation of impact "serious" or "critical" (the message lists the rule, its
impact, the elements and the help page). Every chart must also have an accessible name and a table
with its numbers beside it.

axe-core comes from npm, pinned in package.json (`npm ci` installs it; `make test` does so).
The pages are those of the demo initiative (`manage.py seed_demo`), loaded once for the module with
an open survey wave, an open tie survey and an import waiting for confirmation added, and served by
a live server of the module's own: pytest-django's `live_server` empties the database after every
test, and loading the demo takes half a minute. The database is emptied once at the end instead.
"""

import csv
import io
import json
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from .conftest import IN_CI, count_requests, wait_for_requests
from .demo_snapshot import load_demo

pytestmark = pytest.mark.browser

AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = ("serious", "critical")
DEMO_PASSWORD = "demo-impact-2026"  # initiatives/management/commands/seed_demo.py

# (name, who is signed in, address). {slug} and the other fields come from Demo.ids.
PAGES = [
    ("sign-in", None, "/accounts/login/"),
    ("password-reset", None, "/accounts/password_reset/"),
    ("initiative-list", "backbone", "/"),
    ("overview", "backbone", "/initiatives/{slug}/"),
    ("readiness", "backbone", "/initiatives/{slug}/readiness/"),
    ("members", "backbone", "/initiatives/{slug}/members/"),
    ("agenda", "backbone", "/initiatives/{slug}/agenda/"),
    ("agenda-compare", "backbone", "/initiatives/{slug}/agenda/compare/"),
    ("measurement-home", "partner", "/initiatives/{slug}/measurement/"),
    ("measure", "backbone", "/initiatives/{slug}/measurement/measures/k-ready/"),
    ("entry-grid", "partner", "/initiatives/{slug}/measurement/entry/{entry}/"),
    ("import-upload", "partner", "/initiatives/{slug}/measurement/entry/{entry}/import/"),
    ("import-preview", "partner", "/initiatives/{slug}/measurement/imports/{import_job}/"),
    ("review", "backbone", "/initiatives/{slug}/measurement/review/"),
    ("submission", "backbone", "/initiatives/{slug}/measurement/submissions/{submission}/"),
    ("dashboard", "backbone", "/initiatives/{slug}/measurement/dashboard/"),
    ("measure-dashboard", "backbone", "/initiatives/{slug}/measurement/dashboard/k-ready/"),
    ("completeness", "backbone", "/initiatives/{slug}/measurement/completeness/"),
    ("public-report-card", None, "/public/{slug}/"),
    ("workgroups", "backbone", "/initiatives/{slug}/workgroups/"),
    ("working-groups", "backbone", "/initiatives/{slug}/workgroups/groups/"),
    ("working-group", "backbone", "/initiatives/{slug}/workgroups/groups/{group}/"),
    ("network", "backbone", "/initiatives/{slug}/workgroups/network/"),
    ("tie-survey", "partner", "/initiatives/{slug}/workgroups/waves/{tie_wave}/survey/"),
    ("communication", "backbone", "/initiatives/{slug}/communication/"),
    ("meetings", "backbone", "/initiatives/{slug}/communication/meetings/"),
    ("meeting", "backbone", "/initiatives/{slug}/communication/meetings/{meeting}/"),
    ("reports", "backbone", "/initiatives/{slug}/communication/reports/"),
    ("report", "backbone", "/initiatives/{slug}/communication/reports/{report}/"),
    ("scorecard", "backbone", "/initiatives/{slug}/backbone/"),
    ("indicator", "backbone", "/initiatives/{slug}/backbone/indicators/1/"),
    ("surveys", "backbone", "/initiatives/{slug}/backbone/surveys/"),
    ("survey-wave", "backbone", "/initiatives/{slug}/backbone/surveys/{survey_wave}/"),
    ("survey-respond", None, "/initiatives/{slug}/backbone/respond/{survey_token}/"),
    ("funding", "backbone", "/initiatives/{slug}/backbone/funding/"),
    ("api-tokens", "backbone", "/initiatives/{slug}/api-tokens/"),
    ("webhooks", "backbone", "/initiatives/{slug}/webhooks/"),
    ("webhook-new", "backbone", "/initiatives/{slug}/webhooks/new/"),
    ("password-change", "partner", "/accounts/password_change/"),
]
LANGUAGES = ["en", "he"]


@dataclass
class Demo:
    url: str
    ids: dict
    # (username, language, axe) -> a browser context signed in as username, kept for the
    # module: its cookies and its HTTP cache (Plotly's 4 MB among them) serve every page it opens.
    contexts: dict = field(default_factory=dict)
    # The same key -> its one tab, which every test of the persona navigates: a new tab per test
    # started a renderer process each time.
    tabs: dict = field(default_factory=dict)

    def open(self, browser, path: str, username: str | None, language: str, *, axe: bool = False):
        """The persona's tab at `path`, loaded and its charts drawn; the response. The tab is the
        persona's for the module: a test leaves it as it likes, the next one navigates away. With
        `axe`, axe-core is in every page the context loads (`with_axe`)."""
        key = (username, language, axe)
        if (context := self.contexts.get(key)) is None:
            context = self.contexts[key] = browser.new_context(
                base_url=self.url,
                locale="he-IL" if language == "he" else "en-US",
                viewport={"width": 1280, "height": 900},
            )
            context.set_default_timeout(15_000)
            if axe:
                with_axe(context)
            context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": self.url}])
            if username:
                page = context.new_page()
                page.goto("/accounts/login/")
                page.fill("#id_username", username)
                page.fill("#id_password", DEMO_PASSWORD)
                page.locator("main form button[type=submit]").click()
                page.wait_for_url(lambda url: "/accounts/login/" not in url)
                self.tabs[key] = page  # the persona's tab from now on: no second renderer process
        if (page := self.tabs.get(key)) is None or page.is_closed():
            page = self.tabs[key] = context.new_page()
        response = page.goto(path)  # waits for the load event: the page's scripts have run
        # The charts are drawn by script: look at them drawn.
        page.wait_for_function(
            "() => [...document.querySelectorAll('.chart[data-figure]')]"
            ".every(e => e.dataset.rendered === 'true')"
        )
        return page, response

    def close(self):
        for context in self.contexts.values():
            context.close()
        self.contexts.clear()
        self.tabs.clear()


def _extras(initiative, users) -> dict:
    """What the demo lacks for some pages: an import waiting for confirmation, an open survey wave
    with a personal link, and an open tie survey."""
    from backbone import services as backbone
    from backbone.models import SurveyItem
    from initiatives.models import Membership
    from measurement.entry import importer
    from measurement.models import ReportingPeriod, Submission
    from workgroups import services as workgroups

    partner = Membership.objects.get(initiative=initiative, user=users["partner"])
    period = (
        ReportingPeriod.objects.filter(
            initiative=initiative, frequency="yearly", closes_on__gte=timezone.localdate()
        )
        .order_by("start")
        .first()
    )
    rows = importer.template_rows(initiative, partner.organization, period)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(rows[0])
    for n, row in enumerate(rows[1:]):
        writer.writerow([*row[:4], "not a number" if n == 0 else str(40 + n), row[5]])
    job = importer.preview(
        initiative=initiative,
        organization=partner.organization,
        by=users["partner"],
        name="values.csv",
        data=out.getvalue().encode(),
    )

    wave = backbone.wave_create(
        initiative=initiative,
        by=users["backbone"],
        title="Accessibility check",
        period_code="2026-H2",
        closes_on=timezone.localdate() + timedelta(days=14),
        items=list(SurveyItem.objects.filter(initiative=None, active=True)[:12]),
    )
    backbone.respondents_add(
        wave=wave, by=users["backbone"], external=[("reader@example.org", "A reader")], group="partner"
    )
    backbone.wave_send(wave=wave, by=users["backbone"], notify=False)
    respondent = wave.respondents.get(email="reader@example.org")

    tie_wave = workgroups.wave_create(initiative=initiative, by=users["backbone"], name="Accessibility check")
    workgroups.wave_open(wave=tie_wave, by=users["backbone"])

    return {
        "entry": f"{partner.organization_id}/yearly/{period.code}",
        "import_job": job.pk,
        "submission": Submission.objects.filter(initiative=initiative, status="submitted")
        .order_by("pk")[0]
        .pk,
        "survey_wave": wave.pk,
        "survey_token": backbone.respondent_token(respondent),
        "tie_wave": tie_wave.pk,
    }


def _is_test_database(connection) -> bool:
    from django.db.backends.base.creation import TEST_DATABASE_PREFIX

    name = str(connection.settings_dict["NAME"])
    return name.startswith(TEST_DATABASE_PREFIX) or (
        connection.vendor == "sqlite" and connection.is_in_memory_db()
    )


@pytest.fixture(scope="module")
def test_database(request, django_db_setup, django_db_blocker):
    """The test database. pytest-django creates it only when a collected test asks for `db`,
    `transactional_db` or `live_server`; these tests use a server of their own, so when they run
    alone they create it here. The guard keeps the seeding and the final flush off any other
    database."""
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases

    if _is_test_database(connection):
        yield
        return
    with django_db_blocker.unblock():
        config = setup_databases(verbosity=0, interactive=False, aliases={"default"})
    assert _is_test_database(connection), connection.settings_dict["NAME"]
    yield
    with django_db_blocker.unblock():
        teardown_databases(config, verbosity=0)


@pytest.fixture(scope="module")
def demo(test_database, django_db_blocker):
    from pytest_django.live_server_helper import LiveServer

    from backbone.models import Indicator
    from ci_platform.celery import app
    from communication.models import Meeting, ProgressReport
    from initiatives.models import Initiative
    from workgroups.models import WorkingGroup

    from .backbone.conftest import load_catalogue

    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True  # the dashboards and scores are computed as the demo loads
    try:
        with django_db_blocker.unblock():
            if not Indicator.objects.exists():  # an earlier test's flush emptied the catalogue
                load_catalogue()
            load_demo()  # seed_demo (DEBUG is off in tests), or its copy
            initiative = Initiative.objects.get(slug="cradle-to-career")
            from django.contrib.auth import get_user_model

            users = {u.username: u for u in get_user_model().objects.all()}
            ids = {
                "slug": initiative.slug,
                "meeting": Meeting.objects.filter(initiative=initiative).order_by("-pk")[0].pk,
                "report": ProgressReport.objects.filter(initiative=initiative).order_by("-pk")[0].pk,
                "group": WorkingGroup.objects.filter(initiative=initiative).order_by("pk")[0].pk,
                **_extras(initiative, users),
            }
    finally:
        app.conf.task_always_eager = eager
    server = LiveServer("localhost")
    server._live_server_modified_settings.enable()
    count_requests(server)
    try:
        yield (demo := Demo(url=server.url, ids=ids))
    finally:
        demo.close()
        wait_for_requests(server)
        server._live_server_modified_settings.disable()
        server.stop()
        with django_db_blocker.unblock():
            from django.db import connection

            assert _is_test_database(connection)
            call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def axe_page(browser, demo, django_db_blocker):
    """Open a page as someone, in a language, with axe-core loaded into it."""
    if not AXE.exists():
        message = f"needs axe-core at {AXE}: run `npm ci`"
        pytest.fail(message, pytrace=False) if IN_CI else pytest.skip(message)

    def open_page(path: str, username: str | None, language: str):
        page, response = demo.open(browser, path, username, language, axe=True)
        assert response.status == 200, f"{path}: HTTP {response.status}"
        return page

    # The server's thread reads the database: pytest-django blocks access outside `db` tests.
    with django_db_blocker.unblock():
        yield open_page


def with_axe(context) -> None:
    """axe-core in every page the context loads, before the page's own scripts. An init script is
    not the page's, so the site's CSP (no script but its own) stays in force for the audit. A script
    added to each page after it loaded (`add_script_tag`, which needed the CSP bypassed) cost
    Chromium 70-80 ms more a page: the 550 kB compiled every time."""
    context.add_init_script(path=str(AXE))


def run_axe(page) -> list[dict]:
    return page.evaluate(
        """async (tags) => {
            const result = await axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                nodes: v.nodes.map(n => ({target: n.target.join(" "), summary: n.failureSummary})),
            }));
        }""",
        WCAG_AA,
    )


def describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"{v['id']} [{v['impact']}] {v['help']} — {v['helpUrl']}")
        for node in v["nodes"][:10]:
            summary = " ".join(node["summary"].split())
            lines.append(f"    {node['target']}: {summary}")
        if len(v["nodes"]) > 10:
            lines.append(f"    … and {len(v['nodes']) - 10} more elements")
    return "\n".join(lines)


def charts_without_name_or_table(page) -> list[str]:
    """Every chart needs an accessible name (role figure or img, with a label) and its numbers as a
    table (a list, for the network's ties): in the chart's section or card, or named by aria-details."""
    return page.evaluate(
        """() => [...document.querySelectorAll('.chart[data-figure], #network-graph')].filter(e => {
            const named = ['figure', 'img'].includes(e.getAttribute('role')) &&
                          (e.getAttribute('aria-label') || '').trim() !== '';
            const details = document.getElementById(e.getAttribute('aria-details') || '');
            const box = details || e.closest('section, .card, figure');
            const data = box && (box.matches('table') || box.querySelector('table, #tie-list'));
            return !(named && data);
        }).map(e => e.getAttribute('data-figure') || e.id)"""
    )


def trace_types_not_in_plotly(page) -> list[str]:
    """Every trace type a chart's figure asks for must be one the page's plotly.js holds (npm's basic
    build holds scatter, bar and pie): plotly.js draws a type it lacks as a scatter, silently (seen in
    Chromium: a bar chart would become dots and lines, with no error in the console). So each drawn
    trace's type is compared with the figure's."""
    return page.evaluate(
        """() => [...document.querySelectorAll('.chart[data-figure]')].flatMap(e => {
            const figure = JSON.parse(document.getElementById(e.dataset.figure).textContent);
            const drawn = (e._fullData || []).map(t => t.type);
            return (figure.data || []).map(t => t.type || 'scatter')
                .filter((type, i) => drawn[i] !== type).map(type => `${e.dataset.figure}: ${type}`);
        })"""
    )


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(("name", "username", "path"), PAGES, ids=[p[0] for p in PAGES])
def test_page_has_no_serious_accessibility_violations(axe_page, demo, name, username, path, language):
    page = axe_page(path.format(**demo.ids), username, language)
    assert page.locator("html").get_attribute("lang") == language
    assert page.locator("html").get_attribute("dir") == ("rtl" if language == "he" else "ltr")
    violations = run_axe(page)
    blocking = [v for v in violations if v["impact"] in BLOCKING]
    assert not blocking, f"{name} ({language}) {page.url}:\n{describe(blocking)}"
    assert not charts_without_name_or_table(page), f"{name} ({language}): a chart lacks a name or a table"
    assert not (missing := trace_types_not_in_plotly(page)), (
        f"{name} ({language}): not in plotly.js: {missing}"
    )


def test_the_trace_check_sees_a_type_plotly_lacks(axe_page, demo):
    """Not blind: a figure asking for a trace type that the page's plotly.js lacks is reported once
    drawn; redrawn with a type it holds, it is not."""
    page = axe_page("/initiatives/{slug}/measurement/dashboard/".format(**demo.ids), "backbone", "en")
    assert trace_types_not_in_plotly(page) == []
    redraw = """async (type) => {
        const e = document.querySelector('.chart[data-figure]');
        const source = document.getElementById(e.dataset.figure);
        const figure = JSON.parse(source.textContent);
        figure.data = [{type: type, x: ['2025', '2026'], y: [1, 2]}];
        source.textContent = JSON.stringify(figure);
        await Plotly.react(e, figure.data, e.layout);
    }"""
    page.evaluate(redraw, "sankey")
    assert [m.split(": ")[1] for m in trace_types_not_in_plotly(page)] == ["sankey"]
    page.evaluate(redraw, "bar")
    assert trace_types_not_in_plotly(page) == []


def test_the_audit_sees_a_violation(axe_page, demo):
    """The audit is not blind: a page made to break a rule on purpose reports it, with the details
    the failure message lists."""
    page = axe_page("/accounts/login/", None, "en")
    page.evaluate(
        """() => { const i = document.getElementById('id_username');
                   i.id = 'x'; document.querySelector('label[for="id_username"]').remove();
                   i.removeAttribute('aria-label'); i.removeAttribute('aria-labelledby'); }"""
    )
    violations = [v for v in run_axe(page) if v["impact"] in BLOCKING]
    assert "label" in {v["id"] for v in violations}, json.dumps(violations, indent=1)
    text = describe(violations)
    assert "label [critical]" in text
    assert "https://dequeuniversity.com/rules/axe/" in text
    (label,) = [v for v in violations if v["id"] == "label"]
    assert [page.locator(n["target"]).get_attribute("name") for n in label["nodes"]] == ["username"]
