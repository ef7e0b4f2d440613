"""Pages of the backbone component. Thin: load through selectors, change through services, decide
access in permissions. The respondent's form is the one page that needs no account: its signed,
one-time link is the credential."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import get_language_bidi
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView

from ci_platform import bases
from initiatives import permissions as initiative_permissions
from initiatives.models import Initiative
from initiatives.views import InitiativeMixin, apply_errors

from . import charts, permissions, scoring, selectors, services
from .choices import (
    Confidence,
    FunderType,
    FundingPurpose,
    PolicyKind,
    RespondentGroup,
    RunTrigger,
    WaveStatus,
)
from .forms import (
    BackboneProfileForm,
    CommunityEventForm,
    FunderForm,
    FundingCommitmentForm,
    FundingEntryForm,
    IndicatorForm,
    IndicatorLabelForm,
    ItemForm,
    PolicyEntryForm,
    RespondentsForm,
    SurveyAnswerForm,
    WaveForm,
)
from .models import CommunityEvent, FundingEntry, PolicyEntry


class _Rule(bases.PageView):
    """A backbone-specific access rule, checked after InitiativeMixin (404 for outsiders, 403 for a
    member whose role lacks the view's `permission`)."""

    rule: Callable[[Any, Initiative], bool] | None = None  # a staticmethod(user, initiative)
    initiative: Initiative  # InitiativeMixin's

    def dispatch(self, request, *args, **kwargs):
        if self.rule is not None and not self.rule(request.user, self.initiative):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class BackboneMixin(InitiativeMixin, _Rule):
    section = "backbone"
    tab = "scorecard"

    def get_context_data(self, **kwargs):
        user = self.request.user
        kwargs.setdefault("tab", self.tab)
        kwargs.setdefault("can_detail", permissions.can_see_detail(user, self.initiative))
        kwargs.setdefault("can_keep", permissions.can_keep_records(user, self.initiative))
        kwargs.setdefault("can_survey", permissions.can_run_surveys(user, self.initiative))
        return super().get_context_data(**kwargs)


def _score_labels() -> dict[str, str]:
    return {
        "score": _("Score (0–100)"),
        "count": _("Answers"),
        "amount": _("Amount"),
        "entries": _("Entries"),
    }


# --- The scorecard ------------------------------------------------------------------------------------


class ScorecardView(BackboneMixin, TemplateView):
    """The six functions with their scores and trend; the indicators and what changed for the
    steering committee and backbone staff (partners see the aggregate only)."""

    template_name = "backbone/scorecard.html"

    def get_context_data(self, **kwargs):
        can_detail = permissions.can_see_detail(self.request.user, self.initiative)
        card = selectors.scorecard(
            self.initiative, period_code=self.request.GET.get("period"), with_indicators=can_detail
        )
        codes = [p.code for p in card.periods]
        figures = {}
        if codes:
            figures["fig-functions"] = charts.function_trend(
                codes,
                [
                    (
                        f"{row.function.code}. {row.function.name}",
                        [_float(s.score if s else None) for s in row.scores],
                    )
                    for row in card.functions
                ],
                rtl=get_language_bidi(),
                y_title=_score_labels()["score"],
            )
        return super().get_context_data(
            card=card,
            figures=figures,
            run=selectors.latest_run(self.initiative),
            pending=selectors.pending_run(self.initiative),
            can_recompute=permissions.can_recompute(self.request.user, self.initiative),
            method=_method(),
            confidence=Confidence,
            **kwargs,
        )


def _float(value) -> float | None:
    return float(value) if value is not None else None


def _method() -> dict:
    return {
        "min_responses": scoring.MIN_RESPONSES,
        "solid_responses": scoring.SOLID_RESPONSES,
        "solid_rate": int(scoring.SOLID_RATE),
        "min_records": scoring.MIN_RECORDS,
        "survey_weight": int(scoring.SURVEY_WEIGHT * 100),
        "records_weight": int(round((1 - scoring.SURVEY_WEIGHT) * 100)),
        "notable": int(scoring.NOTABLE_CHANGE),
    }


class IndicatorView(BackboneMixin, TemplateView):
    """One indicator: its score over the periods, the evidence, the survey distribution."""

    template_name = "backbone/indicator.html"
    rule = staticmethod(permissions.can_see_detail)

    def get_context_data(self, **kwargs):
        indicator = selectors.indicator_by_number(self.initiative, self.kwargs["number"])
        detail = selectors.indicator_detail(
            self.initiative, indicator, period_code=self.request.GET.get("period")
        )
        rtl = get_language_bidi()
        figures = {}
        if detail.history:
            figures["fig-trend"] = charts.indicator_trend(
                [s.period.code for s in detail.history],
                [_float(s.score) for s in detail.history],
                rtl=rtl,
                name=_("Score"),
                y_title=_score_labels()["score"],
            )
        if detail.distribution_shown:
            labels = [str(value) for value, _label in _likert_labels()] + [_("Don't know")]
            figures["fig-distribution"] = charts.distribution(
                labels,
                [*detail.survey.get("distribution", [0] * 5), detail.survey.get("dont_know", 0)],
                rtl=rtl,
                y_title=_score_labels()["count"],
            )
        groups = [
            (RespondentGroup(g).label, data)
            for g, data in sorted(detail.survey.get("by_group", {}).items())
            if g in RespondentGroup.values
        ]
        return super().get_context_data(
            indicator=indicator,
            detail=detail,
            groups=groups,
            figures=figures,
            method=_method(),
            likert=_likert_labels(),
            **kwargs,
        )


def _likert_labels():
    from .choices import Likert

    return [(value, str(label)) for value, label in Likert.choices]


class RecomputeView(BackboneMixin, View):
    permission = initiative_permissions.MANAGE
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        services.scores_recompute_request(
            initiative=self.initiative, by=request.user, trigger=RunTrigger.MANUAL
        )
        messages.success(request, _("The scores are being recomputed; reload the page in a moment."))
        return redirect("backbone:home", slug=self.initiative.slug)


# --- The catalogue ---------------------------------------------------------------------------------


class CatalogueView(BackboneMixin, TemplateView):
    template_name = "backbone/catalogue.html"
    tab = "catalogue"

    def get_context_data(self, **kwargs):
        indicators = selectors.indicators_for(self.initiative)
        items: dict[int, list] = {}
        for item in selectors.item_bank(self.initiative, active_only=False):
            items.setdefault(item.indicator_id, []).append(item)
        for indicator in indicators:
            indicator.bank = items.get(indicator.pk, [])  # type: ignore[attr-defined]  # for the page only
        grouped = [(f, [i for i in indicators if i.function_id == f.pk]) for f in selectors.functions()]
        return super().get_context_data(functions=grouped, **kwargs)


class _FormPage(BackboneMixin, FormView):
    permission = initiative_permissions.MANAGE
    template_name = "backbone/form_page.html"
    title = ""
    intro = ""

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "initiative": self.initiative}

    def get_context_data(self, **kwargs):
        kwargs.setdefault("title", self.title)
        kwargs.setdefault("intro", self.intro)
        return super().get_context_data(**kwargs)

    def _save(self, form, call):
        try:
            call()
        except ValidationError as exc:
            apply_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Saved."))
        return redirect(self.get_success_url())


