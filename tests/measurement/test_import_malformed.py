"""Malformed Excel files, never a 500: every broken workbook is refused with a message, on the
importer and on the upload page, and nothing is written.

The files are built here from the real template (importer.template_rows, served as the download
serves it), saved the way Excel saves it (strings in xl/sharedStrings.xml), then broken one part at
a time: a sheet cut off mid-element, entity declarations (billion laughs, an external entity), a
corrupt string table, a zip holding no workbook, a workbook listing no sheet. openpyxl reads a
sheet lazily in read-only mode, so a broken sheet fails while its rows are read, not when the
file is opened; defusedxml makes it refuse entity declarations instead of expanding them.
"""

from __future__ import annotations

import io
import re
import zipfile
from xml.etree.ElementTree import ParseError  # noqa: S405 - the exception, not the parser

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from measurement import exports
from measurement.entry import importer
from measurement.models import AuditEntry, DataValue, ImportJob, Submission
from tests.measurement.conftest import build_mworld
from tests.permission_matrix import module_world

from .test_import import good_rows

pytestmark = pytest.mark.django_db

# Built once for the module: each test runs in a savepoint of it, with its own copy (module_world).
mworld_once, mworld = module_world("mworld", build_mworld)

SHEET = "xl/worksheets/sheet1.xml"
STRINGS = "xl/sharedStrings.xml"
UNREADABLE = "The Excel file cannot be read; save it again from Excel or use the CSV template."


# --- Building the files -----------------------------------------------------------------------


def rezip(data: bytes, replace: dict[str, bytes | None]) -> bytes:
    """The same archive with some parts replaced (None: removed) or added."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            if info.filename not in replace:
                target.writestr(info.filename, source.read(info.filename))
        for name, content in replace.items():
            if content is not None:
                target.writestr(name, content)
    return out.getvalue()


def part(data: bytes, name: str) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read(name)


def as_excel_saves_it(data: bytes) -> bytes:
    """openpyxl's write-only mode writes strings inline and no dimension; Excel keeps strings in a
    shared table and states the sheet's dimension first. Made so, a read-only load stops reading
    the sheet at the dimension, and the rest is read only as the rows are iterated."""
    strings: list[str] = []

    def shared(match: re.Match) -> bytes:
        text = match.group(2).decode()
        if text not in strings:
            strings.append(text)
        return b'<c r="%s" t="s"><v>%d</v></c>' % (match.group(1), strings.index(text))

    sheet = re.sub(
        rb'<c r="([A-Z]+\d+)" t="inlineStr"><is><t>([^<]*)</t></is></c>', shared, part(data, SHEET)
    )
    sheet = re.sub(rb'<c r="([A-Z]+\d+)" t="inlineStr" ?/>', rb'<c r="\1" />', sheet)
    last = re.findall(rb'<c r="([A-Z]+\d+)"', sheet)[-1]
    sheet = sheet.replace(b"</sheetPr>", b'</sheetPr><dimension ref="A1:%s" />' % last, 1)
    table = "".join(f"<si><t>{escape(s)}</t></si>" for s in strings)
    ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    sst = f'<sst xmlns="{ns}" count="{len(strings)}" uniqueCount="{len(strings)}">{table}</sst>'
    types = part(data, "[Content_Types].xml").replace(
        b"</Types>",
        b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
        b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
    )
    rels = part(data, "xl/_rels/workbook.xml.rels").replace(
        b"</Relationships>",
        b'<Relationship Id="rIdStrings" Target="sharedStrings.xml" Type="http://schemas.openxmlformats'
        b'.org/officeDocument/2006/relationships/sharedStrings"/></Relationships>',
    )
    return rezip(
        data,
        {
            SHEET: sheet,
            STRINGS: sst.encode(),
            "[Content_Types].xml": types,
            "xl/_rels/workbook.xml.rels": rels,
        },
    )


def template_workbook(mworld) -> bytes:
    """The partner's template for the current year, filled in, as Excel would save it."""
    period = mworld.periods["year"]
    wanted = {tuple(r[:4]): r[4] for r in good_rows(mworld)}
    rows = importer.template_rows(mworld.initiative, mworld.org, period)
    rows = [rows[0], *([*r[:4], wanted.get(tuple(r[:4]), ""), r[5]] for r in rows[1:])]
    return as_excel_saves_it(exports.response(rows, "template", "xlsx").content)


def cell_row(text: str) -> bytes:
    """A row with one inline string, to carry an entity reference into the sheet."""
    return f'<row r="900"><c r="F900" t="inlineStr"><is><t>{text}</t></is></c></row></sheetData>'.encode()


