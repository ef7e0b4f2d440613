"""Pages of shared measurement: set-up (backbone), data entry by form and file (partners),
review and approval (backbone), audit and exports. Thin: services write, selectors read."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import FormView, TemplateView

from initiatives import permissions as initiative_permissions
from initiatives.models import Organization
from initiatives.views import InitiativeMixin, apply_errors
from learning import selectors as learning

from . import exports, permissions, selectors, services
from .choices import MeasureKind, SubmissionStatus, ValueType
from .entry import importer, pipeline
from .forms import DimensionForm, MeasureForm, PeriodsForm, ReturnForm, SettingsForm, UnlockForm, UploadForm
from .models import ImportJob, ReportingPeriod, Submission
from .offline import SubmissionChanged, entry_save_at, grid_rules, page_texts, version_of


class MeasurementMixin(InitiativeMixin):
    section = "measurement"


class MeasurementHomeView(MeasurementMixin, TemplateView):
    """What is due for my organisation, the shared measures, and (backbone) what waits for review."""

    template_name = "measurement/home.html"

    def get_context_data(self, **kwargs):
        membership = self.membership
        can_enter_own = permissions.can_enter(self.request.user, self.initiative, membership.organization)
        review = None
        if permissions.can_review(self.request.user, self.initiative):
            review = selectors.review_queue(self.initiative).filter(status=SubmissionStatus.SUBMITTED)[:50]
        return super().get_context_data(
            measures=selectors.measures_of(self.initiative),
            due=selectors.due_for(self.initiative, membership.organization) if can_enter_own else [],
            review=review,
            # Do the shared measures cover the source's three levels? (learning, lines 188-192)
            coverage=learning.coverage(self.initiative),
            **kwargs,
        )


class MeasureView(MeasurementMixin, TemplateView):
    template_name = "measurement/measure.html"

    def get_context_data(self, **kwargs):
        measure = selectors.measure_by_code(self.initiative, self.kwargs["code"])
        if measure is None:
            raise Http404
        return super().get_context_data(
            measure=measure,
            targets=measure.targets.all(),
            assigned=Organization.objects.filter(assignments__measure=measure).order_by("name"),
            formula_parts=selectors.formula_parts(measure),
            formula_versions=measure.formula_versions.select_related("created_by"),
            **kwargs,
        )


class MeasureFormView(MeasurementMixin, FormView):
    permission = initiative_permissions.MANAGE
    template_name = "initiatives/form_page.html"
    form_class = MeasureForm

    def get_measure(self):
        if "code" not in self.kwargs:
            return None
        measure = selectors.measure_by_code(self.initiative, self.kwargs["code"])
        if measure is None:
            raise Http404
        return measure

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "initiative": self.initiative, "instance": self.get_measure()}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            title=_("Edit the measure") if "code" in self.kwargs else _("New shared measure"), **kwargs
        )

    def form_valid(self, form):
        data = dict(form.cleaned_data)
        try:
            measure = services.measure_save(
                initiative=self.initiative,
                by=self.request.user,
                measure=self.get_measure(),
                dimensions=[data.pop("dimension_1"), data.pop("dimension_2")],
                targets=data.pop("targets"),
                strategies=data.pop("strategies"),
                **data,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Saved."))
        return redirect(measure)


class DimensionsView(MeasurementMixin, FormView):
    """Reusable breakdowns (DHIS2's category combinations) and a form for a new one."""

    permission = initiative_permissions.MANAGE
    template_name = "measurement/dimensions.html"
    form_class = DimensionForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "initiative": self.initiative}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            dimensions=self.initiative.dimensions.prefetch_related("members"), **kwargs
        )

    def form_valid(self, form):
        services.dimension_create(initiative=self.initiative, by=self.request.user, **form.cleaned_data)
        messages.success(self.request, _("Breakdown created."))
        return redirect("measurement:dimensions", slug=self.initiative.slug)


class PeriodsView(MeasurementMixin, FormView):
    permission = initiative_permissions.MANAGE
    template_name = "measurement/periods.html"
    form_class = PeriodsForm

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            periods=self.initiative.periods.order_by("-start", "frequency")[:200], **kwargs
        )

    def form_valid(self, form):
        try:
            created = services.periods_ensure(
                initiative=self.initiative, by=self.request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("%(n)s periods created.") % {"n": len(created)})
        return redirect("measurement:periods", slug=self.initiative.slug)


