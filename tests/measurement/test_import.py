"""The file import, end to end through the importer: every kind of bad file gets a clear message
and nothing is saved; a good CSV or Excel file previews what it will create, change and leave
alone, and is committed whole, once, after being checked again."""

import csv
import io
import zipfile
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from openpyxl import Workbook

from ci_platform.i18n_format import isolate, period_phrase
from measurement import services
from measurement.choices import AuditAction, SubmissionStatus
from measurement.entry import importer
from measurement.models import AuditEntry, DataValue, ImportJob, Submission

from ..permission_matrix import module_world
from .conftest import RULE_MESSAGE, build_mworld

pytestmark = pytest.mark.django_db

# Built once for the module: each test runs in a savepoint of it, with its own copy (module_world).
mworld_once, mworld = module_world("mworld", build_mworld)

COLUMNS = ["measure", "period", "breakdown_1", "breakdown_2", "value", "comment"]
COMMENT_FORMULA = "The comment starts like a spreadsheet formula (%s); start it with a word."


def csv_file(rows, header=COLUMNS) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    if header is not None:
        writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def xlsx_file(rows, header=COLUMNS) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def snapshot() -> tuple:
    return (
        list(DataValue.objects.order_by("id").values_list("id", "value", "comment")),
        AuditEntry.objects.count(),
        list(Submission.objects.order_by("id").values_list("id", "status")),
    )


def preview(mworld, data: bytes, name: str = "data.csv", *, by=None, org=None) -> ImportJob:
    return importer.preview(
        initiative=mworld.initiative,
        organization=org or mworld.org,
        by=by or mworld.partner,
        name=name,
        data=data,
    )


def year(mworld) -> str:
    return mworld.periods["year"].code


def good_rows(mworld) -> list[list]:
    y, q = year(mworld), mworld.periods["quarter"].code
    return [
        ["enrolled", y, "dalet", "", "110", ""],
        ["enrolled", y, "hey", "", "101", "One more child"],
        ["enrolled", y, "vav", "", "105", ""],
        ["ready-pct", y, "", "", "55.5", ""],
        ["attended", y, "", "", "200", ""],
        ["sessions", q, "dalet", "girls", "3", ""],
        ["sessions", q, "vav", "boys", "4", ""],
    ]


