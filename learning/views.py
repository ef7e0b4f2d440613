"""Pages of learning: the overview (where the measures stand against the source's three levels,
what is due), the risk register, the learning log and the turn-the-curve worksheets. Views are
thin: InitiativeMixin decides 404 or 403 once; services write, selectors read."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import FormView, TemplateView

from ci_platform.i18n_format import period_label
from initiatives.views import InitiativeFormPageMixin, InitiativeMixin, apply_errors

from . import permissions as perms
from . import selectors, services
from .choices import AssumptionStatus, RiskStatus
from .forms import (
    ActionFormSet,
    AssumptionForm,
    LearningEntryForm,
    PartnerFormSet,
    RiskForm,
    RiskReviewForm,
    StartingListForm,
    StoryForm,
    WorksheetForm,
)


class LearningMixin(InitiativeMixin):
    section = "learning"
    tab = ""

    def get_context_data(self, **kwargs):
        kwargs.setdefault("tab", self.tab)
        kwargs.setdefault("can_keep", perms.can_keep(self.request.user, self.initiative))
        kwargs.setdefault("can_tell", perms.can_tell(self.request.user, self.initiative))
        return super().get_context_data(**kwargs)


class FormPageMixin(LearningMixin, InitiativeFormPageMixin):
    """A form on the shared form page; the form gets the initiative."""

    template_name = "learning/form_page.html"
    home_url_name = "learning:home"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "initiative": self.initiative}


# --- The overview --------------------------------------------------------------------------------


class HomeView(LearningMixin, TemplateView):
    """On one page: whether the measures cover the three levels, what threatens the initiative and
    is due for review, where the working assumptions stand, and the latest stories."""

    template_name = "learning/home.html"
    tab = "home"

    def get_context_data(self, **kwargs):
        risks = list(selectors.risks_of(self.initiative).filter(status=RiskStatus.OPEN))
        today = timezone.localdate()
        counts = selectors.assumption_counts(self.initiative)
        return super().get_context_data(
            coverage=selectors.coverage(self.initiative, today),
            due=[r for r in risks if r.is_due(today)],
            open_count=len(risks),
            high_count=sum(1 for r in risks if r.severity == "high"),
            assumption_counts=[(AssumptionStatus(s), n) for s, n in counts.items()],
            stories=list(selectors.stories_of(self.initiative).order_by("-created_at", "-id")[:5]),
            **kwargs,
        )


# --- The risk register ----------------------------------------------------------------------------


class RiskListView(LearningMixin, TemplateView):
    template_name = "learning/risk_list.html"
    tab = "risks"

    def get_context_data(self, **kwargs):
        today = timezone.localdate()
        risks = list(selectors.risks_of(self.initiative))
        return super().get_context_data(
            risks=risks,
            today=today,
            due_count=sum(1 for r in risks if r.is_due(today)),
            untaken=sum(1 for _entry, taken in selectors.starting_list(self.initiative) if not taken),
            **kwargs,
        )


class RiskCreateView(FormPageMixin, FormView):
    permission = perms.KEEP
    form_class = RiskForm
    tab = "risks"

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=_("A new risk"), **kwargs)

    def cancel_url(self) -> str:
        return reverse("learning:risks", kwargs={"slug": self.initiative.slug})

    def get_initial(self):
        return {"review_on": timezone.localdate() + services.FIRST_REVIEW_AFTER}

    def form_valid(self, form):
        data = {k: v for k, v in form.cleaned_data.items() if k != "status"}
        risk = self.run(
            form, lambda: services.risk_create(initiative=self.initiative, by=self.request.user, **data)
        )
        if risk is None:
            return self.form_invalid(form)
        messages.success(self.request, _("The risk was added to the register."))
        return redirect(risk)


class StartingListView(FormPageMixin, FormView):
    """The source's pitfalls and challenges, to take into the register."""

    permission = perms.KEEP
    form_class = StartingListForm
    template_name = "learning/starting_list.html"
    tab = "risks"

    def cancel_url(self) -> str:
        return reverse("learning:risks", kwargs={"slug": self.initiative.slug})

    def get_form_kwargs(self):
        taken = {e.key for e, is_taken in selectors.starting_list(self.initiative) if is_taken}
        return {**super().get_form_kwargs(), "taken": taken}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            title=_("The starting list of risks"),
            entries=selectors.starting_list(self.initiative),
            **kwargs,
        )

    def form_valid(self, form):
        created = self.run(
            form,
            lambda: services.risks_adopt(
                initiative=self.initiative,
                by=self.request.user,
                keys=form.cleaned_data["keys"],
                owner=form.cleaned_data["owner"],
                review_on=form.cleaned_data["review_on"],
            ),
        )
        if created is None:
            return self.form_invalid(form)
        messages.success(
            self.request, _("%(count)d risks were added to the register.") % {"count": len(created)}
        )
        return redirect("learning:risks", slug=self.initiative.slug)


