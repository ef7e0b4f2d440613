"""Property-based tests (hypothesis) of the three doors bad data comes in by: the entry grid, the
file import and the bulk API. Whatever arrives (text, huge numbers, NaN, Infinity, unicode digits,
right-to-left marks, NUL bytes, broken files, JSON of any shape), the answer is a clear refusal or
a clean save: never a server error or an unexpected exception, and never half a save. Each example
compares the database before and after.

Example counts stay modest (CI runs on two cores); a failure prints the example to reproduce it.
"""

from __future__ import annotations

import io
import json
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from initiatives import services as initiative_services
from initiatives.choices import TokenScope
from measurement.entry import importer
from measurement.entry.validation import parse_number
from measurement.models import AuditEntry, DataValue, ImportJob, Submission

from ..api.conftest import bearer
from ..api.test_bulk import year_values
from .conftest import field_name, grid_fields

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

PROPERTY = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# What people (and attackers) type into a number cell.
TRICKY = [
    "NaN", "nan", "Infinity", "-Infinity", "inf", "1e309", "1E+400", "1e-400", "-0", "0.0000001",
    "9" * 40, "1" + "0" * 25, "٣٤", "１２", "\u200f12", "12\u200e", "\u202e21", "\u00a0 7 ", "12\u00a0000",
    "1,234.5", "1,5", "1.2.3", "0x1F", "1_000", "+5", "−3", "=1+1", "@SUM(A1)", "-2+3", "\t=1", "\x00",
    "1\x00", "' OR 1=1 --", "<script>alert(1)</script>", "", " ", "\n", "12 ", "5e2", "-5",
]  # fmt: skip
values = st.one_of(
    st.sampled_from(TRICKY),
    st.text(max_size=30),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.floats().map(repr),
    st.from_regex(r"-?[0-9]{1,8}(\.[0-9]{1,8})?", fullmatch=True),
)
comments = st.one_of(st.just(""), st.text(max_size=60), st.sampled_from(["\x00", "=HYPERLINK(1)", "\u202e"]))


def snapshot(organization=None):
    data = (
        DataValue.objects.all()
        if organization is None
        else DataValue.objects.filter(organization=organization)
    )
    return (
        sorted(data.values_list("id", "value", "comment", "updated_at")),
        AuditEntry.objects.count(),
        sorted(Submission.objects.values_list("id", "status")),
    )


def number_or_none(text: str) -> Decimal | None:
    try:
        return parse_number(text)
    except ValueError:
        return None


# --- (a) The entry grid -----------------------------------------------------------------------


def test_the_grid_saves_whole_or_not_at_all(mworld):
    """A valid year with up to three cells (and comments) replaced by anything."""
    client = Client()
    client.force_login(mworld.partner)
    p = mworld.periods["year"]
    url = reverse(
        "measurement:entry",
        kwargs={"slug": "c2c", "org": mworld.org.pk, "frequency": p.frequency, "period": p.code},
    )
    names = sorted(n for n in grid_fields(client.get(url)).fields if n.startswith("v"))
    valid = {field_name(cell): text for cell, text in mworld.valid_year().items()}
    assert names and set(valid) <= set(names)
    outcomes = set()

    @PROPERTY
    @given(
        changed=st.dictionaries(st.sampled_from(names), values, max_size=3),
        notes=st.dictionaries(st.sampled_from(names), comments, max_size=3),
    )
    def run(changed, notes):
        typed = {name: valid.get(name, "") for name in names} | changed
        before = snapshot(mworld.org)
        response = client.post(url, {**typed, **{"c" + n: t for n, t in notes.items()}, "save": ""})
        assert response.status_code in (302, 400), response.status_code
        outcomes.add(response.status_code)
        if response.status_code == 400:
            assert snapshot(mworld.org) == before, "a refused grid changed the database"
            return
        # Saved: every cell holds exactly what was typed, blanks cleared.
        stored = {
            field_name((v.measure_id, v.member1_id, v.member2_id)): v
            for v in DataValue.objects.filter(organization=mworld.org, period=p)
        }
        for name in names:
            text = typed[name][:100]
            if not text.strip():
                assert name not in stored, name
                continue
            assert name in stored and stored[name].value == number_or_none(text), (name, text)
            # Comments are kept as typed, trimmed; a NUL character (PostgreSQL cannot store it) dropped.
            assert stored[name].comment == notes.get(name, "").replace("\x00", "").strip()[:2000], name

    run()
    assert outcomes == {302, 400}, f"only {outcomes}: the property was not exercised both ways"


