"""One crawl of every page, export and API read, as every persona, checked at once for everything a
GET must not do (OWASP ASVS 8.2-8.4 and 3.5, RFC 9110 §9.2.1):

* answer 5xx;
* show what the persona may not read (the sentinels below);
* render a POST form without a CSRF token;
* write: around every request, PostgreSQL's per-transaction counters (`pg_stat_xact_user_tables`:
  rows inserted, updated, deleted per table) name the tables a GET wrote and the URL that did it,
  and the transaction's on-commit hooks must not grow (a task or an email queued by a read); around
  the whole crawl, a fingerprint of every table (row count and the md5 of all its rows) must be
  unchanged. A GET is what browsers prefetch, mail scanners open, crawlers follow and people reload.

The world is the demo (`manage.py seed_demo`: every component has data), built once for the module
(`module_db`: each test runs in a savepoint of it, rolled back), with distinctive sentinels planted
where only some people may read them:

* Youth Futures' raw values: its `sentinel-rate` value is 987654.321 (a measure only it reports,
  never aggregated) with the comment B-ONLY-COMMENT. Only Youth Futures and the backbone read them,
  unless the initiative opts in to named sharing (then every member does).
* A working group's private document, PRIVATE-DOC-SENTINEL, shared with the partner only.
* The second initiative's measure, meeting and document, all named OTHERINIT-SENTINEL: nobody of
  the first initiative reads them.

and the links that arrive by email: an invitation, a password reset, a survey respondent's link,
an unsubscribe link and each person's notifications.

The pages are not listed by hand: the backbone's browser is simulated by following every link from
the initiative's pages (the sentinel objects' own pages among the seeds), then every persona
requests all of those addresses and follows its own links too. Pages of one route pattern are
alike: each persona reads at most MAX_PER_ROUTE addresses of a pattern (and as many with a query
string; a sentinel object's page has a share of its own) besides those it starts from. The
backbone's crawl is made once, with the world; every other persona's, and the named-sharing crawl
of the members whose view sharing changes, start from its pages. Every URL pattern must be reached
by the crawl or be exempt below with a reason, so that a new page is covered the day it is added.
The API: every GET operation of the OpenAPI schema, every page of each list (cursor `next` links)
and the detail of the first objects of each list and of every listed object that shows a sentinel.

Signing in writes (a session row, `last_login`, django-axes' access log): every client signs in
with `force_login` when the world is built, before the first fingerprint. What a read may write,
each with its reason, is in ALLOWED below; nothing else is.

The forms: every POST form of the backbone's pages (one per target and set of fields) is posted as
shown and with bad input, each post in a savepoint rolled back: none may answer 5xx (bad input gets
the form's own message).

Individual survey answers: the backbone survey keeps ratings only (no free text) and shows no
distribution under the threshold (tested in tests/backbone); they have no distinctive text to
look for here.
"""

from __future__ import annotations

import io
import json
import re
from collections import defaultdict, deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from html import unescape
from urllib.parse import urljoin, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.contrib.sessions.models import Session
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.exceptions import Resolver404
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from drf_spectacular.generators import SchemaGenerator
from openpyxl import load_workbook

from backbone import services as backbone_services
from backbone.choices import RespondentGroup
from backbone.models import SurveyItem
from communication import services as communication_services
from communication.choices import Visibility
from communication.models import Notification
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
from .demo_snapshot import load_demo
from .forms import form_fields
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

# Who requests: anonymous, every role of the first initiative ("youth" is Youth Futures, a second
# partner organisation), a member of the other initiative, someone signed in with no initiative,
# the platform administrator (staff and superuser: also crawls the Django admin), and the API's
# tokens (a read token and a submit token of the first initiative, a read token of the second).
SIGNED_IN = ("backbone", "steering", "partner", "viewer", "youth", "other_member", "outsider", "admin")
PERSONAS = ("anonymous", *SIGNED_IN)
TOKENS = ("read-token", "submit-token", "other-token")