class AssignmentsView(MeasurementMixin, TemplateView):
    """Organisations × measures: which organisation reports what (its data set)."""

    permission = initiative_permissions.MANAGE
    template_name = "measurement/assignments.html"

    def get_context_data(self, **kwargs):
        current = set(self.initiative.assignments.values_list("organization_id", "measure_id"))
        organizations = Organization.objects.filter(participations__initiative=self.initiative).order_by(
            "name"
        )
        # Calculated measures are in no data set: computed, never entered.
        measures = list(self.initiative.measures.exclude(kind=MeasureKind.CALCULATED).order_by("code"))
        rows = [(o, [(m, (o.pk, m.pk) in current) for m in measures]) for o in organizations]
        return super().get_context_data(rows=rows, measures=measures, **kwargs)

    def post(self, request, *args, **kwargs):
        pairs = set()
        for key in request.POST.getlist("pair"):
            org, _sep, measure = key.partition("-")
            if not (org.isdigit() and measure.isdigit()):
                return self._bad()
            pairs.add((int(org), int(measure)))
        try:
            added, removed = services.assignments_set(
                initiative=self.initiative, by=request.user, pairs=pairs
            )
        except ValidationError:
            return self._bad()
        messages.success(
            request,
            _("Data sets saved: %(added)s added, %(removed)s removed.")
            % {"added": added, "removed": removed},
        )
        return redirect("measurement:assignments", slug=self.initiative.slug)

    def _bad(self):
        messages.error(self.request, _("The form was not understood; nothing was changed."))
        return redirect("measurement:assignments", slug=self.initiative.slug)


class SettingsView(MeasurementMixin, FormView):
    permission = initiative_permissions.MANAGE
    template_name = "initiatives/form_page.html"
    form_class = SettingsForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": selectors.settings_of(self.initiative)}

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=_("Shared measurement settings"), **kwargs)

    def form_valid(self, form):
        services.measurement_settings_update(
            initiative=self.initiative, by=self.request.user, **form.cleaned_data
        )
        messages.success(self.request, _("Saved."))
        return redirect("measurement:home", slug=self.initiative.slug)


class EntryMixin(MeasurementMixin):
    """An organisation's period: only that organisation's contributors and backbone staff."""

    def load(self):
        self.organization = get_object_or_404(
            Organization.objects.filter(participations__initiative=self.initiative), pk=self.kwargs["org"]
        )
        if not permissions.can_enter(self.request.user, self.initiative, self.organization):
            raise PermissionDenied
        self.period = get_object_or_404(
            ReportingPeriod,
            initiative=self.initiative,
            code=self.kwargs["period"],
            frequency=self.kwargs["frequency"],
        )