class IndicatorLabelView(_FormPage):
    tab = "catalogue"

    def _indicator(self):
        indicator = selectors.indicator_by_number(self.initiative, self.kwargs["number"])
        if not indicator.is_standard:
            raise Http404
        return indicator

    def get_form_class(self):
        return IndicatorLabelForm

    def get_form_kwargs(self):
        kwargs = FormView.get_form_kwargs(self)
        label = self._indicator()._label
        if label:
            kwargs["initial"] = {"name_en": label.name_en, "name_he": label.name_he}
        return kwargs

    def get_context_data(self, **kwargs):
        indicator = self._indicator()
        return super().get_context_data(
            title=_("Wording of indicator %(number)s") % {"number": indicator.number},
            intro=_("Standard wording: %(name)s. The number and the function do not change.")
            % {"name": indicator.standard_name},
            **kwargs,
        )

    def get_success_url(self):
        return _url("backbone:catalogue", self.initiative)

    def form_valid(self, form):
        return self._save(
            form,
            lambda: services.indicator_relabel(
                initiative=self.initiative,
                by=self.request.user,
                indicator=self._indicator(),
                **form.cleaned_data,
            ),
        )


class IndicatorCreateView(_FormPage):
    tab = "catalogue"
    form_class = IndicatorForm

    def get_form_kwargs(self):
        return FormView.get_form_kwargs(self)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            title=_("An indicator of the initiative's own"),
            intro=_("It is numbered after the standard 27 and scored from the statements you add for it."),
            **kwargs,
        )

    def get_success_url(self):
        return _url("backbone:catalogue", self.initiative)

    def form_valid(self, form):
        return self._save(
            form,
            lambda: services.indicator_create(
                initiative=self.initiative, by=self.request.user, **form.cleaned_data
            ),
        )