# Who must not read what. Named sharing lets every member of the initiative read Youth Futures'
# values. The platform administrator reads every row in the Django admin by design: no sentinel is
# looked for in what it reads (its reads are still checked for 5xx, CSRF and writes).
FORBIDDEN = {
    "anonymous": RAW_B + PRIVATE + OTHER,
    "backbone": OTHER,
    "partner": RAW_B + OTHER,
    "steering": RAW_B + PRIVATE + OTHER,
    "viewer": RAW_B + PRIVATE + OTHER,
    "youth": PRIVATE + OTHER,
    "other_member": RAW_B + PRIVATE,
    "outsider": RAW_B + PRIVATE + OTHER,
    "admin": (),
}
FORBIDDEN["read-token"] = FORBIDDEN["backbone"]
FORBIDDEN["submit-token"] = FORBIDDEN["partner"]
FORBIDDEN["other-token"] = FORBIDDEN["other_member"]
FORBIDDEN_WHEN_SHARED = {
    "partner": OTHER,
    "steering": PRIVATE + OTHER,
    "viewer": PRIVATE + OTHER,
}

# What a read may write, per table: (the URL names or personas it may, why). Nothing else may.
ALLOWED = {
    "initiatives_apitoken": (
        set(TOKENS),
        "an API token records its last use (column last_used_at, at most once a minute) so that "
        "backbone staff can see which integrations are alive and revoke the others: an access "
        "record, excluded from the fingerprint below, the row otherwise unchanged",
    ),
    "django_session": (
        {"password_reset_confirm"},
        "Django's password reset link moves its token into the session and redirects, so that the "
        "token never reaches a Referer header (django.contrib.auth.views.PasswordResetConfirmView)",
    ),
}
# Columns left out of the fingerprint, for the reasons in ALLOWED (and the sessions a read ALLOWED
# made: fingerprint(sessions=...) compares those that were there before).
UNCOMPARED_COLUMNS = {"initiatives_apitoken": ("last_used_at",)}

# URL patterns no GET reaches, and why nothing can leak or be written there.
EXEMPT = {
    "set_language": "POST only",
    "logout": "POST only",
    "sso:callback": "the identity provider's redirect back, the one GET that signs in (OpenID Connect's "
    "code flow); 404 while single sign-on is off, as here, and shows nothing (tests/sso/test_sso.py)",
}
# Pages no link of the site leads to, requested from email_links() instead (each must be reached):
# why each is there, and what it shows.
NOT_LINKED = {
    "invitation_accept": "needs an emailed invitation token; shows the invitation only (tests/initiatives)",
    "password_reset_confirm": "needs an emailed token; a form with no data",
    "backbone:respond": "the anonymous survey form behind a signed per-respondent link (tests/backbone)",
    "communication:unsubscribe": "behind a signed per-person link; names the initiative only",
    "communication:notification_open": "a redirect to the notified object, which is crawled itself",
    "report_card": "public by design: the published report card, aggregates with small-cell suppression",
    "healthz": "service status, no data",
    "api-docs": "the API's static documentation page",
    "api-schema": "the API's description, no data",
}
# Not crawled: files, the language switch (POST only), and the demo's English initiative (the same
# pages as the first's, of the same people). The API is walked from its schema (test_every_api_read).
SKIP_PREFIXES = ("/static/", "/media/", "/i18n/", ENGLISH_HOME)
MAX_PAGES = 900
# Per persona and route pattern: addresses read besides those it starts from (and as many again
# with a query string). The pages of one pattern are one template over different rows.
MAX_PER_ROUTE = 3
MAX_ADMIN_PER_ROUTE = 4  # the admin's pages per model are alike: a few objects of each are enough
MAX_API_DETAILS = 3  # per list, besides every listed object that shows a sentinel
SENTINELS = RAW_B + PRIVATE + OTHER


# --- The world, built once for the module --------------------------------------------------------


@dataclass
class World:
    initiative: Initiative
    users: dict
    tokens: dict
    clients: dict[str, Client]
    seeds: list[str]  # where the backbone's crawl starts: the sentinel objects' own pages among them
    sentinel_pages: list[str]
    email_links: dict[str, list[str]]  # the addresses people reach from an email, per persona
    backbone: Crawl = field(init=False)