class RiskMixin(LearningMixin):
    tab = "risks"

    def load_risk(self):
        self.risk = selectors.risk_detail(self.initiative, self.kwargs["pk"])
        return self.risk


class RiskDetailView(RiskMixin, TemplateView):
    template_name = "learning/risk_detail.html"

    def get_context_data(self, **kwargs):
        risk = self.load_risk()
        return super().get_context_data(
            risk=risk,
            entry=risk.starting_entry,
            reviews=list(risk.reviews.all()),
            today=timezone.localdate(),
            **kwargs,
        )


class RiskEditView(RiskMixin, FormPageMixin, FormView):
    permission = perms.KEEP
    form_class = RiskForm

    def cancel_url(self) -> str:
        return self.risk.get_absolute_url()

    def get(self, request, *args, **kwargs):
        self.load_risk()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.load_risk()
        return super().post(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.risk}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            title=_("Edit the risk: %(title)s") % {"title": self.risk.display_title}, **kwargs
        )

    def form_valid(self, form):
        # The form's instance carries the typed values; the service saves them after its checks.
        self.risk.refresh_from_db()
        risk = self.run(
            form, lambda: services.risk_update(risk=self.risk, by=self.request.user, **form.cleaned_data)
        )
        if risk is None:
            return self.form_invalid(form)
        messages.success(self.request, _("Saved."))
        return redirect(risk)


class RiskReviewView(RiskMixin, FormPageMixin, FormView):
    permission = perms.KEEP
    form_class = RiskReviewForm

    def cancel_url(self) -> str:
        return self.risk.get_absolute_url()

    def get(self, request, *args, **kwargs):
        self.load_risk()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.load_risk()
        return super().post(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.pop("initiative")
        return kwargs

    def get_initial(self):
        return {
            "likelihood": self.risk.likelihood,
            "impact": self.risk.impact,
            "status": self.risk.status,
            "next_review_on": timezone.localdate() + services.FIRST_REVIEW_AFTER,
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            title=_("Review the risk: %(title)s") % {"title": self.risk.display_title}, **kwargs
        )

    def form_valid(self, form):
        review = self.run(
            form, lambda: services.risk_review(risk=self.risk, by=self.request.user, **form.cleaned_data)
        )
        if review is None:
            return self.form_invalid(form)
        messages.success(self.request, _("The review was recorded."))
        return redirect(self.risk)


# --- The learning log -----------------------------------------------------------------------------


class AssumptionListView(LearningMixin, TemplateView):
    template_name = "learning/assumption_list.html"
    tab = "log"

    def get_context_data(self, **kwargs):
        assumptions = list(selectors.assumptions_of(self.initiative))
        entries = [e for a in assumptions for e in a.entries.all()]
        return super().get_context_data(
            assumptions=assumptions,
            titles=selectors.strategy_titles(self.initiative),
            visible_documents=selectors.visible_document_ids(self.request.user, self.initiative, entries),
            **kwargs,
        )


class AssumptionFormMixin(FormPageMixin):
    permission = perms.KEEP
    form_class = AssumptionForm
    tab = "log"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "titles": selectors.strategy_titles(self.initiative)}


class AssumptionCreateView(AssumptionFormMixin, FormView):
    def cancel_url(self) -> str:
        return reverse("learning:assumptions", kwargs={"slug": self.initiative.slug})

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=_("A new working assumption"), **kwargs)

    def form_valid(self, form):
        assumption = self.run(
            form,
            lambda: services.assumption_create(
                initiative=self.initiative, by=self.request.user, **form.cleaned_data
            ),
        )
        if assumption is None:
            return self.form_invalid(form)
        messages.success(self.request, _("The working assumption was added to the learning log."))
        return redirect(assumption)


class AssumptionMixin(LearningMixin):
    tab = "log"

    def load_assumption(self):
        self.assumption = selectors.assumption_detail(self.initiative, self.kwargs["pk"])
        return self.assumption