class ItemCreateView(_FormPage):
    tab = "catalogue"
    form_class = ItemForm
    title = ""

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            title=_("A statement for the item bank"),
            intro=_(
                "Respondents rate it from 1 (strongly disagree) to 5 (strongly agree), or say they don't know."
            ),
            **kwargs,
        )

    def get_success_url(self):
        return _url("backbone:catalogue", self.initiative)

    def form_valid(self, form):
        return self._save(
            form,
            lambda: services.item_create(
                initiative=self.initiative, by=self.request.user, **form.cleaned_data
            ),
        )


def _url(name: str, initiative, **kwargs) -> str:
    from django.urls import reverse

    return reverse(name, kwargs={"slug": initiative.slug, **kwargs})


# --- Survey management (backbone staff) -----------------------------------------------------------


class WaveListView(BackboneMixin, TemplateView):
    permission = initiative_permissions.MANAGE
    template_name = "backbone/waves.html"
    tab = "surveys"

    def get_context_data(self, **kwargs):
        waves = list(selectors.waves_of(self.initiative))
        for wave in waves:
            wave.rate = selectors.rate(wave.responded, wave.invited)  # type: ignore[attr-defined]  # counts: waves_of's annotations
        return super().get_context_data(waves=waves, **kwargs)


class WaveCreateView(_FormPage):
    template_name = "backbone/wave_form.html"
    form_class = WaveForm
    tab = "surveys"

    def get_initial(self):
        from datetime import timedelta

        from django.utils import timezone

        from .periods import half_year_of

        today = timezone.localdate()
        return {
            "period": half_year_of(today).code,
            "closes_on": today + timedelta(days=21),
            "title": _("Backbone effectiveness survey %(period)s") % {"period": half_year_of(today).code},
        }

    def get_context_data(self, **kwargs):
        form = kwargs.get("form") or self.get_form()
        chosen = {str(v) for v in (form["items"].value() or [])} if form.is_bound else None
        groups = [
            (value, label, [(item, chosen is None or str(item.pk) in chosen) for item in items])
            for value, label, items in selectors.item_bank_by_group(self.initiative)
        ]
        return super().get_context_data(title=_("New survey wave"), groups=groups, **kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            wave = services.wave_create(
                initiative=self.initiative,
                by=self.request.user,
                title=data["title"],
                period_code=data["period"],
                closes_on=data["closes_on"],
                items=list(data["items"]),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("The wave was created. Add respondents, then send the invitations."))
        return redirect(wave)


class WaveView(BackboneMixin, TemplateView):
    permission = initiative_permissions.MANAGE
    template_name = "backbone/wave.html"
    tab = "surveys"

    def get_context_data(self, **kwargs):
        wave = selectors.wave_of(self.initiative, self.kwargs["pk"])
        form = kwargs.pop("form", None) or RespondentsForm(
            initiative=self.initiative, initial={"language": "en"}
        )
        return super().get_context_data(
            wave=wave,
            rate=selectors.rate(wave.responded, wave.invited),  # type: ignore[attr-defined]  # waves_of's annotations
            groups=selectors.wave_groups(wave),
            respondents=selectors.respondents_of(wave),
            items=selectors.wave_items(wave),
            form=form,
            statuses=WaveStatus,
            **kwargs,
        )


class RespondentsAddView(WaveView):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        wave = selectors.wave_of(self.initiative, kwargs["pk"])
        form = RespondentsForm(request.POST, initiative=self.initiative)
        if form.is_valid():
            data = form.cleaned_data
            try:
                added, skipped = services.respondents_add(
                    wave=wave,
                    by=request.user,
                    members=list(data["members"]),
                    external=data["external"],
                    group=data["group"],
                    organization=data["organization"],
                    language=data["language"],
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                message = _("%(added)s respondents added.") % {"added": added}
                if skipped:
                    message += " " + _("%(skipped)s were already in this wave.") % {"skipped": skipped}
                messages.success(request, message)
                return redirect(wave)
        return self.render_to_response(self.get_context_data(form=form), status=400)


class _WaveAction(BackboneMixin, View):
    permission = initiative_permissions.MANAGE
    http_method_names = ["post"]

    def act(self, wave):  # pragma: no cover - overridden
        raise TypeError(f"{type(self).__name__} must define act()")

    def post(self, request, *args, **kwargs):
        wave = get_object_or_404(self.initiative.survey_waves, pk=kwargs["pk"])
        try:
            message = self.act(wave)
        except ValidationError as exc:
            for text in exc.messages:
                messages.error(request, text)
        else:
            messages.success(request, message)
        return redirect(wave)


class WaveSendView(_WaveAction):
    def act(self, wave):
        count = services.wave_send(wave=wave, by=self.request.user)
        return _("%(count)s invitations are being sent.") % {"count": count}


class WaveRemindView(_WaveAction):
    def act(self, wave):
        count = services.wave_remind(wave=wave, by=self.request.user)
        return _("%(count)s reminders are being sent.") % {"count": count}


class WaveCloseView(_WaveAction):
    def act(self, wave):
        services.wave_close(wave=wave, by=self.request.user)
        return _("The wave is closed; the scores are being recomputed.")


# --- The respondent's form (no account) ------------------------------------------------------------


class RespondView(View):
    """The personal link. The token is checked on every request; the answer is stored once."""

    template_name = "backbone/respond.html"

    def dispatch(self, request, *args, **kwargs):
        # The email link may name the respondent's language; remember it, then drop it from the
        # address so that the language switch keeps working.
        lang = request.GET.get("lang")
        if lang:
            response = HttpResponseRedirect(request.path)
            if lang in dict(settings.LANGUAGES):
                response.set_cookie(
                    settings.LANGUAGE_COOKIE_NAME,
                    lang,
                    samesite=settings.LANGUAGE_COOKIE_SAMESITE,
                    secure=settings.LANGUAGE_COOKIE_SECURE,
                    httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                )
            return response
        return super().dispatch(request, *args, **kwargs)

    def _respondent(self, kwargs):
        try:
            return services.respondent_by_token(slug=kwargs["slug"], token=kwargs["token"]), None
        except services.LinkError as exc:
            return None, exc

    def _problem(self, request, exc):
        status = {"forged": 404, "used": 409, "expired": 410, "closed": 410}.get(exc.code, 400)
        return render(
            request,
            "backbone/respond_problem.html",
            {"problem": exc.messages[0], "code": exc.code},
            status=status,
        )

    def _page(self, request, respondent, form, status=200):
        return render(
            request,
            self.template_name,
            {
                "respondent": respondent,
                "wave": respondent.wave,
                "initiative": respondent.wave.initiative,
                "form": form,
            },
            status=status,
        )

    def get(self, request, *args, **kwargs):
        respondent, problem = self._respondent(kwargs)
        if problem:
            return self._problem(request, problem)
        return self._page(
            request, respondent, SurveyAnswerForm(items=services.items_for_respondent(respondent))
        )

    def post(self, request, *args, **kwargs):
        respondent, problem = self._respondent(kwargs)
        if problem:
            return self._problem(request, problem)
        form = SurveyAnswerForm(request.POST, items=services.items_for_respondent(respondent))
        if not form.is_valid():
            return self._page(request, respondent, form, status=400)
        try:
            services.response_submit(
                slug=kwargs["slug"],
                token=kwargs["token"],
                answers=form.answers(),
                language=translation.get_language() or "en",
            )
        except services.LinkError as exc:
            return self._problem(request, exc)
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
            return self._page(request, respondent, form, status=400)
        return render(request, "backbone/respond_done.html", {"initiative": respondent.wave.initiative})


# --- Funding ledger, policy log, community engagement ------------------------------------------------


class FundingView(BackboneMixin, TemplateView):
    template_name = "backbone/funding.html"
    tab = "funding"

    def get_context_data(self, **kwargs):
        summary = selectors.funding_summary(self.initiative)
        rtl = get_language_bidi()
        figures = {}
        if summary.years:
            figures["fig-funding"] = charts.funding_by_source(
                summary.years,
                summary.by_type,
                {value: str(label) for value, label in FunderType.choices},
                rtl=rtl,
                y_title=_score_labels()["amount"],
            )
            figures["fig-share"] = charts.backbone_share(
                summary.years,
                summary.share,
                rtl=rtl,
                names={
                    "share": _("Backbone's share of the year's funding"),
                    "reference": _("About 1% (the source)"),
                },
            )
        can_detail = permissions.can_see_detail(self.request.user, self.initiative)
        purposes = dict(FundingPurpose.choices)
        return super().get_context_data(
            summary=summary,
            by_purpose=[(purposes[k], v) for k, v in summary.by_purpose.items()],
            funders=selectors.funder_table(self.initiative) if can_detail else None,
            rows=list(zip(summary.years, summary.total, summary.backbone, summary.share, strict=True)),
            # The numbers of the chart by source, as a table for those who cannot see the chart.
            by_source=[(FunderType(kind).label, amounts) for kind, amounts in summary.by_type.items()],
            figures=figures,
            entries=selectors.funding_ledger(self.initiative) if can_detail else None,
            **kwargs,
        )


class _RecordForm(_FormPage):
    model: type[Model]  # each view names its record's model
    list_name = ""

    def get_object(self):
        if "pk" not in self.kwargs:
            return None
        return get_object_or_404(
            self.model._default_manager.filter(initiative=self.initiative), pk=self.kwargs["pk"]
        )

    def get_success_url(self):
        return _url(self.list_name, self.initiative)


class FundingFormView(_RecordForm):
    form_class = FundingEntryForm
    model = FundingEntry
    list_name = "backbone:funding"
    tab = "funding"

    def get_initial(self):
        entry = self.get_object()
        if entry is None:
            from django.utils import timezone

            today = timezone.localdate()
            return {"year": today.year, "committed_on": today}
        return {
            "funder_name": entry.funder.name,
            "funder_type": entry.funder.funder_type,
            "recipient": entry.recipient,
            "recipient_organization": entry.recipient_organization,
            "kind": entry.kind,
            "amount": entry.amount,
            "year": entry.year,
            "committed_on": entry.committed_on,
            "requires_alignment": entry.requires_alignment,
            "description": entry.description,
            "purpose": entry.purpose,
            "strategy": entry.strategy_id,
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            title=_("Correct a funding entry") if self.get_object() else _("Record funding"),
            intro=_("Amounts are in the initiative's currency."),
            datalist=list(self.initiative.funders.values_list("name", flat=True)),
            **kwargs,
        )

    def form_valid(self, form):
        return self._save(
            form,
            lambda: services.funding_entry_save(
                initiative=self.initiative, by=self.request.user, entry=self.get_object(), **form.cleaned_data
            ),
        )


class FundingCommitmentView(_FormPage):
    """A multi-year commitment, one amount per year, saved as one ledger entry per year."""

    form_class = FundingCommitmentForm
    tab = "funding"

    def get_initial(self):
        from django.utils import timezone

        today = timezone.localdate()
        return {"first_year": today.year, "committed_on": today}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            title=_("Record a multi-year commitment"),
            intro=_(
                "The source asks for funding that carries the initiative two to three years at least: one "
                "amount per year, in the initiative's currency. Years left empty are skipped."
            ),
            datalist=list(self.initiative.funders.values_list("name", flat=True)),
            **kwargs,
        )

    def get_success_url(self):
        return _url("backbone:funding", self.initiative)

    def form_valid(self, form):
        return self._save(
            form,
            lambda: services.funding_commitment_save(
                initiative=self.initiative,
                by=self.request.user,
                amounts=form.amounts(),
                **form.service_fields(),
            ),
        )


class FunderEditView(_FormPage):
    """A funder's place in the initiative: anchor funder, founding or later, since when."""

    form_class = FunderForm
    tab = "funding"

    def get_funder(self):
        if not hasattr(self, "_funder"):
            self._funder = get_object_or_404(self.initiative.funders, pk=self.kwargs["pk"])
        return self._funder

    def get_initial(self):
        funder = self.get_funder()
        return {
            "funder_type": funder.funder_type,
            "is_anchor": funder.is_anchor,
            "joined": funder.joined,
            "joined_on": funder.joined_on,
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            title=_("Funder: %(name)s") % {"name": self.get_funder().name}, **kwargs
        )

    def get_success_url(self):
        return _url("backbone:funding", self.initiative)

    def form_valid(self, form):
        return self._save(
            form,
            lambda: services.funder_update(
                funder=self.get_funder(), by=self.request.user, **form.cleaned_data
            ),
        )


class ProfileView(BackboneMixin, TemplateView):
    """Who the backbone is and how it keeps its neutrality (every member reads it)."""

    template_name = "backbone/profile.html"
    tab = "profile"

    def get_context_data(self, **kwargs):
        profile = selectors.backbone_profile_of(self.initiative)
        return super().get_context_data(
            profile=profile,
            partner_funding=selectors.backbone_partner_funding(self.initiative, profile),
            **kwargs,
        )


class ProfileEditView(_FormPage):
    form_class = BackboneProfileForm
    tab = "profile"

    def get_initial(self):
        profile = selectors.backbone_profile_of(self.initiative)
        if profile is None:
            return {}
        return {
            "kind": profile.kind,
            "organizations": list(profile.organizations.all()),
            "structure": profile.structure,
            "interests": profile.interests,
            "neutrality": profile.neutrality,
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            title=_("The backbone's profile"),
            intro=_(
                "Foundations, nonprofits and government agencies act as backbones, sometimes several "
                "together. Whatever its form, the backbone must be free of interests: its only interest is "
                "the mission's success, and it must keep its neutrality and credibility (the source, line 270)."
            ),
            **kwargs,
        )

    def get_success_url(self):
        return _url("backbone:profile", self.initiative)

    def form_valid(self, form):
        return self._save(
            form,
            lambda: services.backbone_profile_save(
                initiative=self.initiative, by=self.request.user, **form.cleaned_data
            ),
        )


class PolicyView(BackboneMixin, TemplateView):
    template_name = "backbone/policy.html"
    tab = "policy"

    def get_context_data(self, **kwargs):
        codes, series = selectors.policy_by_half_year(self.initiative)
        figures = {}
        if codes:
            figures["fig-policy"] = charts.stacked_counts(
                codes,
                series,
                {value: str(label) for value, label in PolicyKind.choices},
                rtl=get_language_bidi(),
                y_title=_score_labels()["entries"],
            )
        return super().get_context_data(
            entries=selectors.policy_entries(self.initiative), figures=figures, **kwargs
        )


class PolicyFormView(_RecordForm):
    form_class = PolicyEntryForm
    model = PolicyEntry
    list_name = "backbone:policy"
    tab = "policy"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.get_object()}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            title=_("Correct a policy log entry") if self.get_object() else _("Add to the policy log"),
            **kwargs,
        )

    def form_valid(self, form):
        fields = {name: form.cleaned_data[name] for name in PolicyEntryForm.Meta.fields}
        return self._save(
            form,
            lambda: services.policy_entry_save(
                initiative=self.initiative, by=self.request.user, entry=self.get_object(), **fields
            ),
        )


