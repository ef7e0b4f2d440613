"""No leaks, on every page, export and API endpoint, for every persona (OWASP ASVS 8.2-8.4).

The world is the demo (`manage.py seed_demo`: every component has data), with distinctive
sentinels planted where only some people may read them:

* Youth Futures' raw values: its `sentinel-rate` value is 987654.321 (a measure only it reports,
  never aggregated) with the comment B-ONLY-COMMENT. Only Youth Futures and the backbone read them,
  unless the initiative opts in to named sharing (then every member does).
* A working group's private document, PRIVATE-DOC-SENTINEL, shared with the partner only.
* The second initiative's measure, meeting and document, all named OTHERINIT-SENTINEL: nobody of
  the first initiative reads them.

The pages are not listed by hand: the backbone's browser is simulated by following every link from
the initiative's pages, then every persona requests all of those addresses and follows its own
links too. Every URL pattern must be reached by the crawl or be exempt below with a reason, so that
a new page is covered the day it is added. The API: every GET operation of the OpenAPI schema,
every page of each list (cursor `next` links) and the detail of every object the backbone lists.

Individual survey answers: the backbone survey keeps ratings only (no free text) and shows no
distribution under the threshold (tested in tests/backbone); they have no distinctive text to
look for here.
"""

from __future__ import annotations

import io
import re
from collections import defaultdict
from datetime import timedelta
from html import unescape
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from openpyxl import load_workbook

from communication import services as communication_services
from communication.choices import Visibility
from initiatives import services as initiative_services
from initiatives.choices import Role, TokenScope
from initiatives.management.commands.seed_demo import CONTENT
from initiatives.models import Initiative, Organization
from measurement import services as measurement_services
from measurement.choices import Aggregation, Unit, ValueType
from measurement.entry import importer
from measurement.models import Assignment, ReportingPeriod
from workgroups import services as workgroups_services

from .api.conftest import bearer, compute_aggregates
from .communication.helpers import measure as other_measure
from .communication.helpers import pdf_upload
from .measurement.conftest import make_measure

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

SLUG = CONTENT["he"]["initiative"]["slug"]  # Be'er Sheva, in Hebrew
HOME = f"/initiatives/{SLUG}/"
# The demo's English initiative: the same pages, of the same people, in the other language.
ENGLISH_HOME = f"/initiatives/{CONTENT['en']['initiative']['slug']}/"
CITY = CONTENT["he"]["organizations"][1][0]  # Be'er Sheva's municipality (the organisations' roles)
RAW_B = ("987654", "987,654", "B-ONLY-COMMENT")
PRIVATE = ("PRIVATE-DOC-SENTINEL",)
OTHER = ("OTHERINIT-SENTINEL",)

# Who must not read what ("youth" is Youth Futures' partner contributor). Named sharing lets
# every member of the initiative read Youth Futures' values.
FORBIDDEN = {
    "backbone": OTHER,
    "partner": RAW_B + OTHER,
    "steering": RAW_B + PRIVATE + OTHER,
    "viewer": RAW_B + PRIVATE + OTHER,
    "youth": PRIVATE + OTHER,
    "other_member": RAW_B + PRIVATE,
    "outsider": RAW_B + PRIVATE + OTHER,
}
FORBIDDEN_WHEN_SHARED = {
    **FORBIDDEN,
    "partner": OTHER,
    "steering": PRIVATE + OTHER,
    "viewer": PRIVATE + OTHER,
}
PERSONAS = ("partner", "steering", "viewer", "youth", "other_member", "outsider")

# URL patterns the crawl does not reach, and why no data can leak there.
EXEMPT = {
    "invitation_accept": "needs an emailed invitation token; shows the invitation only (tests/initiatives)",
    "password_reset_confirm": "needs an emailed token; a form with no data",
    "password_reset_done": "a fixed message",
    "password_reset_complete": "a fixed message",
    "password_change_done": "a fixed message",
    "backbone:respond": "the anonymous survey form behind a signed per-respondent link (tests/backbone)",
    "communication:unsubscribe": "behind a signed per-person link; names the initiative only",
    "communication:notification_open": "a redirect to the notified object, which is crawled itself",
    "report_card": "public by design: the published report card, aggregates with small-cell suppression",
    "healthz": "service status, no data",
    "set_language": "POST only",
    "logout": "POST only",
    "sso:callback": "the identity provider's redirect back (single sign-on, off here: 404); shows nothing (tests/sso)",
    "api-docs": "the API's static documentation page",
    "api-schema": "the API's description, no data",
}
# Only these path prefixes are crawled (the API is walked from its schema below; the second
# initiative's pages are its members' business; the English initiative's are the first's pages
# again, read by the same people).
SKIP_PREFIXES = ("/static/", "/admin/", "/api/", "/i18n/", "/accounts/logout/", "/media/", ENGLISH_HOME)
MAX_PAGES = 800
MAX_QUERY_VARIANTS = 3