def _plant_sentinels(users: dict) -> tuple[Initiative, dict, list[str]]:
    """The sentinels and the tokens; returns the initiative, the tokens, and the sentinels' pages."""
    User = get_user_model()
    initiative = Initiative.objects.get(slug=SLUG)
    second = Initiative.objects.get(slug="healthy-negev")
    backbone, youth = users["backbone"], users["youth"]
    # The demo makes the backbone a viewer of the second initiative; here it is of the first only.
    second.memberships.filter(user=backbone).delete()
    users["other_member"] = User.objects.create_user("other_member")
    second.memberships.create(
        user=users["other_member"],
        organization=Organization.objects.get(name=CITY),
        role=Role.BACKBONE,
    )
    users["outsider"] = User.objects.create_user("outsider")

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
    job = importer.preview(
        initiative=initiative,
        organization=youth_org,
        by=backbone,
        name="youth.csv",
        data=(
            "measure,period,breakdown_1,breakdown_2,value,comment\n"
            f"sentinel-rate,{period.code},,,987654.321,B-ONLY-COMMENT imported\n"
        ).encode(),
    )
    # An open wave of the collaboration survey (the demo's waves are closed).
    workgroups_services.wave_open(
        wave=workgroups_services.wave_create(initiative=initiative, by=backbone, name="Sentinel wave"),
        by=backbone,
    )
    private = communication_services.document_add(
        initiative=initiative,
        by=backbone,
        title="PRIVATE-DOC-SENTINEL plan",
        upload=pdf_upload("plan.pdf"),
        visibility=Visibility.GROUP,
        group_name="Early literacy",
        group_members=[users["partner"]],
    )

    other_backbone = users["other_member"]
    others = [
        other_measure(second, code="other-sentinel", name="OTHERINIT-SENTINEL measure"),
        communication_services.meeting_create(
            initiative=second,
            by=other_backbone,
            title="OTHERINIT-SENTINEL meeting",
            starts_at=timezone.now() + timedelta(days=3),
            invitees=[other_backbone],
        ),
        communication_services.document_add(
            initiative=second,
            by=other_backbone,
            title="OTHERINIT-SENTINEL notes",
            url="https://example.org/x",
        ),
    ]

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

    # Each sentinel object's own pages, so that every persona asks for them: the import preview is
    # linked from nowhere (reached after an upload).
    pages = [
        f"{HOME}measurement/imports/{job.pk}/",
        sentinel.get_absolute_url(),
        submission.get_absolute_url(),
        private.get_absolute_url(),
        *(thing.get_absolute_url() for thing in others),
    ]
    return initiative, tokens, pages


def email_links(initiative: Initiative, users: dict) -> dict[str, list[str]]:
    """The addresses people reach from an email, per persona, made before the fingerprint."""
    backbone = users["backbone"]
    _invitation, invitation_token = initiative_services.invitation_create(
        initiative=initiative,
        by=backbone,
        email="newcomer@example.org",
        role=Role.VIEWER,
        organization=Organization.objects.get(name=CITY),
    )
    invitation = reverse("invitation_accept", kwargs={"token": invitation_token})

    # A backbone survey wave open now, with a respondent who has not answered yet.
    wave = backbone_services.wave_create(
        initiative=initiative,
        by=backbone,
        title="Open survey",
        period_code="2023-H1",
        closes_on=timezone.localdate() + timedelta(days=14),
        items=list(SurveyItem.objects.filter(initiative=None)),
    )
    backbone_services.respondents_add(
        wave=wave, by=backbone, external=[("pending@example.org", "Pending")], group=RespondentGroup.COMMUNITY
    )
    backbone_services.wave_send(wave=wave, by=backbone, notify=False)
    pending = wave.respondents.get()
    respond = urlsplit(backbone_services.respondent_link(pending)).path
    answered = initiative.survey_waves.exclude(pk=wave.pk).first().respondents.exclude(responded_at=None)
    used = urlsplit(backbone_services.respondent_link(answered.first())).path

    partner = users["partner"]
    reset = reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(partner.pk)),
            "token": default_token_generator.make_token(partner),
        },
    )
    unsubscribe = [
        reverse(
            "communication:unsubscribe",
            kwargs={
                "slug": SLUG,
                "token": communication_services.unsubscribe_token(
                    user=partner, initiative=initiative, kind=kind
                ),
            },
        )
        for kind in (communication_services.ALL_KINDS, "decision")
    ]
    public = ["/healthz/", reverse("report_card", kwargs={"slug": SLUG}), "/api/schema/", "/api/docs/"]
    out = {
        "anonymous": [
            invitation,
            reset,
            f"{reset.rsplit('/', 2)[0]}/set-password/",
            respond,
            used,
            *unsubscribe,
        ]
        + public,
        "outsider": [invitation],
        "partner": [respond, *unsubscribe],
    }
    for who in SIGNED_IN:
        opened = [
            reverse("communication:notification_open", kwargs={"slug": n.initiative.slug, "pk": n.pk})
            for n in Notification.objects.filter(user=users[who], initiative=initiative).order_by("-pk")[:3]
        ]
        out[who] = [*out.get(who, []), *opened, *public]
    return out