# --- (b) The file import ----------------------------------------------------------------------

COLUMNS = importer.COLUMNS


def valid_rows(mworld) -> list[list[str]]:
    """Partner Org's valid year as file rows."""
    codes = {m.pk: code for code, m in mworld.measures.items()}
    members = {m.pk: m.code for m in mworld.members.values()}
    period = mworld.periods["year"].code
    return [
        [codes[measure], period, members.get(m1, ""), members.get(m2, ""), text, ""]
        for (measure, m1, m2), text in mworld.valid_year().items()
    ]


@st.composite
def tables(draw, mworld):
    """The valid year's rows, some cells replaced by anything, maybe junk rows or a wrong header."""
    header = draw(st.sampled_from([COLUMNS, COLUMNS, COLUMNS, COLUMNS, None]))
    if header is None:
        header = draw(st.lists(st.text(max_size=12), max_size=7))
    rows = [list(r) for r in valid_rows(mworld)]
    measures = st.one_of(st.sampled_from(list(mworld.measures)), st.text(max_size=12))
    periods = st.one_of(st.sampled_from([p.code for p in mworld.periods.values()]), st.text(max_size=10))
    members = st.one_of(
        st.just(""), st.sampled_from(["dalet", "hey", "vav", "girls", "boys"]), st.text(max_size=8)
    )
    column = [measures, periods, members, members, values, comments]
    for _ in range(draw(st.integers(0, 3))):
        row, col = draw(st.integers(0, len(rows) - 1)), draw(st.integers(0, 5))
        rows[row][col] = draw(column[col])
    rows += draw(st.lists(st.tuples(*column).map(list), max_size=2))
    return [list(header), *draw(st.permutations(rows))]


def to_csv(table) -> bytes:
    import csv

    out = io.StringIO()
    csv.writer(out).writerows(table)
    return out.getvalue().encode("utf-8")


def to_xlsx(table) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in table:
        # openpyxl itself refuses control characters in cells; a real file cannot hold them either.
        sheet.append([c if not any(ord(ch) < 32 and ch not in "\t\n\r" for ch in c) else "x" for c in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _import(mworld, name: str, payload: bytes) -> str:
    before = snapshot()
    jobs = ImportJob.objects.count()
    try:
        job = importer.preview(
            initiative=mworld.initiative, organization=mworld.org, by=mworld.partner, name=name, data=payload
        )
    except importer.FileRefused as exc:
        assert str(exc)  # a clear message
        assert snapshot() == before and ImportJob.objects.count() == jobs
        return "file refused"
    assert job.rows and set(job.summary) <= {"create", "update", "unchanged", "reject"}
    assert snapshot() == before  # a preview writes no value
    try:
        totals = importer.commit(job=job, by=mworld.partner)
    except ValidationError as exc:
        assert exc.messages
        assert snapshot() == before, "a refused import changed the database"
        return "rows refused"
    assert job.summary.get("reject", 0) == 0
    assert totals["created"] + totals["updated"] == sum(job.summary.get(k, 0) for k in ("create", "update"))
    return "imported"


@pytest.mark.parametrize(("fmt", "examples"), [("csv", 60), ("xlsx", 25)])
def test_a_file_is_imported_whole_or_refused(mworld, fmt, examples):
    outcomes = set()

    @settings(PROPERTY, max_examples=examples)
    @given(data=st.data())
    def run(data):
        table = data.draw(tables(mworld))
        if fmt == "csv":
            name = data.draw(st.sampled_from(["values.csv", "VALUES.CSV", "values.txt"]))
            outcomes.add(_import(mworld, name, to_csv(table)))
        else:
            outcomes.add(_import(mworld, "values.xlsx", to_xlsx(table)))

    run()
    assert "imported" in outcomes and len(outcomes) > 1, outcomes


@PROPERTY
@given(payload=st.binary(max_size=2000), name=st.sampled_from(["a.csv", "a.xlsx", "a.txt", "a.exe", "a"]))
def test_any_bytes_are_refused_clearly(mworld, payload, name):
    try:
        _import(mworld, name, payload)
    except PermissionDenied:  # pragma: no cover - the partner enters its own organisation's data
        raise AssertionError("the partner may import its own data") from None


# --- (c) The bulk API -------------------------------------------------------------------------

json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=20)),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=12,
)


