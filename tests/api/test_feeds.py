"""BI feeds (#21): flat CSV of the aggregates and of the values a caller may read, called exactly as
the recipes of docs/bi.md call them (Excel's From Web dialog, Power Query's Web.Contents), and read
as Power Query reads them (Csv.Document with Encoding = 65001, Table.PromoteHeaders, and
Table.TransformColumnTypes in "en-US")."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.conf import settings
from django.test import Client

from measurement import services
from measurement.api.feeds import AGGREGATE_HEADER, VALUE_HEADER
from measurement.models import MeasurementSettings
from tests.queries import assert_queries_constant

from ..permission_matrix import EVERY_MEMBER, Endpoint, check_permission, module_world, permission_cases
from .conftest import BASE, build_api_mworld, compute_aggregates

pytestmark = pytest.mark.django_db

# Built once for the module: each test runs in a savepoint of it, with its own copy (module_world).
mworld_once, mworld = module_world("mworld", build_api_mworld)

DOC = Path(settings.BASE_DIR) / "docs" / "bi.md"
DOC_SLUG = "cradle-to-career"  # the demo's, in the recipes
DOC_TOKEN = "cit_xxxx"


# --- The recipes, read from docs/bi.md ----------------------------------------------------------------


@dataclass
class Recipe:
    name: str
    path: str
    query: dict[str, str]
    scheme: str  # Token or Bearer
    types: dict[str, str]  # column -> Power Query type


def _path(path: str) -> str:
    assert f"/initiatives/{DOC_SLUG}/" in path, path
    return path.replace(f"/initiatives/{DOC_SLUG}/", "/initiatives/c2c/")


def recipes() -> list[Recipe]:
    text = DOC.read_text(encoding="utf-8")
    found = []
    # Excel's From Web (Advanced) dialog: the URL parts, concatenated, and the header.
    for block in re.findall(r"```text\n(.*?)```", text, re.S):
        parts, header = block.split("HTTP request header parameters:")
        url = "".join(line.strip() for line in parts.replace("URL parts:", "").splitlines())
        name, value = header.split()[0], " ".join(header.split()[1:])
        assert name == "Authorization" and value.endswith(DOC_TOKEN), header
        split = urlsplit(url)
        found.append(
            Recipe(
                "excel-from-web",
                _path(split.path),
                dict(parse_qsl(split.query)),
                value.split()[0],
                # Step 5: value as a decimal number using the English (United States) locale, dates as dates.
                {"value": "type number", "period_start": "type date", "period_end": "type date"},
            )
        )
    # Power Query's code.
    for block in re.findall(r"```powerquery\n(.*?)```", text, re.S):
        assert '"https://ci.example.org"' in block
        relative = re.search(r'RelativePath = "([^"]+)"', block).group(1)
        query = re.search(r"Query = \[([^\]]*)\]", block).group(1)
        authorization = re.search(r'Headers = \[Authorization = "(\w+) ([^"]+)"\]', block)
        assert authorization.group(2) == DOC_TOKEN
        assert "Encoding = 65001" in block and 'Delimiter = ","' in block and '"en-US"' in block
        found.append(
            Recipe(
                "power-query-" + relative.rsplit("/", 1)[-1],
                _path("/" + relative),
                dict(re.findall(r'(\w+) = "([^"]*)"', query)),
                authorization.group(1),
                dict(re.findall(r'\{"(\w+)", (type \w+|Int64\.Type)\}', block)),
            )
        )
    return found


def test_the_recipes_are_found():
    names = [r.name for r in recipes()]
    assert names == ["excel-from-web", "power-query-aggregates.csv", "power-query-values.csv"]


# --- Reading as Power Query reads ----------------------------------------------------------------------

NUMBER = re.compile(r"-?\d+(\.\d+)?([eE][-+]?\d+)?")
INTEGER = re.compile(r"-?\d+")


def convert(value: str, kind: str):
    """One cell as Table.TransformColumnTypes(…, "en-US") converts it; an error if it could not."""
    if value == "":
        return None
    if kind == "type number":
        assert NUMBER.fullmatch(value), f"not an en-US number: {value!r}"
        return float(value)
    if kind == "Int64.Type":
        assert INTEGER.fullmatch(value), f"not a whole number: {value!r}"
        return int(value)
    if kind == "type date":
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", value), value
        return date.fromisoformat(value)
    if kind == "type datetimezone":
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})", value), value
        return datetime.fromisoformat(value)
    if kind == "type logical":
        assert value in ("true", "false"), value
        return value == "true"
    raise AssertionError(f"a type the test does not know: {kind}")


def power_query(response, types: dict[str, str]) -> list[dict]:
    """Csv.Document(Source, [Delimiter = ",", Encoding = 65001, QuoteStyle = QuoteStyle.Csv]),
    Table.PromoteHeaders, Table.TransformColumnTypes(…, "en-US")."""
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    raw = b"".join(response.streaming_content)
    assert raw.startswith(b"\xef\xbb\xbf"), "a BOM, for Excel"
    text = raw.decode("utf-8")[1:]
    assert "\r\n" in text
    table = list(csv.reader(io.StringIO(text, newline=""), delimiter=","))
    header, rows = table[0], table[1:]
    assert len(set(header)) == len(header) and all(re.fullmatch(r"[a-z0-9_]+", h) for h in header)
    missing = set(types) - set(header)
    assert not missing, f"the recipe types columns the feed does not have: {missing}"
    out = []
    for row in rows:
        assert len(row) == len(header), row
        record = dict(zip(header, row, strict=True))
        for column, kind in types.items():
            record[column] = convert(record[column], kind)
        out.append(record)
    return out


def call(recipe: Recipe, secret: str, **headers):
    """As the recipe does: no session, the token in the Authorization header, the query parameters."""
    return Client().get(
        recipe.path, recipe.query, headers={"Authorization": f"{recipe.scheme} {secret}", **headers}
    )


@pytest.fixture
def approved_b(mworld):
    """Partner B's submitted year approved: a decimal value (pop-rate 12.5) in the data."""
    services.submission_approve(submission=mworld.b_submission, by=mworld.backbone)
    compute_aggregates(mworld.initiative)
    return mworld