def seeds(pages: list[str]) -> list[str]:
    """Every page pattern that needs no object, and the sentinels' pages: the crawl starts there."""
    out = ["/", HOME, *pages]
    for parts, _pattern in page_patterns().values():
        if (path := _route_example(parts)) is not None:
            out.append(path)
    return list(dict.fromkeys(out))


@pytest.fixture(scope="module")
def world(module_db, module_eager_tasks, django_db_blocker) -> World:
    """The demo with the sentinels, the emailed links and every persona signed in; then the backbone's
    crawl (`world.backbone`), whose pages every other persona starts from: made once, its findings
    asserted by test_every_page_as_everyone, the database's fingerprint taken before it."""
    with django_db_blocker.unblock(), translation.override("en"):
        load_demo()  # seed_demo, its reports' PDFs printed, or its copy (tests/demo_snapshot.py)
        users = {u.username: u for u in get_user_model().objects.all()}
        initiative, tokens, pages = _plant_sentinels(users)
        clients = {"anonymous": Client()}
        for who in SIGNED_IN:
            clients[who] = Client()
            clients[who].force_login(users[who])
        for name in TOKENS:
            clients[name] = bearer(tokens[name])
        for client in clients.values():
            client.raise_request_exception = False  # a 500 is recorded with its URL, and the crawl goes on
        w = World(initiative, users, tokens, clients, seeds(pages), pages, email_links(initiative, users))
        w.backbone = Crawl(pages)
        w.backbone.pages(clients["backbone"], "backbone", [*w.seeds, *w.email_links["backbone"]])
    return w


# --- Reading any response as text ---------------------------------------------------------------