# --- The world ----------------------------------------------------------------------------------


class Demo:
    initiative: Initiative
    users: dict
    tokens: dict
    pages: list[str]


@pytest.fixture
def demo(django_user_model, eager_tasks) -> Demo:
    call_command("seed_demo", force=True, verbosity=0)
    initiative = Initiative.objects.get(slug=SLUG)
    second = Initiative.objects.get(slug="healthy-negev")
    users = {u.username: u for u in django_user_model.objects.all()}
    backbone, youth = users["backbone"], users["youth"]
    # The demo makes the backbone a viewer of the second initiative; here it is of the first only.
    second.memberships.filter(user=backbone).delete()
    users["other_member"] = django_user_model.objects.create_user("other_member")
    second.memberships.create(
        user=users["other_member"],
        organization=Organization.objects.get(name=CITY),
        role=Role.BACKBONE,
    )
    users["outsider"] = django_user_model.objects.create_user("outsider")

    # Youth Futures reports the sentinel, entered late by the backbone in the latest year.
    youth_org = youth.memberships.get(initiative=initiative).organization
    sentinel = make_measure(
        initiative,
        backbone,
        "sentinel-rate",
        value_type=ValueType.DECIMAL,
        unit=Unit.RATE,
        aggregation=Aggregation.NONE,
    )
    Assignment.objects.create(initiative=initiative, organization=youth_org, measure=sentinel)
    period = ReportingPeriod.objects.filter(initiative=initiative, frequency=sentinel.frequency).latest(
        "start"
    )
    submission = measurement_services.submission_for(
        initiative=initiative, organization=youth_org, period=period, by=backbone
    )
    if submission.is_locked:
        measurement_services.submission_unlock(submission=submission, by=backbone, reason="sentinel")
    cell = (sentinel.pk, None, None)
    measurement_services.values_save(
        submission=submission,
        by=backbone,
        raw={cell: "987654.321"},
        comments={cell: "B-ONLY-COMMENT"},
        replace=False,
    )
    compute_aggregates(initiative)
    # A file the backbone uploaded for Youth Futures, waiting in its preview page.
    period_code = period.code
    job = importer.preview(
        initiative=initiative,
        organization=youth_org,
        by=backbone,
        name="youth.csv",
        data=(
            "measure,period,breakdown_1,breakdown_2,value,comment\n"
            f"sentinel-rate,{period_code},,,987654.321,B-ONLY-COMMENT imported\n"
        ).encode(),
    )
    # An open wave of the collaboration survey (the demo's waves are closed).
    workgroups_services.wave_open(
        wave=workgroups_services.wave_create(initiative=initiative, by=backbone, name="Sentinel wave"),
        by=backbone,
    )

    communication_services.document_add(
        initiative=initiative,
        by=backbone,
        title="PRIVATE-DOC-SENTINEL plan",
        upload=pdf_upload("plan.pdf"),
        visibility=Visibility.GROUP,
        group_name="Early literacy",
        group_members=[users["partner"]],
    )

    other_backbone = users["other_member"]
    other_measure(second, code="other-sentinel", name="OTHERINIT-SENTINEL measure")
    communication_services.meeting_create(
        initiative=second,
        by=other_backbone,
        title="OTHERINIT-SENTINEL meeting",
        starts_at=timezone.now() + timedelta(days=3),
        invitees=[other_backbone],
    )
    communication_services.document_add(
        initiative=second, by=other_backbone, title="OTHERINIT-SENTINEL notes", url="https://example.org/x"
    )

    tokens = {}
    for name, where, kwargs in (
        ("read-token", initiative, {}),
        (
            "submit-token",
            initiative,
            {
                "scope": TokenScope.SUBMIT,
                "organization": users["partner"].memberships.get(initiative=initiative).organization,
            },
        ),
        ("other-token", second, {}),
    ):
        by = backbone if where == initiative else other_backbone
        _token, tokens[name] = initiative_services.api_token_create(
            initiative=where, by=by, label=name, **kwargs
        )

    d = Demo()
    d.initiative, d.users, d.tokens = initiative, users, tokens
    d.pages = [f"{HOME}measurement/imports/{job.pk}/"]  # linked from nowhere: reached after an upload
    return d