@pytest.mark.parametrize("recipe", recipes(), ids=lambda r: r.name)
def test_each_recipe_as_written(tokens, approved_b, recipe):
    rows = power_query(call(recipe, tokens["read"]), recipe.types)
    assert rows
    closed = approved_b.periods["year_closed"]
    if "aggregates" in recipe.path:
        assert list(rows[0]) == AGGREGATE_HEADER
        assert recipe.query.get("total") != "true" or all(r["breakdown_1"] == "" for r in rows)
        total = next(
            r
            for r in rows
            if r["measure"] == "enrolled" and r["period"] == closed.code and not r["breakdown_1"]
        )
        assert total["value"] == 300.0
        assert total["period_start"] == closed.start and total["period_end"] == closed.end
        pop = next(r for r in rows if r["measure"] == "pop-rate")
        assert pop["value"] == 12.5
    else:
        assert list(rows[0]) == VALUE_HEADER
        assert {r["status"] for r in rows} == {"approved"}
        assert 12.5 in [r["value"] for r in rows if r["measure"] == "pop-rate"]
        assert "B-ONLY-COMMENT" in [r["comment"] for r in rows]  # a read token reads every organisation


def test_a_bearer_header_and_no_filters_work_too(tokens, mworld):
    recipe = next(r for r in recipes() if r.name == "power-query-aggregates.csv")
    recipe.scheme, recipe.query = "Bearer", {}
    rows = power_query(call(recipe, tokens["read"]), recipe.types)
    assert any(r["breakdown_1"] for r in rows) and any(not r["breakdown_1"] for r in rows)


def test_names_follow_accept_language_codes_do_not(tokens, mworld):
    recipe = next(r for r in recipes() if r.name == "power-query-aggregates.csv")
    rows = power_query(call(recipe, tokens["read"], **{"Accept-Language": "he"}), recipe.types)
    assert {r["measure_name"] for r in rows if r["measure"] == "enrolled"} == {"מדד enrolled"}
    recipe.query = {"total": "false", "measure": "enrolled"}
    cells = power_query(call(recipe, tokens["read"], **{"Accept-Language": "he"}), recipe.types)
    assert {(r["breakdown_1"], r["breakdown_1_name"]) for r in cells} == {
        ("dalet", "ד'"),
        ("hey", "ה'"),
        ("vav", "ו'"),
    }


# --- The same rows and scope as the JSON API -----------------------------------------------------------


def _api_ids(client: Client, url: str) -> set[int]:
    ids = set()
    while url:
        body = client.get(url).json()
        ids |= {row["id"] for row in body["results"]}
        url = body["next"]
    return ids


def _feed_ids(client: Client, url: str) -> set[int]:
    response = client.get(url)
    return {int(r["id"]) for r in power_query(response, {"id": "Int64.Type"})}