class EntryView(EntryMixin, TemplateView):
    """The data-entry grid: measures × breakdown cells for one period. The page reads only (its
    submission is created by the first save); the save goes through the entry pipeline."""

    template_name = "measurement/entry.html"

    def get(self, request, *args, **kwargs):
        self.load()
        submission = selectors.submission_of(self.initiative, self.organization, self.period)
        typed, comments, cleared = selectors.typed_values(submission)
        return self.render_to_response(self._context(submission, typed, comments, cleared, None))

    def _context(self, submission, typed, comments, cleared, problems, grid=None, conflict=None):
        if grid is None:
            grid = selectors.dataset(self.initiative, self.organization, self.period)
        value_types = {value: str(label) for value, label in ValueType.choices}  # once, not per measure
        in_correction = submission.in_correction
        approved = set()
        if in_correction:
            approved = set(selectors.stored_values(submission))
        rows = []
        for g, row, cells in selectors.grid_rows(grid):
            rows.append(
                {
                    "measure": g.measure,
                    "value_type": value_types.get(g.measure.value_type, g.measure.value_type),
                    "first": row is None or row == g.rows[0],
                    "span": len(g.rows),
                    "breakdown": g.breakdown,
                    "row": row,
                    "columns": g.columns,
                    "cells": [
                        {
                            "name": _field_name(cell),
                            "column": col,
                            "value": typed.get(cell, ""),
                            "comment": comments.get(cell, ""),
                            "errors": (problems.cells.get(cell, []) if problems else []),
                            "closed": not submission.is_open(cell),
                            # An approved value under correction is cleared only by this choice.
                            "clearable": in_correction and submission.is_open(cell) and cell in approved,
                            "cleared": cell in cleared,
                        }
                        for cell, col in cells
                    ],
                }
            )
        return self.get_context_data(
            organization=self.organization,
            period=self.period,
            submission=submission,
            rows=rows,
            problems=problems,
            unlock_reasons=selectors.unlock_reasons(submission),
            window_problem=None if submission.in_correction else pipeline.window_problem(self.period),
            editable=not submission.is_locked,
            # Offline entry (measurement/offline.py): the version the page shows, the checks and
            # sentences its script needs, and the open periods' grids to keep for offline use.
            version=version_of(submission),
            conflict=conflict,
            offline_rules=grid_rules(
                grid,
                previous=selectors.previous_totals(
                    self.organization, self.period, [g.measure.pk for g in grid]
                ),
                rules=selectors.rules_of(self.initiative),
            ),
            offline_texts=page_texts(),
            open_grids=[
                reverse(
                    "measurement:entry",
                    args=[self.initiative.slug, self.organization.pk, d.period.frequency, d.period.code],
                )
                for d in selectors.due_for(self.initiative, self.organization)
            ],
        )

    def post(self, request, *args, **kwargs):
        self.load()
        submission = selectors.submission_of(self.initiative, self.organization, self.period)
        grid = selectors.dataset(self.initiative, self.organization, self.period)
        raw, comments, clear = {}, {}, set()
        for g in grid:
            for cell in g.cells:
                full = (g.measure.pk, *cell)
                if not submission.is_open(full):
                    continue  # shown disabled, so not sent: the pipeline keeps it as approved
                name = _field_name(full)
                raw[full] = request.POST.get(name, "")
                comments[full] = request.POST.get("c" + name, "")
                if request.POST.get("x" + name):
                    clear.add(full)
        submit = "submit" in request.POST
        # The grid page carries the version it was loaded at; a draft kept offline, the version it
        # was typed on. Without one (an older page) the save is not checked for a change in between.
        version = request.POST.get("loaded_at")
        as_json = "application/json" in request.headers.get("Accept", "")
        change = pipeline.Change(period=self.period, values=raw, comments=comments, clear=clear)
        try:
            if version is None:
                (result,) = pipeline.save(
                    initiative=self.initiative,
                    organization=self.organization,
                    by=request.user,
                    changes=[change],
                    replace=True,
                    submit=submit,
                )
            else:
                result = entry_save_at(
                    version=version,
                    initiative=self.initiative,
                    organization=self.organization,
                    period=self.period,
                    by=request.user,
                    change=change,
                    submit=submit,
                )
        except SubmissionChanged as exc:
            return self._changed(exc.current, grid, raw, comments, clear, as_json)
        except pipeline.EntryInvalid as exc:
            problems = exc.problems
            if as_json:  # the offline draft's sync (static/measurement/offline.js): it keeps the draft
                return JsonResponse(
                    {
                        "status": "invalid",
                        "general": [str(m) for m in problems.general],
                        "cells": {_field_name(c): [str(m) for m in ms] for c, ms in problems.cells.items()},
                    },
                    status=400,
                )
            if not problems.cells:  # locked or closed: nothing in the grid to correct
                for message in problems.general:
                    messages.error(request, message)
                return redirect(request.path)
            messages.error(request, _("Nothing was saved: correct the marked cells."))
            return self.render_to_response(
                self._context(submission, raw, comments, clear, problems, grid), status=400
            )
        if result.submitted:
            messages.success(request, _("Submitted for review. Thank you."))
        elif result.correction:
            messages.success(
                request,
                _(
                    "Correction saved: %(created)s new, %(updated)s changed, %(deleted)s cleared. The "
                    "approved values stay in the figures until the backbone staff approve it: submit it "
                    "when it is ready."
                )
                % {"created": result.created, "updated": result.updated, "deleted": result.deleted},
            )
        else:
            messages.success(
                request,
                _("Draft saved: %(created)s new, %(updated)s changed, %(deleted)s cleared.")
                % {"created": result.created, "updated": result.updated, "deleted": result.deleted},
            )
        if as_json:
            return JsonResponse({"status": "saved"})
        return redirect(request.path)

    def _changed(self, current, grid, raw, comments, clear, as_json):
        """The submission changed since the page (or the offline draft) was made: nothing was
        written. The partner sees theirs beside the server's, cell by cell, and chooses, as in the
        agenda editor: save again (theirs, on top of the current version) or keep the server's."""
        current.organization, current.period, current.initiative = (
            self.organization,
            self.period,
            self.initiative,
        )
        stored, stored_comments, _cleared = selectors.typed_values(current)
        differences = []
        for g, row, cells in selectors.grid_rows(grid):
            for cell, col in cells:
                if cell not in raw:
                    continue  # closed: not sent
                mine, theirs = (raw[cell] or "").strip(), str(stored.get(cell, ""))
                mine_c, theirs_c = (comments.get(cell) or "").strip(), stored_comments.get(cell, "")
                if _same_number(mine, theirs) and mine_c == theirs_c and cell not in clear:
                    continue
                differences.append(
                    {
                        "name": _field_name(cell),
                        "measure": g.measure,
                        "row": row,
                        "column": col,
                        "mine": mine,
                        "theirs": theirs,
                        "mine_comment": mine_c,
                        "theirs_comment": theirs_c,
                    }
                )
        conflict = {
            "differences": differences,
            "status": current.get_status_display(),
            "editable": not current.is_locked,
            "version": version_of(current),
        }
        context = self._context(current, raw, comments, clear, None, grid, conflict=conflict)
        if as_json:
            html = render_to_string("measurement/_grid_conflict.html", context, request=self.request)
            return JsonResponse(
                {
                    "status": "conflict",
                    "version": conflict["version"],
                    "editable": conflict["editable"],
                    "html": html,
                },
                status=409,
            )
        messages.warning(
            self.request,
            _(
                "This period changed on the server while you were entering data. Nothing of yours was saved "
                "yet: below is how your values differ from the stored ones. Save again to replace them with yours."
            ),
        )
        return self.render_to_response(context, status=409)


