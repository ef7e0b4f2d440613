"""Pages of the common agenda. Thin: load through selectors, change through services."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.generic import FormView, TemplateView

from initiatives import permissions
from initiatives.views import InitiativeMixin, apply_errors

from . import selectors, services
from .diff import VersionSnapshot, compare_versions
from .forms import AgendaSettingsForm, DraftForm, EndorseForm, FigureFormSet, PublishForm, StrategyFormSet
from .models import AgendaVersion


class AgendaMixin(InitiativeMixin):
    section = "agenda"


class AgendaHomeView(AgendaMixin, TemplateView):
    """The current agenda, every version, who endorsed what, and the way to compare."""

    template_name = "agenda/home.html"

    def get_context_data(self, **kwargs):
        latest = selectors.latest_with_parts(self.initiative)
        versions = list(selectors.published_versions(self.initiative))
        return super().get_context_data(
            version=latest,
            versions=versions,
            draft=selectors.draft_of(self.initiative)
            if permissions.can_manage(self.request.user, self.initiative)
            else None,
            endorsements=selectors.endorsements_by_person(self.initiative),
            adoption=services.adoption_state(latest) if latest else None,
            settings=services.agenda_settings(self.initiative),
            **kwargs,
        )


class VersionView(AgendaMixin, TemplateView):
    template_name = "agenda/version.html"

    def get_context_data(self, **kwargs):
        version = selectors.version_by_number(self.initiative, self.kwargs["number"])
        latest = services.latest_published(self.initiative)
        can_endorse = permissions.can(self.request.user, permissions.ENDORSE, self.initiative)
        own = next((e for e in version.endorsements.all() if e.user_id == self.request.user.pk), None)
        form = kwargs.pop("form", None) or EndorseForm(
            initial={"decision": own.decision, "comment": own.comment} if own else None
        )
        return super().get_context_data(
            version=version,
            latest=latest,
            is_current=latest is not None and latest.pk == version.pk,
            can_endorse=can_endorse,
            own=own,
            form=form,
            adoption=services.adoption_state(version),
            **kwargs,
        )


class EndorseView(VersionView):
    http_method_names = ["post"]
    permission = permissions.ENDORSE

    def post(self, request, *args, **kwargs):
        version = selectors.version_by_number(self.initiative, kwargs["number"])
        form = EndorseForm(request.POST)
        if form.is_valid():
            try:
                services.agenda_endorse(version=version, by=request.user, **form.cleaned_data)
            except ValidationError as exc:
                if hasattr(exc, "error_dict"):
                    apply_errors(form, exc)
                else:
                    # E.g. a superseded version: its page shows no form, so the refusal goes where it shows.
                    for message in exc.messages:
                        messages.error(request, message)
            else:
                messages.success(
                    request, _("Your decision on %(version)s is recorded.") % {"version": version.label}
                )
                return redirect(version)
        return self.render_to_response(self.get_context_data(form=form), status=400)


class DraftStartView(AgendaMixin, TemplateView):
    permission = permissions.MANAGE
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        services.agenda_draft_start(initiative=self.initiative, by=request.user)
        return redirect("agenda:draft", slug=self.initiative.slug)


class DraftView(AgendaMixin, TemplateView):
    """Edit the whole draft: texts, figures, strategies and principles, saved together."""

    permission = permissions.MANAGE
    template_name = "agenda/draft.html"

    def _draft(self) -> AgendaVersion:
        draft = selectors.draft_of(self.initiative)
        if draft is None:
            raise Http404
        return draft

    def _forms(self, draft: AgendaVersion, data=None):
        # The rows' initial values only fill an empty page. A posted form is compared with what its
        # editor loaded, not with what is stored now: after someone else added a row, the stored
        # rows would make the editor's untouched empty row look filled in, and refuse it.
        figure_initial = strategy_initial = None
        if data is None:
            figure_initial = [
                {"statement": f.statement, "source": f.source, "year": f.year} for f in draft.figures.all()
            ]
            strategy_initial = [
                {"strategy_id": s.strategy_id, "title": s.title, "rationale": s.rationale}
                for s in draft.strategy_items.all()
            ]
        form = DraftForm(
            data,
            instance=draft,
            initial={
                "revision": draft.revision,
                "draft_id": draft.pk,
                "principles": "\n".join(draft.guiding_principles),
            },
            prefix="agenda",
        )
        figures = FigureFormSet(data, initial=figure_initial, prefix="figures")
        strategies = StrategyFormSet(data, initial=strategy_initial, prefix="strategies")
        return form, figures, strategies

    def get(self, request, *args, **kwargs):
        draft = self._draft()
        form, figures, strategies = self._forms(draft)
        return self.render_to_response(self._context(draft, form, figures, strategies))

    def _context(self, draft, form, figures, strategies, conflict=None):
        return self.get_context_data(
            draft=draft,
            form=form,
            figures=figures,
            strategies=strategies,
            conflict=conflict,
            publish_form=PublishForm(initial={"kind": draft.kind}),
        )

    def post(self, request, *args, **kwargs):
        draft = self._draft()
        form, figures, strategies = self._forms(draft, request.POST)
        if not (form.is_valid() and figures.is_valid() and strategies.is_valid()):
            return self.render_to_response(self._context(draft, form, figures, strategies), status=400)
        figure_rows = [
            f.cleaned_data for f in figures.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")
        ]
        strategy_rows = [
            f.cleaned_data for f in strategies.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")
        ]
        fields = {name: form.cleaned_data[name] for name in DraftForm.Meta.fields}
        try:
            if form.cleaned_data["draft_id"] != draft.pk:
                raise services.DraftConflict(draft)
            services.agenda_draft_save(
                draft=draft,
                by=request.user,
                revision=form.cleaned_data["revision"],
                fields=fields,
                figures=figure_rows,
                strategies=strategy_rows,
                principles=form.principle_list(),
            )
        except services.DraftConflict as conflict:
            # As stored now, with its parts; published in the last instant, as it was at the conflict.
            current = selectors.draft_of(self.initiative) or conflict.current
            mine = VersionSnapshot(
                texts={name: fields.get(name, "") for name in AgendaVersion.TEXT_SECTIONS},
                strategies={
                    r.get("strategy_id") or -i - 1: (r["title"], r.get("rationale", ""))
                    for i, r in enumerate(strategy_rows)
                },
                principles=form.principle_list(),
                figures=[
                    f"{r['statement']} ({r['source']}{', ' + str(r['year']) if r.get('year') else ''})"
                    for r in figure_rows
                ],
            )
            comparison = compare_versions(selectors.snapshot(current), mine)
            # Keep what they typed, and base it on the stored revision, so saving again is a choice.
            data = request.POST.copy()
            data["agenda-revision"] = str(conflict.current.revision)
            data["agenda-draft_id"] = str(conflict.current.pk)
            form, figures, strategies = self._forms(current, data)
            messages.warning(
                request,
                _(
                    "Someone else saved this draft while you were editing it. Below is how your version differs "
                    "from theirs; nothing of yours was saved yet. Save again to replace theirs with yours."
                ),
            )
            return self.render_to_response(
                self._context(current, form, figures, strategies, conflict=comparison), status=409
            )
        except ValidationError as exc:
            apply_errors(form, exc)
            return self.render_to_response(self._context(draft, form, figures, strategies), status=400)
        messages.success(request, _("Draft saved."))
        return redirect("agenda:draft", slug=self.initiative.slug)


class PublishView(AgendaMixin, FormView):
    permission = permissions.MANAGE
    http_method_names = ["post"]
    form_class = PublishForm

    def form_valid(self, form):
        draft = selectors.draft_of(self.initiative)
        if draft is None:
            raise Http404
        try:
            version = services.agenda_publish(draft=draft, by=self.request.user, **form.cleaned_data)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(self.request, message)
            return redirect("agenda:draft", slug=self.initiative.slug)
        messages.success(self.request, _("Published as %(version)s.") % {"version": version.label})
        return redirect(version)

    def form_invalid(self, form):
        messages.error(self.request, _("Choose what to publish the draft as."))
        return redirect("agenda:draft", slug=self.initiative.slug)


class DraftDiscardView(AgendaMixin, TemplateView):
    permission = permissions.MANAGE
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        draft = selectors.draft_of(self.initiative)
        if draft is not None:
            services.agenda_draft_discard(draft=draft, by=request.user)
            messages.success(request, _("The draft was discarded."))
        return redirect("agenda:home", slug=self.initiative.slug)


class CompareView(AgendaMixin, TemplateView):
    """Any two published versions side by side, section by section."""

    template_name = "agenda/compare.html"

    def get_context_data(self, **kwargs):
        versions = list(selectors.published_versions(self.initiative))
        numbers = [v.number for v in versions if v.number is not None]  # every published one has one
        try:
            a = int(self.request.GET.get("a") or (numbers[1] if len(numbers) > 1 else 0))
            b = int(self.request.GET.get("b") or (numbers[0] if numbers else 0))
        except ValueError:
            a = b = 0
        context = {"versions": versions, "a": a, "b": b, "comparison": None}
        if a in numbers and b in numbers:
            old = selectors.version_by_number(self.initiative, a)
            new = selectors.version_by_number(self.initiative, b)
            context.update(
                old=old,
                new=new,
                comparison=compare_versions(selectors.snapshot(old), selectors.snapshot(new)),
            )
        elif self.request.GET.get("a") or self.request.GET.get("b"):
            context["error"] = _("Choose two published versions to compare.")
        return super().get_context_data(**context, **kwargs)


class AgendaSettingsView(AgendaMixin, FormView):
    permission = permissions.MANAGE
    template_name = "initiatives/form_page.html"
    form_class = AgendaSettingsForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": services.agenda_settings(self.initiative)}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            title=_("Adoption rule"),
            intro=_("When does a published version count as adopted by the steering committee?"),
            **kwargs,
        )

    def form_valid(self, form):
        services.agenda_settings_update(
            initiative=self.initiative, by=self.request.user, adoption_rule=form.cleaned_data["adoption_rule"]
        )
        messages.success(self.request, _("Saved."))
        return redirect("agenda:home", slug=self.initiative.slug)