def client_for(demo: Demo, who: str) -> Client:
    if who in demo.tokens:
        return bearer(demo.tokens[who])
    client = Client()
    client.force_login(demo.users[who])
    return client


# --- Reading any response as text ---------------------------------------------------------------


def body_text(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    kind = response.get("Content-Type", "")
    if "spreadsheetml" in kind:
        workbook = load_workbook(io.BytesIO(content), read_only=True)
        cells = [
            str(value)
            for sheet in workbook.worksheets
            for row in sheet.iter_rows(values_only=True)
            for value in row
            if value is not None
        ]
        return "\n".join(cells)
    return content.decode("utf-8", errors="replace")


def leaks(text: str, forbidden: tuple[str, ...]) -> list[str]:
    return [s for s in forbidden if s in text]


# --- The crawl ----------------------------------------------------------------------------------


def _route_example(parts) -> str | None:
    """A concrete path for a chain of route patterns needing no object (the demo initiative), else None."""
    routes = [getattr(part, "_route", None) for part in parts]
    if None in routes:
        return None  # a regular expression
    path = "".join(routes).replace("<slug:slug>", SLUG)
    return None if "<" in path else "/" + path


def _patterns(resolver=None, prefix=(), namespace=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _patterns(entry, (*prefix, entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            yield (*prefix, entry.pattern), entry, f"{namespace}{entry.name}" if entry.name else None


def page_patterns() -> dict[str, tuple]:
    """Every named page pattern outside the admin and the API: name -> (parts, pattern)."""
    found = {}
    for parts, pattern, name in _patterns():
        first = str(parts[0])
        if name is None or first.startswith(("admin/", "api/", "^api")):
            continue
        view = pattern.callback
        cls = getattr(view, "view_class", None)
        if cls is not None and "get" not in cls.http_method_names:
            continue  # POST only: answers with a redirect or its GET page, crawled itself
        if cls is not None and not hasattr(cls, "get"):
            continue
        found[name] = (parts, pattern)
    return found


def seeds(demo: Demo) -> list[str]:
    """Every page pattern that needs no object: the crawl starts there."""
    out = ["/", HOME, *demo.pages]
    for parts, _pattern in page_patterns().values():
        if (path := _route_example(parts)) is not None:
            out.append(path)
    return list(dict.fromkeys(out))


LINK = re.compile(r'href="(/[^"#]*)"')


def links(text: str) -> list[str]:
    return [unescape(h) for h in LINK.findall(text)]


def crawl(client: Client, start: list[str], forbidden: tuple[str, ...], failures: list[str], who: str):
    """Request every page reachable from `start`; record leaks, server errors and forms without
    a CSRF token. Returns the paths visited and the URL names resolved."""
    queue, seen, names = list(start), set(), set()
    variants: dict[str, int] = defaultdict(int)
    while queue and len(seen) < MAX_PAGES:
        url = queue.pop(0)
        if url in seen or url.startswith(SKIP_PREFIXES):
            continue
        path = urlsplit(url).path
        if urlsplit(url).query:
            if variants[path] >= MAX_QUERY_VARIANTS:
                continue
            variants[path] += 1
        seen.add(url)
        try:
            match = resolve(path)
        except Resolver404:
            continue
        response = client.get(url)
        if response.status_code >= 500:
            failures.append(f"{who} GET {url}: {response.status_code}")
            continue
        names.add(match.view_name)
        if response.status_code != 200:
            continue
        text = body_text(response)
        if found := leaks(text, forbidden):
            failures.append(f"{who} GET {url}: shows {found}")
        if "text/html" in response.get("Content-Type", ""):
            for form in re.findall(r"<form\b[^>]*method=\"post\"[^>]*>.*?</form>", text, re.S | re.I):
                if 'name="csrfmiddlewaretoken"' not in form:
                    failures.append(f"{who} GET {url}: a POST form without a CSRF token")
            queue.extend(links(text))
    return seen, names


def test_the_crawl_reaches_every_page_and_nobody_reads_what_is_not_theirs(demo):
    failures: list[str] = []
    visited, names = crawl(
        client_for(demo, "backbone"), seeds(demo), FORBIDDEN["backbone"], failures, "backbone"
    )
    missing = sorted(set(page_patterns()) - names - set(EXEMPT))
    assert not missing, f"pages the crawl never reached (link them, or exempt them with a reason): {missing}"
    assert len(visited) > 100

    start = sorted(visited)
    for persona in PERSONAS:
        crawl(client_for(demo, persona), start, FORBIDDEN[persona], failures, persona)
    assert not failures, f"{len(failures)} problems:\n" + "\n".join(failures[:60])


def test_with_named_sharing_members_read_values_but_nothing_else(demo):
    measurement_services.measurement_settings_update(
        initiative=demo.initiative, by=demo.users["backbone"], share_named_values=True
    )
    failures: list[str] = []
    visited, _names = crawl(client_for(demo, "backbone"), seeds(demo), OTHER, failures, "backbone")
    start = sorted(visited)
    # Sharing changes what members read; outsiders are the first test's (sharing changes nothing there).
    for persona in ("partner", "steering"):
        crawl(client_for(demo, persona), start, FORBIDDEN_WHEN_SHARED[persona], failures, persona)
    assert not failures, f"{len(failures)} problems:\n" + "\n".join(failures[:60])
    # The sentinel is there to be found: shared, the partner reads it.
    assert "987654" in body_text(client_for(demo, "partner").get(f"{HOME}measurement/export.csv"))


def test_the_sentinels_are_visible_to_those_allowed(demo):
    """The checks above look for the right text: the people allowed to read it do find it."""
    export = body_text(client_for(demo, "backbone").get(f"{HOME}measurement/export.xlsx"))
    assert "987654.321" in export and "B-ONLY-COMMENT" in export
    assert "987654" in body_text(client_for(demo, "youth").get(f"{HOME}measurement/export.csv"))
    assert "987654" not in body_text(client_for(demo, "partner").get(f"{HOME}measurement/export.csv"))
    documents = client_for(demo, "partner").get(f"{HOME}communication/documents/")
    assert "PRIVATE-DOC-SENTINEL" in body_text(documents)
    other = client_for(demo, "other_member").get("/initiatives/healthy-negev/communication/meetings/")
    assert "OTHERINIT-SENTINEL" in body_text(other)


# --- The API ------------------------------------------------------------------------------------


def api_reads() -> list[str]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return sorted(
        path.replace("{initiative_slug}", SLUG).replace("{slug}", SLUG)
        for path, item in schema["paths"].items()
        if "get" in item
    )


def api_urls(backbone: Client) -> list[str]:
    """Every list (every page of it) and the detail of every object the backbone lists."""
    urls: list[str] = []
    paths = api_reads()
    lists = [p for p in paths if "{" not in p]
    details = [p for p in paths if "{" in p]
    listed: dict[str, list[dict]] = {}
    for path in lists:
        url = path
        while url:
            urls.append(url)
            response = backbone.get(url)
            # A CSV feed (measurement/api/feeds.py) is read as any page; it lists nothing to follow.
            json_answer = response.get("Content-Type", "").startswith("application/json")
            body = response.json() if response.status_code == 200 and json_answer else {}
            if not isinstance(body, dict) or "results" not in body:
                break
            listed.setdefault(path, []).extend(body["results"])
            url = body.get("next")
    for path in details:
        head, _sep, tail = path.partition("{")
        key, _sep, rest = tail.partition("}")
        if "{" in rest:
            continue  # nested identifiers: none in v1
        for item in listed.get(head, [])[:10]:
            field = {"pk": "id"}.get(key, key)
            if field in item:
                urls.append(f"{head}{item[field]}{rest}")
    return urls


def test_no_api_endpoint_reads_what_is_not_theirs(demo):
    backbone = client_for(demo, "backbone")
    urls = api_urls(backbone)
    assert len(urls) > 100
    assert "987654" in "".join(body_text(backbone.get(u)) for u in urls if "/values/" in u)
    forbidden = {
        **FORBIDDEN,
        "read-token": FORBIDDEN["backbone"],
        "submit-token": FORBIDDEN["partner"],
        "other-token": FORBIDDEN["other_member"],
    }
    failures = []
    for who in ("backbone", *PERSONAS, "read-token", "submit-token", "other-token"):
        client = backbone if who == "backbone" else client_for(demo, who)
        for url in urls:
            response = client.get(url)
            if response.status_code >= 500:
                failures.append(f"{who} GET {url}: {response.status_code}")
            elif found := leaks(body_text(response), forbidden[who]):
                failures.append(f"{who} GET {url}: shows {found}")
    assert not failures, f"{len(failures)} problems:\n" + "\n".join(failures[:60])