def _int(text) -> int:
    return int(text) if text and str(text).isdigit() and len(str(text)) < 19 else 0


def _field_name(cell) -> str:
    measure, m1, m2 = cell
    return f"v{measure}_{m1 or 0}_{m2 or 0}"


def _same_number(a: str, b: str) -> bool:
    """Two typed values that mean the same number ("5" and "5.0") are no difference."""
    if a == b:
        return True
    try:
        return pipeline.parse_number(a) == pipeline.parse_number(b)
    except ValueError:
        return False


class TemplateDownloadView(EntryMixin, TemplateView):
    def get(self, request, *args, **kwargs):
        self.load()
        rows = importer.template_rows(self.initiative, self.organization, self.period)
        fmt = kwargs["fmt"]
        name = f"{self.initiative.slug}-{self.organization.pk}-{self.period.code}"
        return exports.response(rows, name, fmt)


class ImportView(EntryMixin, FormView):
    """Upload a file; the whole file is validated and previewed before anything is written."""

    template_name = "measurement/import.html"
    form_class = UploadForm

    def get(self, request, *args, **kwargs):
        self.load()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.load()
        return super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            organization=self.organization,
            period=self.period,
            max_mb=importer.MAX_BYTES // (1024 * 1024),
            max_rows=importer.MAX_ROWS,
            columns=importer.COLUMNS,
            **kwargs,
        )

    def form_valid(self, form):
        upload = form.cleaned_data["file"]
        if upload.size > importer.MAX_BYTES:
            form.add_error(
                "file",
                _("The file is larger than %(mb)s MB; split it.")
                % {"mb": importer.MAX_BYTES // (1024 * 1024)},
            )
            return self.form_invalid(form)
        try:
            job = importer.preview(
                initiative=self.initiative,
                organization=self.organization,
                by=self.request.user,
                name=upload.name,
                data=upload.read(importer.MAX_BYTES + 1),
            )
        except importer.FileRefused as exc:
            form.add_error("file", str(exc))
            return self.form_invalid(form)
        return redirect("measurement:import_preview", slug=self.initiative.slug, pk=job.pk)


class ImportPreviewView(MeasurementMixin, TemplateView):
    template_name = "measurement/import_preview.html"

    def get_job(self) -> ImportJob:
        job = get_object_or_404(
            ImportJob, pk=self.kwargs["pk"], initiative=self.initiative, created_by=self.request.user
        )
        if not permissions.can_enter(self.request.user, self.initiative, job.organization):
            raise PermissionDenied
        return job

    def get_context_data(self, **kwargs):
        job = self.get_job()
        rows = job.rows
        return super().get_context_data(
            job=job,
            rows=[r for r in rows if r["status"] != "unchanged"][:2000],
            hidden=max(0, sum(1 for r in rows if r["status"] != "unchanged") - 2000),
            rejected=job.summary.get("reject", 0),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        job = self.get_job()
        try:
            totals = importer.commit(job=job, by=request.user)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            return redirect(request.path)
        messages.success(
            request,
            _(
                "Imported: %(created)s new values, %(updated)s changed, %(unchanged)s unchanged. They are "
                "a draft: check them and submit them for review."
            )
            % totals,
        )
        # The imported draft waits to be submitted: the partner is taken to it (one period's
        # grid) or to the list of what is due (a file of several periods).
        period = importer.single_period(job)
        if period is not None:
            return redirect(
                "measurement:entry",
                slug=self.initiative.slug,
                org=job.organization_id,
                frequency=period.frequency,
                period=period.code,
            )
        return redirect("measurement:home", slug=self.initiative.slug)


class ReviewView(MeasurementMixin, TemplateView):
    permission = initiative_permissions.MANAGE
    template_name = "measurement/review.html"

    def get_context_data(self, **kwargs):
        status = self.request.GET.get("status", SubmissionStatus.SUBMITTED)
        queue = selectors.review_queue(self.initiative)
        if status in SubmissionStatus.values:
            queue = queue.filter(status=status)
        return super().get_context_data(
            submissions=queue[:500], status=status, statuses=SubmissionStatus.choices, **kwargs
        )


HISTORY_PAGE = 300  # lines of a submission's audit trail per page
MAX_HISTORY_PAGE = 10**6  # keeps the OFFSET within a bigint whatever ?history= says


class SubmissionView(MeasurementMixin, TemplateView):
    """One organisation-period: its values, what changed since approval, its audit, and review actions."""

    template_name = "measurement/submission.html"

    def get_submission(self) -> Submission:
        submission = get_object_or_404(
            Submission.objects.select_related("organization", "period", "submitted_by", "reviewed_by"),
            pk=self.kwargs["pk"],
            initiative=self.initiative,
        )
        if not permissions.can_see_raw(self.request.user, self.initiative, submission.organization):
            raise PermissionDenied
        return submission

    def get_context_data(self, **kwargs):
        submission = self.get_submission()
        # Rows, with labels translated once per page (get_FOO_display rebuilt the choices on every
        # row: 100 ms for 300 rows) and names looked up once (not 300 × 5 model instances).
        values = selectors.submission_values(submission)
        # The history a page at a time, newest first (a busy submission has thousands of lines:
        # a grid save writes one per changed value).
        page = min(_int(self.request.GET.get("history")) or 1, MAX_HISTORY_PAGE)
        audit = selectors.audit_rows(submission, HISTORY_PAGE + 1, offset=(page - 1) * HISTORY_PAGE)
        return super().get_context_data(
            submission=submission,
            values=values,
            changes=selectors.changes_since_approval(submission),
            audit=audit[:HISTORY_PAGE],
            history_page=page,
            history_older=len(audit) > HISTORY_PAGE,
            can_review=permissions.can_review(self.request.user, self.initiative),
            can_enter=permissions.can_enter(self.request.user, self.initiative, submission.organization),
            return_form=kwargs.pop("return_form", ReturnForm()),
            unlock_form=kwargs.pop("unlock_form", UnlockForm()),
            value_unlock_form=kwargs.pop("value_unlock_form", UnlockForm(auto_id="one-%s")),
            can_unlock_values=submission.status == SubmissionStatus.APPROVED
            or (
                submission.open_cells is not None
                and submission.status in (SubmissionStatus.DRAFT, SubmissionStatus.RETURNED)
            ),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        if not permissions.can_review(request.user, self.initiative):
            raise PermissionDenied
        submission = self.get_submission()
        action = request.POST.get("action")
        try:
            if action == "approve":
                services.submission_approve(submission=submission, by=request.user)
                messages.success(request, _("Approved. The values are locked."))
            elif action == "return":
                form = ReturnForm(request.POST)
                if not form.is_valid():
                    return self.render_to_response(self.get_context_data(return_form=form), status=400)
                services.submission_return(
                    submission=submission, by=request.user, message=form.cleaned_data["message"]
                )
                messages.success(request, _("Returned to the organisation with your message."))
            elif action == "unlock_value":
                unlock = UnlockForm(request.POST, auto_id="one-%s")
                value = get_object_or_404(submission.values, pk=_int(request.POST.get("value")))
                if not unlock.is_valid():
                    return self.render_to_response(
                        self.get_context_data(value_unlock_form=unlock), status=400
                    )
                services.value_unlock(value=value, by=request.user, reason=unlock.cleaned_data["reason"])
                messages.success(request, _("Unlocked this value for correction; the others stay approved."))
            elif action == "unlock":
                unlock = UnlockForm(request.POST)
                if not unlock.is_valid():
                    return self.render_to_response(self.get_context_data(unlock_form=unlock), status=400)
                services.submission_unlock(
                    submission=submission, by=request.user, reason=unlock.cleaned_data["reason"]
                )
                messages.success(request, _("Unlocked for correction."))
            else:
                messages.error(request, _("Unknown action."))
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        return redirect(submission)


class ExportView(MeasurementMixin, TemplateView):
    """The raw values the user may see, as CSV or Excel (formula characters escaped)."""

    def get(self, request, *args, **kwargs):
        rows = exports.value_rows(selectors.visible_values(request.user, self.initiative))
        stamp = timezone.localdate().isoformat()
        return exports.response(rows, f"{self.initiative.slug}-values-{stamp}", kwargs["fmt"])