class TestRefusedFiles:
    """The file as a whole cannot be read: FileRefused with the reason, and no job, no values."""

    def refused(self, mworld, data, name="data.csv", match=None):
        before, jobs = snapshot(), ImportJob.objects.count()
        with pytest.raises(importer.FileRefused, match=match) as info:
            preview(mworld, data, name)
        assert snapshot() == before
        assert ImportJob.objects.count() == jobs
        return str(info.value)

    @pytest.mark.parametrize(
        ("header", "found"),
        [
            (["measure", "period", "value"], "measure, period, value"),
            (["period", "measure", "breakdown_1", "breakdown_2", "value", "comment"], "period, measure"),
            (["code", "period", "breakdown_1", "breakdown_2", "value", "comment"], "code, period"),
            (
                ["measure", "period", "breakdown_1", "breakdown_2", "value", "comment", "extra"],
                "comment, extra",
            ),
        ],
    )
    def test_a_wrong_header(self, mworld, header, found):
        message = self.refused(mworld, csv_file(good_rows(mworld), header=header))
        assert message.startswith(
            "The first row must be the columns measure, period, breakdown_1, breakdown_2, value, comment; it is "
        )
        assert found in message

    def test_no_header_at_all(self, mworld):
        self.refused(
            mworld, csv_file(good_rows(mworld), header=None), match="The first row must be the columns"
        )

    def test_a_wrong_header_in_excel(self, mworld):
        data = xlsx_file(
            good_rows(mworld), header=["measure", "period", None, "breakdown_2", "value", "comment"]
        )
        self.refused(mworld, data, "data.xlsx", match="it is measure, period, , breakdown_2")

    def test_a_file_too_large(self, mworld, monkeypatch):
        data = csv_file(good_rows(mworld))
        monkeypatch.setattr(importer, "MAX_BYTES", len(data) - 1)
        self.refused(mworld, data, match="larger than")
        monkeypatch.setattr(importer, "MAX_BYTES", len(data))
        assert preview(mworld, data).summary.get("reject", 0) == 0

    def test_too_many_rows(self, mworld, monkeypatch):
        monkeypatch.setattr(importer, "MAX_ROWS", 3)
        self.refused(mworld, csv_file(good_rows(mworld)), match="more than 3 rows; split it")

    def test_an_excel_zip_bomb(self, mworld, monkeypatch):
        buffer = io.BytesIO(xlsx_file(good_rows(mworld)))
        with zipfile.ZipFile(buffer, "a", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("xl/media/padding.bin", b"\0" * (3 * 1024 * 1024))
        data = buffer.getvalue()
        assert len(data) < 100 * 1024  # small on disk, 3 MB unpacked
        monkeypatch.setattr(importer, "MAX_XLSX_UNCOMPRESSED", 2 * 1024 * 1024)
        message = self.refused(mworld, data, "data.xlsx")
        assert message == "The Excel file unpacks to more than 2 MB; it is refused."

    @pytest.mark.parametrize(
        "data",
        [b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", b"measure,period\nenrolled,2026", b"PK\x03\x04broken"],
    )
    def test_a_file_renamed_to_xlsx(self, mworld, data):
        self.refused(mworld, data, "data.xlsx", match=r"This is not an Excel \(.xlsx\) file.")

    def test_a_zip_that_is_not_a_workbook(self, mworld):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("readme.txt", "hello")
        self.refused(mworld, buffer.getvalue(), "data.xlsx", match="The Excel file cannot be read.")

    @pytest.mark.parametrize("data", [b"", b"\xef\xbb\xbf", b"\n\n"])
    def test_an_empty_file(self, mworld, data):
        assert self.refused(mworld, data) == "The file is empty."

    def test_a_header_without_values(self, mworld):
        self.refused(mworld, csv_file([]), match="The file has a header but no values.")
        # Template rows left blank are no values either.
        blank = [["enrolled", year(mworld), "dalet", "", "", ""], ["spend", year(mworld), "", "", "", ""]]
        self.refused(mworld, csv_file(blank), match="The file has a header but no values.")

    @pytest.mark.parametrize("encoding", ["cp1255", "latin-1", "utf-16"])
    def test_a_csv_that_is_not_utf8(self, mworld, encoding):
        text = "measure,period,breakdown_1,breakdown_2,value,comment\nspend,2026,,,5,הערה é\n"
        data = (
            text.encode(encoding, errors="replace")
            if encoding != "latin-1"
            else text.replace("הערה ", "").encode(encoding)
        )
        self.refused(mworld, data, match="not UTF-8 text")

    def test_a_csv_with_nul_bytes(self, mworld):
        self.refused(mworld, b"measure,period\x00", match="This is not a text file.")

    def test_another_kind_of_file(self, mworld):
        self.refused(mworld, csv_file(good_rows(mworld)), "data.pdf", match=r"Upload a .csv or .xlsx file")


class TestRejectedRows:
    """The file is readable but some rows are wrong: each says why, and nothing can be committed."""

    def check(self, mworld, bad_rows, *, name="data.csv", stored=True):
        if stored:
            submission = mworld.submission("year", by=mworld.partner)
            services.values_save(
                submission=submission,
                by=mworld.partner,
                raw={
                    mworld.cell("enrolled", "area:dalet"): "110",
                    mworld.cell("enrolled", "area:hey"): "100",
                    mworld.cell("attended"): "150",
                },
            )
        before = snapshot()
        rows = good_rows(mworld) + bad_rows
        data = xlsx_file(rows) if name.endswith(".xlsx") else csv_file(rows)
        job = preview(mworld, data, name)
        assert snapshot() == before
        rejected = [r for r in job.rows if r["status"] == "reject"]
        assert job.summary["reject"] == len(rejected) >= len(bad_rows)
        with pytest.raises(ValidationError, match="cannot be imported; nothing was saved"):
            importer.commit(job=job, by=mworld.partner)
        assert snapshot() == before
        job.refresh_from_db()
        assert job.committed_at is None
        return {r["line"]: r["reasons"] for r in rejected}

    def test_an_unknown_measure_code(self, mworld):
        reasons = self.check(mworld, [["no-such", year(mworld), "", "", "5", ""]])
        assert reasons == {
            9: [
                f"Measure “{isolate('no-such', direction='ltr')}” is not in your data set for {period_phrase(year(mworld))}."
            ]
        }

    def test_a_measure_not_in_the_organisations_data_set(self, mworld):
        reasons = self.check(mworld, [["pop-rate", year(mworld), "", "", "5", ""]])  # Partner B's only
        assert reasons == {
            9: [
                f"Measure “{isolate('pop-rate', direction='ltr')}” is not in your data set for {period_phrase(year(mworld))}."
            ]
        }

    def test_a_measure_of_another_frequency_for_the_period(self, mworld):
        reasons = self.check(mworld, [["sessions", year(mworld), "dalet", "girls", "5", ""]])
        assert "is not in your data set" in reasons[9][0]

    @pytest.mark.parametrize("period", ["2099", "2026-Q9", "last year", ""])
    def test_an_unknown_period(self, mworld, period):
        reasons = self.check(mworld, [["spend", period, "", "", "5", ""]])
        assert reasons == {9: [f"Unknown period “{period}”."]}

    def test_a_period_outside_the_window(self, mworld):
        closed = mworld.periods["quarter_closed"]
        reasons = self.check(mworld, [["sessions", closed.code, "hey", "boys", "5", ""]])
        assert reasons == {
            9: [
                f"Period {period_phrase(closed.code)} closed for data on "
                f"{isolate(closed.closes_on.isoformat(), direction='ltr')}; ask the backbone staff."
            ]
        }

    def test_a_locked_period(self, mworld):
        # The previous year is approved (and its window closed: the lock is reported first).
        closed = mworld.periods["year_closed"]
        reasons = self.check(mworld, [["spend", closed.code, "", "", "5", ""]])
        assert reasons == {
            9: [
                f"Period {period_phrase(closed.code)} is approved and locked; the backbone staff can unlock it."
            ]
        }

    @pytest.mark.parametrize(
        ("b1", "b2", "message"),
        [
            ("zayin", "", "“zayin” is not one of dalet, hey, vav."),
            ("", "", "“—” is not one of dalet, hey, vav."),
            ("Dalet", "", "“Dalet” is not one of dalet, hey, vav."),
        ],
    )
    def test_a_breakdown_member_that_does_not_exist(self, mworld, b1, b2, message):
        reasons = self.check(mworld, [["enrolled", year(mworld), b1, b2, "5", ""]])
        assert reasons == {9: [message]}

    def test_a_second_breakdown_member_that_does_not_exist(self, mworld):
        q = mworld.periods["quarter"].code
        reasons = self.check(mworld, [["sessions", q, "hey", "other", "5", ""]])
        assert reasons == {9: ["“other” is not one of girls, boys."]}

    def test_a_breakdown_for_a_measure_without_one(self, mworld):
        reasons = self.check(mworld, [["spend", year(mworld), "dalet", "", "5", ""]])
        assert reasons == {9: ["Measure spend has no breakdown 1."]}

    def test_duplicate_rows(self, mworld):
        reasons = self.check(
            mworld,
            [
                ["enrolled", year(mworld), "hey", "", "102", ""],
                ["enrolled", year(mworld), "hey", "", "101", ""],
            ],
        )
        assert reasons == {9: ["Same cell as line 3."], 10: ["Same cell as line 3."]}

    @pytest.mark.parametrize(
        ("value", "message"),
        [
            ("five", "“five” is not a number."),
            ("1,5", "“1,5” is not a number."),
            ("12.5", "Enter a whole number."),
            ("NaN", "“NaN” is not a number."),
            ("1e3", "“1e3” is not a number."),
        ],
    )
    def test_values_that_are_not_valid_numbers(self, mworld, value, message):
        reasons = self.check(
            mworld, [["spend" if value != "12.5" else "attended", year(mworld), "", "", value, ""]]
        )
        # attended is also in the good rows: a duplicate there, so the value check is seen on spend only.
        if value == "12.5":
            assert reasons[9] == ["Same cell as line 6."]
        else:
            assert reasons == {9: [message]}

    def test_a_value_out_of_range(self, mworld):
        reasons = self.check(mworld, [["spend", year(mworld), "", "", "2000000", ""]])
        assert reasons == {9: ["The highest valid value is 1000000."]}

    @pytest.mark.parametrize(
        ("row", "reason"),
        [
            (["spend", "Y", "", "", "=SUM(A1)", ""], "Formulas are not accepted; enter the number itself."),
            (["spend", "Y", "", "", "+1+1", ""], "“+1+1” is not a number."),
            (["spend", "Y", "", "", "5", '=HYPERLINK("http://evil","x")'], COMMENT_FORMULA % "'='"),
            (["spend", "Y", "", "", "5", "@x"], COMMENT_FORMULA % "'@'"),
            (["spend", "Y", "", "", "5", "+1+1"], COMMENT_FORMULA % "'+'"),
            (["spend", "Y", "", "", "5", "-2+3"], COMMENT_FORMULA % "'-'"),
            (
                ["=cmd|' /C calc'!A0", "Y", "", "", "5", ""],
                "The measure cell looks like a formula; formulas are refused.",
            ),
            (
                ["spend", "Y", "@SUM(1)", "", "5", ""],
                "The breakdown_1 cell looks like a formula; formulas are refused.",
            ),
        ],
    )
    def test_formula_looking_cells(self, mworld, row, reason):
        # Values and comments get the answer the grid and the API give (entry.py); the codes of
        # the file's own columns are refused by the mapping of rows to cells.
        row = [year(mworld) if c == "Y" else c for c in row]
        reasons = self.check(mworld, [row])
        assert reasons == {9: [reason]}

    def test_formulas_in_an_excel_file(self, mworld):
        reasons = self.check(mworld, [["spend", year(mworld), "", "", "=SUM(E2:E4)", ""]], name="data.xlsx")
        assert reasons == {9: ["Formulas are not accepted; enter the number itself."]}

    def test_signed_numbers_are_not_formulas(self, mworld):
        job = preview(
            mworld,
            csv_file(
                [["spend", year(mworld), "", "", "+5", "-"], ["attended", year(mworld), "", "", "-0", ""]]
            ),
        )
        assert job.summary == {"reject": 1, "create": 1}
        assert [r["status"] for r in job.rows] == ["reject", "create"]  # the comment "-" alone is refused

    def test_a_rule_broken_with_a_stored_value(self, mworld):
        # attended 150 is stored; the file lowers enrolled to 3 × 40 = 120 < 150 without touching attended.
        y = year(mworld)
        submission = mworld.submission("year", by=mworld.partner)
        services.values_save(submission=submission, by=mworld.partner, raw=mworld.valid_year())
        before = snapshot()
        rows = [["enrolled", y, area, "", "40", "Fewer places"] for area in ("dalet", "hey", "vav")]
        job = preview(mworld, csv_file(rows))
        assert job.summary == {"reject": 3}
        assert [r["reasons"] for r in job.rows] == [[f"{period_phrase(y)} attended: {RULE_MESSAGE}"]] * 3
        with pytest.raises(ValidationError, match="3 rows cannot be imported"):
            importer.commit(job=job, by=mworld.partner)
        assert snapshot() == before

    def test_a_rule_broken_within_the_file(self, mworld):
        rows = good_rows(mworld)
        rows[4][4] = "400"  # attended > enrolled total (316)
        job = preview(mworld, csv_file(rows))
        assert [(r["line"], r["reasons"]) for r in job.rows if r["status"] == "reject"] == [
            (6, [RULE_MESSAGE])
        ]

    def test_a_large_change_needs_a_comment_in_the_file(self, mworld):
        rows = good_rows(mworld)
        rows[0][4] = "300"  # enrolled 506 against last year's 300
        rows[1][5] = ""
        job = preview(mworld, csv_file(rows))
        assert job.summary["reject"] == 1
        assert "change from the previous period (over 50%): add a comment." in job.rows[0]["reasons"][0]
        rows[2][5] = "Two new kindergartens"
        assert "reject" not in preview(mworld, csv_file(rows)).summary


class TestGoodFiles:
    @pytest.fixture
    def existing(self, mworld):
        """Partner Org's draft holds dalet 110 and hey 100."""
        submission = mworld.submission("year", by=mworld.partner)
        services.values_save(
            submission=submission,
            by=mworld.partner,
            raw={mworld.cell("enrolled", "area:dalet"): "110", mworld.cell("enrolled", "area:hey"): "100"},
        )
        return submission

    @pytest.mark.parametrize("name", ["Data.CSV", "data.xlsx"])
    def test_preview_then_commit(self, mworld, existing, name):
        rows = good_rows(mworld)
        data = xlsx_file(rows) if name.endswith("xlsx") else csv_file(rows)
        before = snapshot()
        job = preview(mworld, data, name)
        assert snapshot() == before  # a preview writes no values
        assert job.summary == {"unchanged": 1, "update": 1, "create": 5}
        assert [(r["line"], r["status"]) for r in job.rows] == [
            (2, "unchanged"),
            (3, "update"),
            (4, "create"),
            (5, "create"),
            (6, "create"),
            (7, "create"),
            (8, "create"),
        ]
        assert job.rows[1]["old"] == "100"
        assert all(r["reasons"] == [] for r in job.rows)

        totals = importer.commit(job=job, by=mworld.partner)
        assert totals == {"created": 5, "updated": 1, "unchanged": 1}
        job.refresh_from_db()
        assert job.committed_at is not None
        values = {
            (
                v.measure.code,
                v.period.code,
                v.member1.code if v.member1 else "",
                v.member2.code if v.member2 else "",
            ): (
                v.value,
                v.comment,
            )
            for v in DataValue.objects.filter(
                organization=mworld.org, period__in=[mworld.periods["year"], mworld.periods["quarter"]]
            )
        }
        y, q = year(mworld), mworld.periods["quarter"].code
        assert values == {
            ("enrolled", y, "dalet", ""): (Decimal(110), ""),
            ("enrolled", y, "hey", ""): (Decimal(101), "One more child"),
            ("enrolled", y, "vav", ""): (Decimal(105), ""),
            ("ready-pct", y, "", ""): (Decimal("55.5"), ""),
            ("attended", y, "", ""): (Decimal(200), ""),
            ("sessions", q, "dalet", "girls"): (Decimal(3), ""),
            ("sessions", q, "vav", "boys"): (Decimal(4), ""),
        }
        # Audited as imports, by the uploader; two submissions (a year and a quarter), still drafts.
        imports = AuditEntry.objects.filter(organization=mworld.org, action=AuditAction.IMPORT)
        assert imports.count() == 6
        assert set(imports.values_list("by__username", flat=True)) == {"partner"}
        change = imports.get(measure=mworld.measures["enrolled"], member1__code="hey")
        assert (change.old_value, change.new_value) == (Decimal(100), Decimal(101))
        statuses = Submission.objects.filter(
            organization=mworld.org, period__in=[mworld.periods["year"], mworld.periods["quarter"]]
        )
        assert set(statuses.values_list("status", flat=True)) == {SubmissionStatus.DRAFT}

    def test_a_second_commit_of_the_same_job_is_refused(self, mworld, existing):
        job = preview(mworld, csv_file(good_rows(mworld)))
        importer.commit(job=job, by=mworld.partner)
        before = snapshot()
        with pytest.raises(ValidationError, match="This file was already imported."):
            importer.commit(job=job, by=mworld.partner)
        assert snapshot() == before

    def test_only_the_uploader_commits(self, mworld, existing):
        job = preview(mworld, csv_file(good_rows(mworld)))
        before = snapshot()
        with pytest.raises(ValidationError, match="Only the person who uploaded the file can confirm it."):
            importer.commit(job=job, by=mworld.backbone)
        assert snapshot() == before

    def test_commit_checks_again_data_locked_in_between(self, mworld, existing):
        job = preview(mworld, csv_file(good_rows(mworld)))
        assert "reject" not in job.summary
        # Meanwhile the year is submitted (from the grid) and so locked.
        services.values_save(submission=existing, by=mworld.partner, raw=mworld.valid_year(), submit=True)
        before = snapshot()
        with pytest.raises(ValidationError, match="5 rows cannot be imported; nothing was saved"):
            importer.commit(job=job, by=mworld.partner)
        # All or nothing: not even the quarter's rows, which are still valid, were written.
        assert snapshot() == before
        job.refresh_from_db()
        assert job.committed_at is None

    def test_commit_checks_again_a_window_closed_in_between(self, mworld, existing):
        job = preview(mworld, csv_file(good_rows(mworld)))
        period = mworld.periods["quarter"]
        period.closes_on = period.opens_on
        period.save()
        before = snapshot()
        with pytest.raises(ValidationError, match="2 rows cannot be imported"):
            importer.commit(job=job, by=mworld.partner)
        assert snapshot() == before

    def test_the_backbone_imports_into_a_closed_period(self, mworld):
        closed = mworld.periods["quarter_closed"]
        data = csv_file([["sessions", closed.code, "hey", "boys", "7", "Late, by phone"]])
        job = preview(mworld, data, by=mworld.backbone)
        assert job.summary == {"create": 1}
        assert importer.commit(job=job, by=mworld.backbone) == {"created": 1, "updated": 0, "unchanged": 0}
        value = DataValue.objects.get(period=closed, organization=mworld.org)
        assert (value.value, value.comment, value.entered_by) == (
            Decimal(7),
            "Late, by phone",
            mworld.backbone,
        )

    def test_the_template_round_trips(self, mworld, existing):
        rows = importer.template_rows(mworld.initiative, mworld.org, mworld.periods["year"])
        assert rows[0] == COLUMNS
        # One row per cell of the data set: enrolled × 3, ready-pct, spend, attended; stored values filled in.
        assert [r[:5] for r in rows[1:]] == [
            ["attended", year(mworld), "", "", ""],
            ["enrolled", year(mworld), "dalet", "", "110"],
            ["enrolled", year(mworld), "hey", "", "100"],
            ["enrolled", year(mworld), "vav", "", ""],
            ["ready-pct", year(mworld), "", "", ""],
            ["spend", year(mworld), "", "", ""],
        ]
        # Filled in partly and uploaded: the blank rows are left out, the filled ones are checked.
        rows[4][4], rows[6][4] = "105", "1000"
        job = preview(mworld, csv_file(rows[1:]))
        assert job.summary == {"unchanged": 2, "create": 2}

    def test_an_excel_file_with_a_stray_cell_beyond_the_columns(self, mworld):
        rows = [r + ["note"] if i == 0 else r for i, r in enumerate(good_rows(mworld))]
        job = preview(mworld, xlsx_file(rows), "data.xlsx")
        assert job.summary == {"create": 7}

    def test_only_those_who_may_enter_preview(self, mworld):
        data = csv_file([["sessions", mworld.periods["quarter"].code, "hey", "boys", "5", ""]])
        for who in (mworld.partner, mworld.world.people["viewer"], mworld.world.people["steering"]):
            with pytest.raises(PermissionDenied):
                preview(mworld, data, by=who, org=mworld.org_b)
        assert preview(mworld, data, by=mworld.partner_b, org=mworld.org_b).summary == {"create": 1}