class CommunityView(BackboneMixin, TemplateView):
    template_name = "backbone/community.html"
    tab = "community"

    def get_context_data(self, **kwargs):
        codes, series = selectors.community_by_half_year(self.initiative)
        figures = {}
        if codes:
            figures["fig-community"] = charts.grouped_counts(
                codes,
                series,
                {
                    "reached": _("Reached"),
                    "supporters": _("Expressed support"),
                    "took_action": _("Took action"),
                },
                rtl=get_language_bidi(),
                y_title=_("People"),
            )
        return super().get_context_data(
            events=selectors.community_events(self.initiative), figures=figures, **kwargs
        )


class CommunityFormView(_RecordForm):
    form_class = CommunityEventForm
    model = CommunityEvent
    list_name = "backbone:community"
    tab = "community"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.get_object()}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            title=_("Correct a community engagement event")
            if self.get_object()
            else _("Record a community engagement event"),
            **kwargs,
        )

    def form_valid(self, form):
        fields = {name: form.cleaned_data[name] for name in CommunityEventForm.Meta.fields}
        return self._save(
            form,
            lambda: services.community_event_save(
                initiative=self.initiative, by=self.request.user, event=self.get_object(), **fields
            ),
        )


class _RecordDelete(BackboneMixin, View):
    permission = initiative_permissions.MANAGE
    http_method_names = ["post"]
    model: type[Model]  # each view names its record's model
    list_name = ""

    def remove(self, obj):  # pragma: no cover - overridden
        raise TypeError(f"{type(self).__name__} must define remove()")

    def post(self, request, *args, **kwargs):
        obj = get_object_or_404(
            self.model._default_manager.filter(initiative=self.initiative), pk=kwargs["pk"]
        )
        self.remove(obj)
        messages.success(request, _("Deleted."))
        return redirect(self.list_name, slug=self.initiative.slug)


class FundingDeleteView(_RecordDelete):
    model = FundingEntry
    list_name = "backbone:funding"

    def remove(self, obj):
        services.funding_entry_delete(entry=obj, by=self.request.user)


class PolicyDeleteView(_RecordDelete):
    model = PolicyEntry
    list_name = "backbone:policy"

    def remove(self, obj):
        services.policy_entry_delete(entry=obj, by=self.request.user)


class CommunityDeleteView(_RecordDelete):
    model = CommunityEvent
    list_name = "backbone:community"

    def remove(self, obj):
        services.community_event_delete(event=obj, by=self.request.user)