LAUGHS = (
    '<!DOCTYPE worksheet [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{n} "{("&lol" + (str(n - 1) if n > 1 else "") + ";") * 10}">' for n in range(1, 10)
    )
    + "]>"
)


def declared(xml: bytes, doctype: str, text: str) -> bytes:
    return doctype.encode() + xml.replace(b"</sheetData>", cell_row(text), 1)


def broken_files(mworld, tmp_path) -> dict[str, tuple[bytes, str]]:
    """name -> (the file, the message the partner reads)."""
    good = template_workbook(mworld)
    sheet, strings = part(good, SHEET), part(good, STRINGS)
    secret = tmp_path / "secret.txt"
    secret.write_text("XXE-SECRET-CONTENT")
    external = f'<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "{secret.as_uri()}">]>'
    no_sheets = re.sub(rb"<sheets>.*</sheets>", b"<sheets/>", part(good, "xl/workbook.xml"), flags=re.S)
    not_a_workbook = io.BytesIO()
    with zipfile.ZipFile(not_a_workbook, "w") as archive:
        archive.writestr("readme.txt", "hello")
        archive.writestr("data/values.csv", "measure,period\n")
    cut = sheet.index(b"<c ", len(sheet) // 2) + 5  # inside a cell's start tag
    return {
        "sheet cut off mid-element": (rezip(good, {SHEET: sheet[:cut]}), UNREADABLE),
        "billion laughs in the sheet": (rezip(good, {SHEET: declared(sheet, LAUGHS, "&lol9;")}), UNREADABLE),
        "external entity in the sheet": (
            rezip(good, {SHEET: declared(sheet, external, "&xxe;")}),
            UNREADABLE,
        ),
        "billion laughs in the strings": (
            rezip(good, {STRINGS: LAUGHS.replace("worksheet", "sst").encode() + strings}),
            UNREADABLE,
        ),
        "corrupt string table": (
            rezip(good, {STRINGS: strings[: len(strings) // 2] + b"\x00\xff<si"}),
            UNREADABLE,
        ),
        "string table that is not XML": (rezip(good, {STRINGS: b"PK\x03\x04 not xml at all"}), UNREADABLE),
        "a zip that is not a workbook": (not_a_workbook.getvalue(), UNREADABLE),
        "a workbook with no sheet": (
            rezip(good, {"xl/workbook.xml": no_sheets}),
            "The Excel file has no sheet.",
        ),
    }


CASES = [
    "sheet cut off mid-element",
    "billion laughs in the sheet",
    "external entity in the sheet",
    "billion laughs in the strings",
    "corrupt string table",
    "string table that is not XML",
    "a zip that is not a workbook",
    "a workbook with no sheet",
]


# --- Watching what is written -------------------------------------------------------------------


def written() -> tuple[int, ...]:
    return (
        ImportJob.objects.count(),
        DataValue.objects.count(),
        Submission.objects.count(),
        AuditEntry.objects.count(),
    )


def import_url(mworld) -> str:
    period = mworld.periods["year"]
    return reverse(
        "measurement:import",
        kwargs={"slug": "c2c", "org": mworld.org.pk, "frequency": period.frequency, "period": period.code},
    )


def upload(client: Client, mworld, data: bytes, name: str = "values.xlsx"):
    file = io.BytesIO(data)
    file.name = name
    return client.post(import_url(mworld), {"file": file})


# --- The tests ----------------------------------------------------------------------------------


def test_the_template_itself_is_read(mworld):
    """The broken files below start from a good one: the template, strings shared as Excel keeps them."""
    good = template_workbook(mworld)
    assert b't="s"' in part(good, SHEET) and b"<si>" in part(good, STRINGS)
    assert b"<dimension " in part(good, SHEET)
    sheet = load_workbook(io.BytesIO(good), read_only=True).worksheets[0]
    assert next(sheet.iter_rows(values_only=True))[:6] == tuple(importer.COLUMNS)
    job = importer.preview(
        initiative=mworld.initiative, organization=mworld.org, by=mworld.partner, name="t.xlsx", data=good
    )
    assert len(job.rows) == 5 and not job.summary.get("reject")


def test_the_cut_off_sheet_fails_only_while_its_rows_are_read(mworld, tmp_path):
    """What the importer must catch outside load_workbook: openpyxl opens the file without a fault."""
    data, _message = broken_files(mworld, tmp_path)["sheet cut off mid-element"]
    workbook = load_workbook(io.BytesIO(data), read_only=True)
    with pytest.raises(ParseError):
        list(workbook.worksheets[0].iter_rows(values_only=True))
    workbook.close()


@pytest.mark.parametrize("case", CASES)
def test_a_broken_workbook_is_refused_by_the_importer(mworld, tmp_path, case):
    data, message = broken_files(mworld, tmp_path)[case]
    before = written()
    with pytest.raises(importer.FileRefused) as refused:
        importer.preview(
            initiative=mworld.initiative, organization=mworld.org, by=mworld.partner, name="v.xlsx", data=data
        )
    assert str(refused.value) == message
    assert written() == before


@pytest.mark.parametrize("case", CASES)
def test_a_broken_workbook_is_refused_on_the_upload_page(client, mworld, tmp_path, case):
    data, message = broken_files(mworld, tmp_path)[case]
    client.force_login(mworld.partner)
    before = written()
    response = upload(client, mworld, data)
    assert response.status_code in (200, 400)
    page = response.content.decode()
    assert escape(message) in page
    assert "XXE-SECRET-CONTENT" not in page and "lollollol" not in page
    assert written() == before


def causes(exc: BaseException):
    """The exceptions behind this one (openpyxl wraps the parser's in its own)."""
    while (exc := exc.__cause__ or exc.__context__) is not None:
        yield exc


def test_the_entity_declarations_are_refused_not_ignored(mworld, tmp_path):
    """Refused because the parser forbids the declaration (defusedxml), not because of some other
    fault in the file: the same sheet without the declaration is read."""
    from defusedxml import EntitiesForbidden

    good = template_workbook(mworld)
    sheet = part(good, SHEET)
    for doctype, text in (
        (LAUGHS, "&lol9;"),
        ('<!DOCTYPE worksheet [<!ENTITY x SYSTEM "file:///etc/passwd">]>', "&x;"),
    ):
        with pytest.raises(importer.FileRefused) as refused:
            importer.read_rows("v.xlsx", rezip(good, {SHEET: declared(sheet, doctype, text)}))
        assert any(isinstance(e, EntitiesForbidden) for e in causes(refused.value)), list(
            causes(refused.value)
        )
    assert importer.read_rows("v.xlsx", rezip(good, {SHEET: declared(sheet, "", "plain")}))


# --- Any damage at all --------------------------------------------------------------------------

PARTS = [
    SHEET,
    STRINGS,
    "xl/workbook.xml",
    "xl/styles.xml",
    "[Content_Types].xml",
    "xl/_rels/workbook.xml.rels",
]


@st.composite
def damaged(draw, good: bytes) -> bytes:
    """The workbook with bytes flipped, cut off or inserted: in the zip itself (which its checksums
    mostly catch) or inside one of its XML parts, zipped again (which only the parsers catch)."""
    where = draw(st.sampled_from(["the zip", *PARTS]))
    data = bytearray(good if where == "the zip" else part(good, where))
    how = draw(st.sampled_from(["flip", "cut", "insert"]))
    if how == "flip":
        for position in draw(st.lists(st.integers(0, len(data) - 1), min_size=1, max_size=8)):
            data[position] ^= draw(st.integers(1, 255))
    elif how == "cut":
        data = data[: draw(st.integers(0, len(data) - 1))]
    else:
        position = draw(st.integers(0, len(data)))
        junk = draw(
            st.one_of(
                st.binary(min_size=1, max_size=20), st.sampled_from([b"<", b"&", b"<!DOCTYPE x>", b"]]>"])
            )
        )
        data[position:position] = junk
    return bytes(data) if where == "the zip" else rezip(good, {where: bytes(data)})


def test_a_damaged_workbook_is_never_a_server_error(client, mworld):
    client.force_login(mworld.partner)
    good = template_workbook(mworld)
    outcomes = set()

    @settings(
        max_examples=40,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(data=damaged(good))
    def run(data):
        jobs, *values = written()
        response = upload(client, mworld, data)
        assert response.status_code in (200, 302, 400), response.status_code
        if response.status_code == 302:  # the damage left a readable file: previewed, not saved
            assert response["Location"].startswith("/initiatives/c2c/measurement/imports/")
            assert written() == (jobs + 1, *values)
            outcomes.add("previewed")
        else:
            assert 'class="invalid-feedback"' in response.content.decode()
            assert written() == (jobs, *values)
            outcomes.add("refused")

    run()
    assert "refused" in outcomes


@pytest.mark.parametrize("language", ["en", "he"])
def test_the_upload_page_states_its_limits_as_numbers_are_read(client, mworld, language):
    """The limit "at most 10 MB and 200000 rows" is written with its thousands grouped."""
    client.force_login(mworld.partner)
    client.cookies["django_language"] = language
    body = client.get(import_url(mworld)).content.decode()
    assert "200,000" in body and "200000" not in body