class AssumptionDetailView(AssumptionMixin, TemplateView):
    template_name = "learning/assumption_detail.html"

    def get_context_data(self, **kwargs):
        assumption = self.load_assumption()
        entries = list(assumption.entries.all())
        return super().get_context_data(
            assumption=assumption,
            entries=entries,
            titles=selectors.strategy_titles(self.initiative),
            visible_documents=selectors.visible_document_ids(self.request.user, self.initiative, entries),
            **kwargs,
        )


class AssumptionEditView(AssumptionMixin, AssumptionFormMixin, FormView):
    def cancel_url(self) -> str:
        return self.assumption.get_absolute_url()

    def get(self, request, *args, **kwargs):
        self.load_assumption()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.load_assumption()
        return super().post(request, *args, **kwargs)

    def get_initial(self):
        return {"statement": self.assumption.statement, "strategy": self.assumption.strategy_id}

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=_("Edit the working assumption"), **kwargs)

    def form_valid(self, form):
        assumption = self.run(
            form,
            lambda: services.assumption_update(
                assumption=self.assumption, by=self.request.user, **form.cleaned_data
            ),
        )
        if assumption is None:
            return self.form_invalid(form)
        messages.success(self.request, _("Saved."))
        return redirect(assumption)


class LearningRecordView(AssumptionMixin, FormPageMixin, FormView):
    """Record what was learned about an assumption, the evidence, and the status it leaves."""

    permission = perms.KEEP
    form_class = LearningEntryForm

    def cancel_url(self) -> str:
        return self.assumption.get_absolute_url()

    def get(self, request, *args, **kwargs):
        self.load_assumption()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.load_assumption()
        return super().post(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_initial(self):
        return {"status": self.assumption.status}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            title=_("What did we learn?"),
            intro=self.assumption.statement,
            **kwargs,
        )

    def form_valid(self, form):
        entry = self.run(
            form,
            lambda: services.learning_record(
                assumption=self.assumption, by=self.request.user, **form.cleaned_data
            ),
        )
        if entry is None:
            return self.form_invalid(form)
        messages.success(self.request, _("The learning log was updated."))
        return redirect(self.assumption)


# --- Turn the curve -------------------------------------------------------------------------------


class CurveListView(LearningMixin, TemplateView):
    """Every shared measure with its latest worksheet and how many stories were told beside it."""

    template_name = "learning/curve_list.html"
    tab = "curve"

    def get_context_data(self, **kwargs):
        latest = selectors.latest_worksheets(self.initiative)
        stories = selectors.story_counts(self.initiative)
        rows = [(m, latest.get(m.pk), stories.get(m.pk, 0)) for m in selectors.measures(self.initiative)]
        return super().get_context_data(rows=rows, **kwargs)


class MeasureMixin(LearningMixin):
    tab = "curve"

    def load_measure(self):
        self.measure = selectors.measure(self.initiative, self.kwargs["code"])
        return self.measure

    def load_period(self):
        self.load_measure()
        self.period = selectors.period_of(self.measure, self.kwargs["period"])
        return self.period


class CurveMeasureView(MeasureMixin, TemplateView):
    """A measure's worksheets, one version per period, and its stories. ?period= opens a period."""

    template_name = "learning/curve_measure.html"

    def get(self, request, *args, **kwargs):
        measure = self.load_measure()
        wanted = request.GET.get("period", "")
        if wanted.isdigit():
            period = selectors.period_of(measure, int(wanted))
            return redirect(
                "learning:worksheet", slug=self.initiative.slug, code=measure.code, period=period.pk
            )
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        periods = selectors.periods_of(self.measure)
        return super().get_context_data(
            measure=self.measure,
            history=selectors.worksheet_history(self.measure),
            periods=periods,
            latest_period=periods[0] if periods else None,
            stories=selectors.stories_for(self.measure),
            **kwargs,
        )


class WorksheetView(MeasureMixin, TemplateView):
    """The worksheet of one period, beside the stories told about it."""

    template_name = "learning/worksheet.html"

    def get_context_data(self, **kwargs):
        kwargs.pop("period")  # the URL's id; the context's period is the object
        period = self.load_period()
        worksheet = selectors.worksheet_of(self.measure, period)
        return super().get_context_data(
            measure=self.measure,
            period=period,
            worksheet=worksheet,
            previous=None if worksheet else selectors.worksheet_to_start_from(self.measure, period),
            stories=selectors.stories_for(self.measure, period),
            **kwargs,
        )


