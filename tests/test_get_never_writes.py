"""A GET never writes: every page and API read, as every persona, leaves every table as it was.

A GET is what browsers prefetch, mail scanners open, crawlers follow and people reload: none of them
may change anything (RFC 9110 §9.2.1). The world is the leak crawl's (tests/test_leaks.py: the
demo with sentinels, an upload waiting in its preview, an open collaboration-survey wave), with the
links that arrive by email added: an invitation, a password reset, a survey respondent's link, an
unsubscribe link and each person's notifications.

Two checks, one precise and one complete:

* around every request, PostgreSQL's per-transaction counters (`pg_stat_xact_user_tables`: rows
  inserted, updated, deleted per table) name the tables a GET wrote and the URL that did it, and
  the transaction's on-commit hooks must not grow (a task or an email queued by a read);
* around each crawl, a fingerprint of every table of the database (row count and the md5 of all
  its rows) must be unchanged.

Signing in writes (a session row, `last_login`, django-axes' access log): every client signs in
with `force_login` before the first fingerprint. What a read may write, each with its reason, is
in ALLOWED below; nothing else is.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.db import connection
from django.test import Client
from django.urls import resolve, reverse
from django.urls.exceptions import Resolver404
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from backbone import services as backbone_services
from backbone.choices import RespondentGroup
from backbone.models import SurveyItem
from communication import services as communication_services
from communication.models import Notification
from initiatives import services as initiative_services
from initiatives.choices import Role
from initiatives.models import Organization

from . import test_leaks
from .test_leaks import CITY, ENGLISH_HOME, SLUG, Demo, api_urls, body_text, links, page_patterns, seeds

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

demo = test_leaks.demo  # the leak crawl's world, a fixture

# Who requests: anonymous, every role of the first initiative ("youth" is a second partner
# organisation), a member of the other initiative, someone signed in with no initiative, and the
# platform administrator (staff and superuser: also crawls the Django admin).
SIGNED_IN = ("backbone", "steering", "partner", "viewer", "youth", "other_member", "outsider", "admin")
PERSONAS = ("anonymous", *SIGNED_IN)
TOKENS = ("read-token", "submit-token", "other-token")

# What a read may write, per table: (the URL names or clients it may, why). Nothing else may.
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
# Columns left out of the fingerprint, for the reasons in ALLOWED.
UNCOMPARED_COLUMNS = {"initiatives_apitoken": ("last_used_at",)}

# Pattern names no GET reaches, and why.
NO_GET = {
    "set_language": "POST only",
    "logout": "POST only",
    "sso:callback": "the identity provider's redirect back, the one GET that signs in (OpenID Connect's code "
    "flow); 404 while single sign-on is off, as here (tests/sso/test_sso.py)",
}
# Not crawled: files, the language switch (POST only), and the demo's English initiative (the same
# pages as the first's, of the same people).
SKIP_PREFIXES = ("/static/", "/media/", "/i18n/", ENGLISH_HOME)
MAX_PAGES = 900
MAX_QUERY_VARIANTS = 3
MAX_ADMIN_PER_ROUTE = 4  # the admin's pages per model are alike: a few objects of each are enough


# --- Watching the database ----------------------------------------------------------------------


def write_counts() -> dict[str, tuple[int, int, int]]:
    """Rows inserted, updated and deleted per table in this transaction so far (the test's own)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, n_tup_ins, n_tup_upd, n_tup_del FROM pg_stat_xact_user_tables "
            "WHERE n_tup_ins + n_tup_upd + n_tup_del > 0"
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


def fingerprint() -> dict[str, tuple[int, str]]:
    """Every table of the database: its row count and the md5 of all its rows, in a stable order."""
    out = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            quoted = connection.ops.quote_name(table)
            row = "t::text"
            if dropped := UNCOMPARED_COLUMNS.get(table):
                row = "(to_jsonb(t) - %s::text[])::text"
            # The table names come from the database's own catalogue, never from a request.
            cursor.execute(
                f"SELECT count(*), md5(coalesce(string_agg({row}, '|' ORDER BY {row}), '')) "  # noqa: S608
                f"FROM {quoted} t",
                [list(dropped), list(dropped)] if dropped else None,
            )
            out[table] = cursor.fetchone()
    return out


def changed_tables(before: dict, after: dict) -> list[str]:
    return sorted(t for t in before.keys() | after.keys() if before.get(t) != after.get(t))


class Reads:
    """GETs that must not write; every write is recorded with the URL that made it."""

    def __init__(self) -> None:
        self.failures: list[str] = []
        self.names: set[str] = set()

    def get(self, client: Client, who: str, url: str):
        path = urlsplit(url).path
        try:
            name = resolve(path).view_name
        except Resolver404:
            name = "?"
        before, hooks = write_counts(), len(connection.run_on_commit)
        response = client.get(url)
        text = body_text(response)  # a streamed response writes, if at all, while it streams
        after = write_counts()
        for table, what in written(before, after).items():
            allowed, _why = ALLOWED.get(table, ((), ""))
            if who not in allowed and name not in allowed:
                self.failures.append(f"{who} GET {url} [{name}] wrote {table}: {what}")
        if len(connection.run_on_commit) > hooks:
            queued = [repr(hook) for _sids, hook, _robust in connection.run_on_commit[hooks:]]
            self.failures.append(f"{who} GET {url} [{name}] queued work for the commit: {queued}")
        if response.status_code >= 500:
            self.failures.append(f"{who} GET {url} [{name}]: {response.status_code}")
        else:
            self.names.add(name)
        return response, text

    def crawl(self, client: Client, who: str, start: list[str], *, admin: bool = False) -> set[str]:
        """Every page reachable from `start` by following links (the site's, or the admin's)."""
        queue, seen = list(start), set()
        variants: dict[str, int] = defaultdict(int)
        while queue and len(seen) < MAX_PAGES:
            url = queue.pop(0)
            if url in seen:
                continue
            if admin != url.startswith("/admin/") or (not admin and url.startswith(SKIP_PREFIXES)):
                continue
            path = urlsplit(url).path
            try:
                route = resolve(path).route
            except Resolver404:
                continue
            key, limit = (route, MAX_ADMIN_PER_ROUTE) if admin else (path, MAX_QUERY_VARIANTS)
            if admin or urlsplit(url).query:
                if variants[key] >= limit:
                    continue
                variants[key] += 1
            seen.add(url)
            response, text = self.get(client, who, url)
            if response.status_code == 200 and "text/html" in response.get("Content-Type", ""):
                queue.extend(links(text))
        return seen

    def check(self) -> None:
        assert not self.failures, f"{len(self.failures)} GETs wrote:\n" + "\n".join(self.failures[:80])


def assert_unchanged(before: dict, after: dict, during: str) -> None:
    tables = changed_tables(before, after)
    assert not tables, f"{during} changed these tables: {tables}"


# --- The world: the leak crawl's, with the links that arrive by email ---------------------------


def email_links(demo: Demo) -> dict[str, list[str]]:
    """The addresses people reach from an email, per persona, made before the fingerprint."""
    initiative, users = demo.initiative, demo.users
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


def signed_in(demo: Demo) -> dict[str, Client]:
    clients = {"anonymous": Client()}
    for who in SIGNED_IN:
        clients[who] = Client()
        clients[who].force_login(demo.users[who])
    return clients


# --- The tests ----------------------------------------------------------------------------------


def test_no_page_writes_for_anyone(demo):
    extra = email_links(demo)
    clients = signed_in(demo)
    reads = Reads()
    before = fingerprint()

    visited = reads.crawl(clients["backbone"], "backbone", [*seeds(demo), *extra["backbone"]])
    assert len(visited) > 100
    start = sorted(visited)
    for who in PERSONAS:
        if who != "backbone":
            reads.crawl(clients[who], who, [*start, *extra.get(who, [])])
    admin = reads.crawl(clients["admin"], "admin", ["/admin/"], admin=True)
    assert len(admin) > 50
    reads.check()

    missing = sorted(set(page_patterns()) - reads.names - set(NO_GET))
    assert not missing, f"pages no GET reached (link them, or add them to email_links): {missing}"
    assert_unchanged(before, fingerprint(), "the crawl")


def test_no_api_read_writes_for_anyone(demo):
    clients = signed_in(demo)
    for name in TOKENS:
        clients[name] = test_leaks.client_for(demo, name)
    urls = api_urls(clients["backbone"])
    assert len(urls) > 100
    reads = Reads()
    before = fingerprint()
    for who, client in clients.items():
        for url in urls:
            reads.get(client, who, url)
    reads.check()
    assert_unchanged(before, fingerprint(), "the API reads")


def test_the_checks_see_a_write():
    """The instruments work: a write between two readings is seen by both."""
    from django.contrib.auth import get_user_model

    before, counts = fingerprint(), write_counts()
    get_user_model().objects.create_user("someone-new")
    assert "auth_user" in written(counts, write_counts())
    assert "auth_user" in changed_tables(before, fingerprint())