@st.composite
def bulk_bodies(draw, mworld):
    """Partner Org's valid year with some fields replaced by anything, or any JSON at all."""
    if draw(st.integers(0, 5)) == 0:
        return draw(json_values)
    items = year_values(mworld)
    anything = st.one_of(values, json_values)
    for _ in range(draw(st.integers(0, 3))):
        item = draw(st.sampled_from(items))
        key = draw(
            st.sampled_from(["measure", "period", "breakdown_1", "breakdown_2", "value", "comment", "x"])
        )
        item[key] = draw(st.one_of(anything, comments) if key == "comment" else anything)
    body = {"values": items}
    for key, strategy in (
        ("dry_run", st.one_of(st.booleans(), json_values)),
        ("submit", st.one_of(st.booleans(), json_values)),
        ("organization", st.one_of(st.just(mworld.org.pk), st.just(mworld.org_b.pk), json_values)),
    ):
        if draw(st.integers(0, 3)) == 0:
            body[key] = draw(strategy)
    return body


def test_the_bulk_api_answers_every_body_in_its_error_shape(mworld):
    _token, secret = initiative_services.api_token_create(
        initiative=mworld.initiative,
        by=mworld.backbone,
        label="fuzz",
        scope=TokenScope.SUBMIT,
        organization=mworld.org,
    )
    client = bearer(secret)
    outcomes = set()

    @PROPERTY
    @given(data=st.data())
    def run(data):
        cache.clear()  # the rate limit counts in the cache: every example starts with a full budget
        body = data.draw(bulk_bodies(mworld))
        raw = (
            json.dumps(body)
            if data.draw(st.integers(0, 9), label="mangle")
            else data.draw(st.text(max_size=50))
        )
        key = data.draw(st.one_of(st.none(), st.none(), st.text(max_size=300)), label="Idempotency-Key")
        headers = {} if key is None else {"Idempotency-Key": key}
        before = snapshot()
        response = client.post(
            "/api/v1/initiatives/c2c/submissions/bulk/", raw, content_type="application/json", headers=headers
        )
        assert response.status_code in (200, 400, 403, 409, 413), response.status_code
        outcomes.add(response.status_code)
        answer = response.json()
        if response.status_code != 200:
            # The error shape (a refused bulk submission adds its row-by-row verdict).
            assert {"code", "message", "errors"} <= set(answer) and answer["message"], answer
            assert snapshot() == before, "a refused bulk submission changed the database"
        elif answer.get("dry_run"):
            assert snapshot() == before

    run()
    assert {200, 400} <= outcomes, outcomes


# --- (d) Every export escapes what a spreadsheet would run ----------------------------------------


@settings(PROPERTY, max_examples=100)
@given(
    rows=st.lists(
        st.lists(
            st.one_of(st.text(max_size=20), st.sampled_from(["=1+1", "+1", "-x", "@A1", "\t=1", "\r=1"])),
            min_size=1,
            max_size=5,
        ),
        min_size=1,
        max_size=6,
    )
)
@example(rows=[["a comment with an escape \x1b[0m", "=\x01cmd"]])  # once a 500 on the Excel export
def test_exports_never_hand_a_spreadsheet_a_formula(rows):
    """exports.response is the one way values leave as CSV or Excel (the export and the template)."""
    import csv as csv_module

    from openpyxl import load_workbook

    from measurement import exports

    text = exports.response(rows, "x", "csv").content.decode("utf-8-sig")
    for row in csv_module.reader(io.StringIO(text, newline="")):
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
    sheet = load_workbook(io.BytesIO(exports.response(rows, "x", "xlsx").content)).active
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f", cell.value
            assert not str(cell.value or "").startswith(("=", "+", "-", "@")), cell.value