class WorksheetEditView(MeasureMixin, TemplateView):
    """Write the worksheet of a period. A period without one starts from the last version (shown
    in the form, saved only when the form is)."""

    permission = perms.KEEP
    template_name = "learning/worksheet_form.html"

    def _forms(self, data=None):
        worksheet = selectors.worksheet_of(self.measure, self.period)
        source = worksheet or selectors.worksheet_to_start_from(self.measure, self.period)
        initial: dict = {"revision": worksheet.revision if worksheet else 0}
        partners, actions = [], []
        if source is not None:
            initial |= {
                "story": source.story,
                "what_works": source.what_works,
                "what_works_evidence": source.what_works_evidence,
                "show_on_report_card": source.show_on_report_card if worksheet else False,
            }
            partners = [{"organization": p.organization_id, "role": p.role} for p in source.partners.all()]
            actions = [
                {"description": a.description, "activity": a.activity_id, "due_on": a.due_on}
                for a in source.actions.all()
            ]
        activities = selectors.activities_for(self.initiative)
        form = WorksheetForm(data, initial=initial)
        partner_set = PartnerFormSet(
            data, initial=partners, prefix="partners", form_kwargs={"initiative": self.initiative}
        )
        action_set = ActionFormSet(
            data, initial=actions, prefix="actions", form_kwargs={"activities": activities}
        )
        return worksheet, source, form, partner_set, action_set

    def get_context_data(self, **kwargs):
        return super().get_context_data(measure=self.measure, period=self.period, **kwargs)

    def get(self, request, *args, **kwargs):
        self.load_period()
        worksheet, source, form, partner_set, action_set = self._forms()
        return self.render_to_response(
            self.get_context_data(
                worksheet=worksheet, source=source, form=form, partner_set=partner_set, action_set=action_set
            )
        )

    def post(self, request, *args, **kwargs):
        self.load_period()
        worksheet, source, form, partner_set, action_set = self._forms(request.POST)
        if form.is_valid() and partner_set.is_valid() and action_set.is_valid():
            data = form.cleaned_data
            try:
                saved = services.worksheet_save(
                    initiative=self.initiative,
                    by=request.user,
                    measure=self.measure,
                    period=self.period,
                    revision=data["revision"],
                    story=data["story"],
                    what_works=data["what_works"],
                    what_works_evidence=data["what_works_evidence"],
                    show_on_report_card=data["show_on_report_card"],
                    partners=[
                        services.PartnerRole(organization=f["organization"], role=f["role"])
                        for f in partner_set.cleaned_data
                        if f.get("organization")
                    ],
                    actions=[
                        services.PlannedAction(
                            description=f["description"], activity=f.get("activity"), due_on=f.get("due_on")
                        )
                        for f in action_set.cleaned_data
                        if (f.get("description") or "").strip()
                    ],
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("The worksheet was saved."))
                return redirect(saved)
        return self.render_to_response(
            self.get_context_data(
                worksheet=worksheet, source=source, form=form, partner_set=partner_set, action_set=action_set
            ),
            status=400,
        )


class StoryCreateView(MeasureMixin, FormPageMixin, FormView):
    permission = perms.TELL
    form_class = StoryForm

    def cancel_url(self) -> str:
        return reverse(
            "learning:worksheet",
            kwargs={"slug": self.initiative.slug, "code": self.measure.code, "period": self.period.pk},
        )

    def get(self, request, *args, **kwargs):
        self.load_period()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.load_period()
        return super().post(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "organization_ids": perms.story_organization_ids(self.request.user, self.initiative),
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            title=_("A story beside %(code)s, %(period)s")
            % {"code": self.measure.code, "period": period_label(self.period.code)},
            intro=_(
                "What happened to people behind the numbers: the data and the stories are shared together."
            ),
            **kwargs,
        )

    def form_valid(self, form):
        story = self.run(
            form,
            lambda: services.story_tell(
                initiative=self.initiative,
                by=self.request.user,
                measure=self.measure,
                period=self.period,
                title=form.cleaned_data["title"],
                text=form.cleaned_data["text"],
                organization=form.cleaned_data.get("organization"),
            ),
        )
        if story is None:
            return self.form_invalid(form)
        messages.success(self.request, _("Thank you: the story was added."))
        return redirect(self.cancel_url())