def body_text(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    kind = response.get("Content-Type", "")
    if "spreadsheetml" in kind and response.status_code == 200:
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


LINK = re.compile(r'href="(/[^"#]*)"')
POST_FORM = re.compile(r"<form\b[^>]*method=\"post\"[^>]*>.*?</form>", re.S | re.I)


def links(text: str) -> list[str]:
    return [unescape(h) for h in LINK.findall(text)]


ACTION = re.compile(r'<form\b[^>]*\baction="([^"]*)"', re.I)


def posts_to_csrf_exempt(form: str, url: str) -> bool:
    """Whether the form posts to a view that takes a POST without the token by design (those of
    tests/test_csrf.py's EXEMPT, e.g. RFC 8058 one-click unsubscribe): its form needs none."""
    target = urlsplit(form_target(form, url)).path
    try:
        return bool(getattr(resolve(target).func, "csrf_exempt", False))
    except Resolver404:
        return False


def form_target(form: str, url: str) -> str:
    action = ACTION.match(form)
    return urljoin(url, unescape(action.group(1)) if action else url)


def form_key(form: str, url: str) -> tuple[str, tuple[str, ...]]:
    """Forms alike: the same target route and the same fields."""
    path = urlsplit(form_target(form, url)).path
    try:
        route = resolve(path).route
    except Resolver404:
        route = path
    return route, tuple(sorted({name for name, _kind, _value in form_fields(form)}))


# --- Watching the database ----------------------------------------------------------------------


def write_counts() -> dict[str, tuple[int, int, int]]:
    """Rows inserted, updated and deleted per table in this transaction so far: the counters of
    `pg_stat_xact_user_tables` that matter here, for the tables of the schema Django creates its
    own in. Once per request: the view computes a dozen counters for every relation, indexes and
    TOAST tables included (1.3-1.6 ms a call against 0.5-0.7 ms, pgbench on 6 December 2026)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, ins, upd, del FROM ("
            " SELECT relname, pg_stat_get_xact_tuples_inserted(oid) AS ins,"
            " pg_stat_get_xact_tuples_updated(oid) AS upd, pg_stat_get_xact_tuples_deleted(oid) AS del"
            " FROM pg_class WHERE relkind IN ('r', 'p') AND relnamespace = to_regnamespace(current_schema())"
            ") AS counts WHERE ins + upd + del > 0"
        )
        return {name: (ins, upd, dele) for name, ins, upd, dele in cursor.fetchall()}


def written(before: dict, after: dict) -> dict[str, str]:
    out = {}
    for table, counts in after.items():
        was = before.get(table, (0, 0, 0))
        if counts != was:
            ins, upd, dele = (now - then for now, then in zip(counts, was, strict=True))
            out[table] = ", ".join(
                f"{n} {what}" for n, what in ((ins, "inserted"), (upd, "updated"), (dele, "deleted")) if n
            )
    return out


def fingerprint(*, sessions: list[str] | None = None) -> dict[str, tuple[int, str]]:
    """Every table of the database: its row count and the md5 of all its rows, in a stable order.
    With `sessions`, only those sessions are compared: the sessions the reads ALLOWED made (each
    checked as it was made) are left out."""
    out = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            quoted = connection.ops.quote_name(table)
            row, where, params = "t::text", "", []
            if dropped := UNCOMPARED_COLUMNS.get(table):
                row = "(to_jsonb(t) - %s::text[])::text"
                params = [list(dropped), list(dropped)]
            if table == "django_session" and sessions is not None:
                where = " WHERE session_key = ANY(%s)"
                params.append(sessions)
            # The table names come from the database's own catalogue, never from a request.
            cursor.execute(
                f"SELECT count(*), md5(coalesce(string_agg({row}, '|' ORDER BY {row}), '')) "  # noqa: S608
                f"FROM {quoted} t{where}",
                params or None,
            )
            out[table] = cursor.fetchone()
    return out


def changed_tables(before: dict, after: dict) -> list[str]:
    return sorted(t for t in before.keys() | after.keys() if before.get(t) != after.get(t))


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


class Crawl:
    """GETs checked at once for everything a GET must not do; every problem is recorded with the
    persona, the URL, its route name and what went wrong."""

    def __init__(self, sentinel_pages: Iterable[str] = ()) -> None:
        # A sentinel object's page has its own share of MAX_PER_ROUTE (its query strings followed).
        self.sentinel_pages = set(sentinel_pages)
        self.failures: list[str] = []
        self.names: set[str] = set()  # the URL names answered without a server error
        self.visited: list[str] = []  # the backbone's pages, where everyone else starts
        self.before = fingerprint()  # the database before the first request of this crawl
        self.sessions = list(Session.objects.values_list("session_key", flat=True))
        # The write counts after the last request, which are those before the next one when nothing
        # ran between them (a crawl's loop): one query per request instead of two. A write made
        # between two requests would be blamed on the second, never hidden; `pages` starts anew.
        self.counts: dict | None = None
        # The POST forms the backbone's pages show, one per target and set of fields: the form, the
        # page it was on (test_every_form_answers_bad_input_without_a_server_error).
        self.forms: dict[tuple[str, tuple[str, ...]], tuple[str, str]] = {}

    def assert_unchanged(self, during: str) -> None:
        """The database is as it was before the crawl, but for new sessions (ALLOWED, checked per request)."""
        after = fingerprint(sessions=self.sessions)
        tables = [
            f"{t} ({self.before.get(t, (0,))[0]} -> {after.get(t, (0,))[0]} rows)"
            for t in changed_tables(self.before, after)
        ]
        assert not tables, f"{during} changed these tables: {tables}"

    def get(self, client: Client, who: str, url: str, forbidden: tuple[str, ...]):
        try:
            name = resolve(urlsplit(url).path).view_name
        except Resolver404:
            name = "?"
        before = self.counts if self.counts is not None else write_counts()
        hooks = len(connection.run_on_commit)
        response = client.get(url)
        text = body_text(response)  # a streamed response writes, if at all, while it streams
        after = self.counts = write_counts()
        where = f"{who} GET {url} [{name}]"
        for table, what in written(before, after).items():
            allowed, _why = ALLOWED.get(table, ((), ""))
            if who not in allowed and name not in allowed:
                self.failures.append(f"{where} wrote {table}: {what}")
        if len(connection.run_on_commit) > hooks:
            queued = [repr(hook) for _sids, hook, _robust in connection.run_on_commit[hooks:]]
            self.failures.append(f"{where} queued work for the commit: {queued}")
        if response.status_code >= 500:
            error = getattr(response, "exc_info", None)
            raised = f" ({error[0].__name__}: {error[1]})" if error else ""
            self.failures.append(f"{where}: {response.status_code}{raised}")
            return response, text
        self.names.add(name)
        if found := leaks(text, forbidden):
            self.failures.append(f"{where} ({response.status_code}): shows {found}")
        if response.status_code == 200 and "text/html" in response.get("Content-Type", ""):
            forms = POST_FORM.findall(text)
            if who == "backbone":
                for form in forms:
                    self.forms.setdefault(form_key(form, url), (form, url))
            if bare := [
                f for f in forms if 'name="csrfmiddlewaretoken"' not in f and not posts_to_csrf_exempt(f, url)
            ]:
                self.failures.append(
                    f"{where}: {len(bare)} of its {len(forms)} POST forms without a CSRF token"
                )
        return response, text

    def pages(
        self,
        client: Client,
        who: str,
        start: list[str],
        *,
        forbidden: tuple[str, ...] | None = None,
        admin: bool = False,
    ) -> list[str]:
        """Every page reachable from `start` by following links (the site's, or the admin's), at most
        a few of each route pattern (and of each sentinel page) besides those of `start`."""
        forbidden = FORBIDDEN[who] if forbidden is None else forbidden
        self.counts = None
        starting = set(start)
        queue, seen, visited = deque(start), set(), []
        taken: dict[tuple[str, bool], int] = defaultdict(int)
        limit = MAX_ADMIN_PER_ROUTE if admin else MAX_PER_ROUTE
        while queue and len(visited) < MAX_PAGES:
            url = queue.popleft()
            if url in seen:
                continue
            seen.add(url)
            if admin != url.startswith("/admin/") or (not admin and url.startswith(SKIP_PREFIXES)):
                continue
            path, query = urlsplit(url).path, urlsplit(url).query
            try:
                route = resolve(path).route
            except Resolver404:
                continue
            key = (path if path in self.sentinel_pages else route, bool(query))
            if taken[key] >= limit and url not in starting:
                continue
            taken[key] += 1
            visited.append(url)
            response, text = self.get(client, who, url, forbidden)
            if response.status_code == 200 and "text/html" in response.get("Content-Type", ""):
                queue.extend(links(text))
        if who == "backbone" and not admin:
            self.visited = visited
        return visited

    def report(self, what: str) -> str:
        return f"{len(self.failures)} problems {what}:\n" + "\n".join(self.failures[:80])


# --- The tests ----------------------------------------------------------------------------------


def test_every_page_as_everyone(world):
    """Every page every persona reaches: no 5xx, no sentinel it may not read, every POST form with its
    CSRF token, no write; and every page pattern reached."""
    reads = world.backbone  # the backbone's part, made with the world
    start = world.backbone.visited
    assert len(start) > 100
    for who in PERSONAS:
        if who != "backbone":
            reads.pages(world.clients[who], who, [*start, *world.email_links.get(who, [])])
    admin = reads.pages(world.clients["admin"], "admin", ["/admin/"], admin=True)
    assert len(admin) > 50
    assert not reads.failures, reads.report("reading the pages")

    missing = sorted(set(page_patterns()) - reads.names - set(EXEMPT))
    assert not missing, (
        f"pages no GET reached (link them, add them to email_links, or exempt them with a reason): {missing}"
    )
    unread = sorted(set(NOT_LINKED) - reads.names)
    assert not unread, f"pages email_links() should reach and did not: {unread}"
    reads.assert_unchanged("the crawl")


def test_with_named_sharing_members_read_values_but_nothing_else(world):
    measurement_services.measurement_settings_update(
        initiative=world.initiative, by=world.users["backbone"], share_named_values=True
    )
    reads = Crawl(world.sentinel_pages)
    # Sharing changes what members read; the backbone and Youth Futures read the values anyway, and
    # nothing changes for anyone outside the initiative.
    for who, forbidden in FORBIDDEN_WHEN_SHARED.items():
        reads.pages(world.clients[who], who, world.backbone.visited, forbidden=forbidden)
    assert not reads.failures, reads.report("with named sharing")
    # The sentinel is there to be found: shared, the partner reads it.
    assert "987654" in body_text(world.clients["partner"].get(f"{HOME}measurement/export.csv"))


def test_the_sentinels_are_visible_to_those_allowed(world):
    """The checks look for the right text: the people allowed to read it do find it."""
    clients = world.clients
    export = body_text(clients["backbone"].get(f"{HOME}measurement/export.xlsx"))
    assert "987654.321" in export and "B-ONLY-COMMENT" in export
    assert "987654" in body_text(clients["youth"].get(f"{HOME}measurement/export.csv"))
    assert "987654" not in body_text(clients["partner"].get(f"{HOME}measurement/export.csv"))
    assert "PRIVATE-DOC-SENTINEL" in body_text(clients["partner"].get(f"{HOME}communication/documents/"))
    other = clients["other_member"].get("/initiatives/healthy-negev/communication/meetings/")
    assert "OTHERINIT-SENTINEL" in body_text(other)


# --- Bad input to every form ---------------------------------------------------------------------

TYPED = ("text", "textarea", "search", "email", "url", "tel", "password", "number", "date", "month",
         "time", "datetime-local", "select", "hidden")  # fmt: skip
NOT_A_VALUE = {
    "number": "-99999999999999999999",
    "date": "2026-02-30",
    "month": "2026-13",
    "time": "25:61",
    "datetime-local": "2026-13-01T25:61",
    "select": "99999999999",
    "hidden": "99999999999999999999",
    "email": "x@@example",
    "url": "javascript:alert(1)",
    "text": "\x00",
    "textarea": "\x00",
}
NOT_A_FILE = {"empty": b"", "binary": b"\x00\xff" * 4096, "torn CSV": 'a,b\n"unterminated,\xd7\n'.encode()}


def bad_inputs(fields: list[tuple[str, str, str]]) -> list[tuple[str, dict]]:
    """The form as shown (files left out), then empty, then 20,000 characters in every text field,
    then values none of its fields accepts, then files that are no spreadsheet, CSV or PDF. The
    CSRF token stays as shown in all."""
    shown = {name: value for name, kind, value in fields if kind != "file"}
    files = [name for name, kind, _value in fields if kind == "file"]

    def each(change) -> dict:
        data = dict(shown)
        for name, kind, value in fields:
            if name != "csrfmiddlewaretoken" and kind in TYPED and (new := change(kind, value)) is not None:
                data[name] = new
        return data

    out = [
        ("as shown", dict(shown)),
        ("empty", each(lambda kind, value: None if kind == "hidden" else "")),
        ("20,000 characters", each(lambda kind, value: "א" * 20_000 if kind in TYPED[:7] else None)),
        ("not a value", each(lambda kind, value: NOT_A_VALUE.get(kind))),
    ]
    for what, content in NOT_A_FILE.items() if files else ():
        sent = {name: SimpleUploadedFile(f"{what}.xlsx", content) for name in files}
        out.append((f"{what} file", {**shown, **sent}))
    return out


def test_every_form_answers_bad_input_without_a_server_error(world):
    """Every POST form of the backbone's pages (the sign-in form among them), posted as shown and
    with bad input (bad_inputs): never a server error; the refusal is the form's own message. Each
    post in a savepoint rolled back, so that none changes what the next one finds."""
    client = world.clients["backbone"]
    failures, posted = [], 0
    for (route, _names), (form, page) in world.backbone.forms.items():
        target = form_target(form, page)
        if route in ("accounts/logout/", "i18n/setlang/"):
            continue  # they change the client (its session, its language), not the database
        for what, data in bad_inputs(form_fields(form)):
            savepoint = transaction.savepoint_create()
            try:
                response = client.post(target, data)
            finally:
                transaction.savepoint_rollback(savepoint)
            posted += 1
            if response.status_code >= 500:
                error = getattr(response, "exc_info", None)
                raised = f" ({error[0].__name__}: {str(error[1])[:200]})" if error else ""
                failures.append(f"{what}: POST {target} (form on {page}): {response.status_code}{raised}")
    assert len(world.backbone.forms) > 60 and posted > 300  # the forms were found and posted
    assert not failures, f"{len(failures)} server errors:\n" + "\n".join(failures)


# --- The API ------------------------------------------------------------------------------------


def api_reads() -> list[str]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return sorted(
        path.replace("{initiative_slug}", SLUG).replace("{slug}", SLUG)
        for path, item in schema["paths"].items()
        if "get" in item
    )


def api_walk(reads: Crawl, backbone: Client) -> tuple[list[str], str]:
    """The backbone reads every list (every page of it) and the detail of the first objects of each
    and of every listed object that shows a sentinel. Returns the addresses read and the text of the
    values read."""
    urls: list[str] = []
    values = []
    paths = api_reads()
    lists = [p for p in paths if "{" not in p]
    details = [p for p in paths if "{" in p]
    listed: dict[str, list[dict]] = {}
    for path in lists:
        url = path
        while url:
            urls.append(url)
            response, text = reads.get(backbone, "backbone", url, FORBIDDEN["backbone"])
            if "/values/" in url:
                values.append(text)
            # A CSV feed (measurement/api/feeds.py) is read as any page; it lists nothing to follow.
            json_answer = response.get("Content-Type", "").startswith("application/json")
            body = json.loads(text) if response.status_code == 200 and json_answer else {}
            if not isinstance(body, dict) or "results" not in body:
                break
            listed.setdefault(path, []).extend(body["results"])
            url = body.get("next")
    for path in details:
        head, _sep, tail = path.partition("{")
        key, _sep, rest = tail.partition("}")
        if "{" in rest:
            continue  # nested identifiers: none in v1
        items = listed.get(head, [])
        chosen = items[:MAX_API_DETAILS] + [
            item for item in items[MAX_API_DETAILS:] if leaks(json.dumps(item, ensure_ascii=False), SENTINELS)
        ]
        field_name = {"pk": "id"}.get(key, key)
        for item in chosen:
            if field_name in item:
                url = f"{head}{item[field_name]}{rest}"
                urls.append(url)
                response, text = reads.get(backbone, "backbone", url, FORBIDDEN["backbone"])
                if "/values/" in url:
                    values.append(text)
    return urls, "".join(values)


def test_every_api_read_as_everyone(world):
    """Every API read every persona and token makes: no 5xx, no sentinel it may not read, no write."""
    reads = Crawl()
    urls, values = api_walk(reads, world.clients["backbone"])
    assert len(urls) > 100
    assert "987654" in values  # the backbone reads the sentinel: the others are looked at for it
    for who, client in world.clients.items():
        if who != "backbone":
            for url in urls:
                reads.get(client, who, url, FORBIDDEN[who])
    assert not reads.failures, reads.report("reading the API")
    reads.assert_unchanged("the API reads")


def test_the_checks_see_a_write():
    """The instruments work: a write between two readings is seen by both."""
    before, counts = fingerprint(), write_counts()
    get_user_model().objects.create_user("someone-new")
    assert "auth_user" in written(counts, write_counts())
    assert "auth_user" in changed_tables(before, fingerprint())