@pytest.mark.parametrize("token", ["read", "submit", "submit_b"])
def test_values_feed_scope_is_the_values_apis_for_tokens(tokens, mworld, token):
    client = Client(headers={"Authorization": f"Token {tokens[token]}"})
    feed = _feed_ids(client, BASE + "feeds/values.csv")
    assert feed == _api_ids(client, BASE + "values/") and feed
    orgs = {
        "read": {mworld.org.pk, mworld.org_b.pk},
        "submit": {mworld.org.pk},
        "submit_b": {mworld.org_b.pk},
    }[token]
    response = client.get(BASE + "feeds/values.csv")
    assert {int(r["organization_id"]) for r in power_query(response, {})} == orgs


@pytest.mark.parametrize("persona", ["backbone", "steering", "partner", "viewer"])
def test_values_feed_scope_is_the_values_apis_for_members(mworld, persona):
    client = Client()
    client.force_login(mworld.world.people[persona])
    assert _feed_ids(client, BASE + "feeds/values.csv") == _api_ids(client, BASE + "values/")


def test_values_feed_shares_named_values_where_the_initiative_does(tokens, mworld):
    client = Client(headers={"Authorization": f"Token {tokens['submit']}"})
    assert "B-ONLY-COMMENT" not in client.get(BASE + "feeds/values.csv").getvalue().decode()
    MeasurementSettings.objects.update_or_create(
        initiative=mworld.initiative, defaults={"share_named_values": True}
    )
    assert _feed_ids(client, BASE + "feeds/values.csv") == _api_ids(client, BASE + "values/")
    assert "B-ONLY-COMMENT" in client.get(BASE + "feeds/values.csv").getvalue().decode()


def test_aggregates_feed_is_the_aggregates_apis(tokens, approved_b):
    client = Client(headers={"Authorization": f"Token {tokens['read']}"})
    api, url = set(), BASE + "aggregates/"
    while url:
        body = client.get(url).json()
        api |= {
            (
                r["measure"],
                r["period"],
                r["breakdown_1"] or "",
                r["breakdown_2"] or "",
                r["value"],
                r["provisional"],
            )
            for r in body["results"]
        }
        url = body["next"]
    rows = power_query(client.get(BASE + "feeds/aggregates.csv"), {"provisional": "type logical"})
    feed = {
        (
            r["measure"],
            r["period"],
            r["breakdown_1"],
            r["breakdown_2"],
            None if r["value"] == "" else f"{float(r['value']):.6f}",
            r["provisional"],
        )
        for r in rows
    }
    assert feed == api and len(rows) == len(feed)


@pytest.mark.parametrize(
    ("query", "field"),
    [({"period_from": "not-a-date"}, "period_from"), ({"frequency": "hourly"}, "frequency")],
)
def test_bad_filters_are_400_in_the_apis_shape(tokens, mworld, query, field):
    client = Client(headers={"Authorization": f"Token {tokens['read']}"})
    response = client.get(BASE + "feeds/aggregates.csv", query)
    assert response.status_code == 400 and field in response.json()["errors"]
    # A client that asks for CSV only gets its error in the API's shape too, not a 406.
    as_csv = client.get(BASE + "feeds/aggregates.csv", query, headers={"Accept": "text/csv"})
    assert as_csv.status_code == 400 and field in as_csv.json()["errors"]


@pytest.mark.parametrize("token", ["other", "expired", "revoked"])
def test_foreign_expired_and_revoked_tokens_are_refused(tokens, mworld, token):
    client = Client(headers={"Authorization": f"Token {tokens[token]}"})
    for feed in ("aggregates", "values"):
        response = client.get(BASE + f"feeds/{feed}.csv")
        assert response.status_code == (404 if token == "other" else 401)
        assert b"Cradle" not in response.content and b"enrolled" not in response.content


def test_a_constant_number_of_queries(tokens, mworld):
    client = Client(headers={"Authorization": f"Token {tokens['read']}"})

    def fetch():
        for feed in ("aggregates", "values"):
            response = client.get(BASE + f"feeds/{feed}.csv")
            assert response.status_code == 200
            b"".join(response.streaming_content)

    def grow():
        services.submission_approve(submission=mworld.b_submission, by=mworld.backbone)
        compute_aggregates(mworld.initiative)

    assert_queries_constant(fetch, grow)


# --- Permissions ---------------------------------------------------------------------------------------


def feed(name):
    return lambda w: f"/api/v1/initiatives/{w.initiative.slug}/feeds/{name}.csv"


API = [
    Endpoint("feed-aggregates", feed("aggregates"), EVERY_MEMBER, api=True),
    Endpoint("feed-values", feed("values"), EVERY_MEMBER, api=True),
]


@pytest.mark.parametrize(("endpoint", "persona"), permission_cases(API))
def test_feed_permissions(client, mworld, endpoint, persona):
    check_permission(client, mworld.world, endpoint, persona)
