"""Dashboards (steering committee), the measure page, data completeness (backbone) and the public
report card. Charts are Plotly figures prepared here and drawn in the browser from JSON."""

from __future__ import annotations

from datetime import date

from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import get_language_bidi
from django.utils.translation import gettext as _
from django.views.generic import FormView, TemplateView

from initiatives import permissions as initiative_permissions
from initiatives.models import Initiative
from learning import selectors as learning

from .. import permissions, selectors
from ..aggregation import runs
from ..choices import Frequency
from ..models import DirtyAggregate, ReportCard
from ..views import MeasurementMixin
from . import charts, readers
from .forms import ReportCardForm


def _labels() -> dict[str, str]:
    return {
        "history": _("Actual"),
        "target": _("Target"),
        "baseline": _("Baseline"),
        "forecast": _("Forecast"),
        "provisional": _("Provisional"),
    }


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


class DashboardView(MeasurementMixin, TemplateView):
    """Every shared measure's curve against baseline and targets, grouped by strategy."""

    replica_reads = True  # precomputed aggregates; a little lag is harmless (ci_platform/replica.py)

    template_name = "measurement/dashboard.html"
    section = "measurement"

    def get_context_data(self, **kwargs):
        first, last = _date(self.request.GET.get("from")), _date(self.request.GET.get("to"))
        strategy = self.request.GET.get("strategy")
        strategy_id = int(strategy) if strategy and strategy.isdigit() else None
        groups, run = readers.measure_cards(self.initiative, first=first, last=last, strategy_id=strategy_id)
        rtl, labels = get_language_bidi(), _labels()
        figures = {
            f"fig-{card.measure.code}": charts.turn_the_curve(card.curve, rtl=rtl, labels=labels)
            for g in groups
            for card in g.cards
        }
        from agenda.selectors import current_strategy_titles

        return super().get_context_data(
            groups=groups,
            figures=figures,
            run=run,
            pending=runs.latest_pending(self.initiative),
            # Approved changes not yet in the aggregates (queued, or waiting for the broker).
            updates_pending=DirtyAggregate.objects.filter(
                initiative=self.initiative, applied_at=None
            ).exists(),
            strategies=[
                {"strategy_id": pk, "title": title}
                for pk, title in current_strategy_titles(self.initiative).items()
            ],
            filters={
                "from": self.request.GET.get("from", ""),
                "to": self.request.GET.get("to", ""),
                "strategy": strategy_id,
            },
            **kwargs,
        )


class MeasureDashboardView(MeasurementMixin, TemplateView):
    """One measure: its card (the dashboard's, with the turn-the-curve chart), the trend by
    breakdown and (where allowed) by organisation, completeness, and the table of the numbers
    behind every chart. Provisional periods are marked on every chart and table."""

    replica_reads = True  # precomputed aggregates; a little lag is harmless (ci_platform/replica.py)

    template_name = "measurement/measure_dashboard.html"

    def get_context_data(self, **kwargs):
        measure = selectors.measure_by_code(self.initiative, self.kwargs["code"])
        if measure is None:
            raise Http404
        first, last = _date(self.request.GET.get("from")), _date(self.request.GET.get("to"))
        # Named organisations only for those who may see every partner's raw values.
        show_orgs = permissions.organizations_user_can_see(self.request.user, self.initiative) is None
        detail = readers.measure_detail(
            self.initiative,
            measure,
            show_organizations=show_orgs,
            first=first,
            last=last,
            organizations_page=self.request.GET.get("orgs"),
        )
        # The headline, changes, verdict and forecast: the dashboard's card of this measure.
        groups, _run = readers.measure_cards(self.initiative, codes=[measure.code], first=first, last=last)
        card = groups[0].cards[0] if groups else None
        rtl, labels = get_language_bidi(), _labels()
        by_member = charts.bars_by_member(
            detail.periods,
            {label: [vals.get(p) for p in detail.periods] for label, vals in detail.members},
            rtl=rtl,
            unit=measure.get_unit_display(),
            provisional=detail.provisional,
            provisional_label=labels["provisional"],
        )
        by_organization = detail.by_organization or []
        by_org = (
            charts.bars_by_member(
                detail.periods,
                {label: [vals.get(p) for p in detail.periods] for label, vals in by_organization},
                rtl=rtl,
                unit=measure.get_unit_display(),
                provisional=detail.provisional,
                provisional_label=labels["provisional"],
            )
            if any(vals for _label, vals in by_organization)
            else None
        )
        # The turn-the-curve conversation beside the curve: its latest worksheet and stories.
        history = learning.worksheet_history(measure)
        return super().get_context_data(
            measure=measure,
            detail=detail,
            card=card,
            worksheet=history[0] if history else None,
            stories=learning.stories_for(measure)[:5],
            figures={f"fig-{card.measure.code}": charts.turn_the_curve(card.curve, rtl=rtl, labels=labels)}
            if card
            else {},
            figure_members=by_member,
            figure_orgs=by_org,
            filters={"from": self.request.GET.get("from", ""), "to": self.request.GET.get("to", "")},
            **kwargs,
        )


class CompletenessView(MeasurementMixin, TemplateView):
    permission = initiative_permissions.MANAGE
    template_name = "measurement/completeness.html"

    def get_context_data(self, **kwargs):
        frequency = self.request.GET.get("frequency", Frequency.QUARTERLY)
        if frequency not in Frequency.values:
            frequency = Frequency.QUARTERLY
        periods, rows = readers.completeness_matrix(self.initiative, frequency)
        return super().get_context_data(
            periods=periods, rows=rows, frequency=frequency, frequencies=Frequency.choices, **kwargs
        )


class RecomputeView(MeasurementMixin, TemplateView):
    """Backbone staff ask for a full rebuild of the aggregates (it runs on a worker)."""

    permission = initiative_permissions.MANAGE
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        from django.contrib import messages

        from .. import services

        _run, new = services.aggregates_rebuild_request(initiative=self.initiative, by=request.user)
        if new:
            messages.success(request, _("A full recomputation is queued."))
        else:
            messages.info(request, _("A recomputation is already queued or running."))
        return redirect("measurement:dashboard", slug=self.initiative.slug)


class ReportCardSettingsView(MeasurementMixin, FormView):
    permission = initiative_permissions.MANAGE
    template_name = "measurement/report_card_settings.html"
    form_class = ReportCardForm

    def get_form_kwargs(self):
        card = ReportCard.objects.filter(initiative=self.initiative).first() or ReportCard(
            initiative=self.initiative
        )
        return {**super().get_form_kwargs(), "instance": card, "initiative": self.initiative}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            title=_("Public report card"),
            intro=_(
                "A read-only page anyone can open without signing in: the measures you choose, approved data only."
            ),
            **kwargs,
        )

    def form_valid(self, form):
        from django.contrib import messages

        from .. import services

        services.report_card_save(initiative=self.initiative, by=self.request.user, form=form)
        messages.success(self.request, _("Saved."))
        return redirect("measurement:dashboard", slug=self.initiative.slug)


class PublicReportCardView(TemplateView):
    """The Community Report Card: no login; nothing else of the initiative is reachable from it."""

    replica_reads = True  # precomputed aggregates; a little lag is harmless (ci_platform/replica.py)

    template_name = "measurement/report_card.html"

    def get_context_data(self, **kwargs):
        initiative = get_object_or_404(Initiative, slug=self.kwargs["slug"])
        state = readers.public_report_card(initiative)  # the PDF and the API read the same
        if state is None:
            raise Http404
        rtl, labels = get_language_bidi(), _labels()
        return super().get_context_data(
            initiative=initiative,
            card=state.card,
            cards=state.cards,
            worksheets=state.worksheets,
            breakdowns=state.breakdowns,
            figures={
                f"fig-{c.measure.code}": charts.turn_the_curve(c.curve, rtl=rtl, labels=labels)
                for c in state.cards
            },
            run=state.run,
            **kwargs,
        )
