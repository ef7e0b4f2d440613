"""Pages of mutually reinforcing activities. Thin: load through selectors, decide through
permissions, change through services. Every page goes through InitiativeMixin (outsiders get
404); objects are looked up inside the initiative (another initiative's are 404 too)."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, TemplateView, View

from ci_platform import bases
from initiatives import permissions as base
from initiatives.choices import Sector
from initiatives.models import Organization
from initiatives.views import InitiativeFormPageMixin, InitiativeMixin, apply_errors

from . import permissions as perms
from . import selectors, services
from .choices import CollaborationKind, ContactFrequency, MetricsStatus, WaveStatus
from .forms import (
    ActivityForm,
    GroupMemberForm,
    ProgressForm,
    SeatForm,
    SurveyForm,
    WaveForm,
    WorkingGroupForm,
)
from .models import WorkingGroup

# Colours per sector, shared by the badges, the legend and the network drawing (Okabe–Ito,
# distinguishable with the common colour-vision deficiencies).
SECTOR_COLOURS = {
    Sector.NONPROFIT: "#0072B2",
    Sector.GOVERNMENT: "#D55E00",
    Sector.PHILANTHROPY: "#009E73",
    Sector.BUSINESS: "#CC79A7",
    Sector.COMMUNITY: "#E69F00",
    Sector.ACADEMIA: "#56B4E9",
}


class WorkgroupsMixin(InitiativeMixin):
    section = "workgroups"
    tab = ""

    def get_context_data(self, **kwargs):
        kwargs.setdefault("tab", self.tab)
        kwargs.setdefault("sector_colours", {str(k): v for k, v in SECTOR_COLOURS.items()})
        return super().get_context_data(**kwargs)


class FormPageMixin(WorkgroupsMixin, InitiativeFormPageMixin):
    """A form on the shared form page."""

    template_name = "workgroups/form_page.html"
    home_url_name = "workgroups:home"


# --- The tiered structure -------------------------------------------------------------------------


class StructureView(WorkgroupsMixin, TemplateView):
    """The org chart: the steering committee, the working groups, the backbone."""

    template_name = "workgroups/structure.html"
    tab = "structure"

    def get_context_data(self, **kwargs):
        team = list(selectors.backbone_team(self.initiative))
        seats = list(selectors.steering_committee(self.initiative))
        return super().get_context_data(
            seats=seats,
            sector_count=len({seat.sector for seat in seats}),
            community_count=sum(1 for seat in seats if seat.is_community_representative),
            groups=selectors.working_groups(self.initiative),
            backbone_team=team,
            backbone_organizations=sorted({m.organization for m in team}, key=lambda o: o.name),
            **kwargs,
        )


class SeatAddView(FormPageMixin, FormView):
    permission = base.MANAGE
    form_class = SeatForm
    title = gettext_lazy("Add a seat on the steering committee")
    intro = gettext_lazy(
        "CEO-level leaders of key organisations across sectors, and members of the community. "
        "Give the steering committee role on the members page first."
    )

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "initiative": self.initiative}

    def get_initial(self):
        return {"since": timezone.localdate()}

    def form_valid(self, form):
        data = form.cleaned_data
        seat = self.run(
            form,
            lambda: services.seat_add(
                initiative=self.initiative,
                by=self.request.user,
                membership=data["membership"],
                person_name=data["person_name"],
                organization=data["organization"],
                seat_role=data["seat_role"],
                is_community_representative=data["is_community_representative"],
                since=data["since"],
            ),
        )
        if seat is None:
            return self.form_invalid(form)
        messages.success(
            self.request, _("%(name)s now sits on the steering committee.") % {"name": seat.name}
        )
        return redirect(seat.get_absolute_url())


class SeatMixin(FormPageMixin):
    permission = base.MANAGE

    def get_seat(self):
        if not hasattr(self, "seat"):
            self.seat = get_object_or_404(
                self.initiative.steering_seats.select_related(
                    "membership__user", "membership__organization", "organization"
                ),
                pk=self.kwargs["pk"],
            )
        return self.seat


class SeatEditView(SeatMixin, FormView):
    form_class = SeatForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "initiative": self.initiative, "seat": self.get_seat()}

    def get_initial(self):
        seat = self.get_seat()
        return {
            "person_name": seat.person_name,
            "organization": seat.organization,
            "seat_role": seat.seat_role,
            "is_community_representative": seat.is_community_representative,
            "since": seat.since,
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            title=_("The steering committee seat of %(name)s") % {"name": self.get_seat().name}, **kwargs
        )

    def form_valid(self, form):
        data = form.cleaned_data
        seat = self.run(
            form,
            lambda: services.seat_update(
                seat=self.get_seat(),
                by=self.request.user,
                seat_role=data["seat_role"],
                is_community_representative=data["is_community_representative"],
                since=data["since"],
                person_name=data.get("person_name"),
                organization=data.get("organization"),
            ),
        )
        if seat is None:
            return self.form_invalid(form)
        messages.success(self.request, _("Saved."))
        return redirect(seat.get_absolute_url())


class SeatRemoveView(SeatMixin, View):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        seat = self.get_seat()
        services.seat_remove(seat=seat, by=request.user)
        messages.success(
            request, _("%(name)s no longer sits on the steering committee.") % {"name": seat.name}
        )
        return redirect("workgroups:home", slug=self.initiative.slug)


# --- Working groups -------------------------------------------------------------------------------


class GroupListView(WorkgroupsMixin, TemplateView):
    template_name = "workgroups/group_list.html"
    tab = "groups"

    def get_context_data(self, **kwargs):
        groups = selectors.working_groups(self.initiative)
        covered = {g.strategy_id for g in groups}
        return super().get_context_data(
            groups=groups,
            uncovered=[s for s in selectors.current_strategy_labels(self.initiative) if s.id not in covered],
            **kwargs,
        )


class GroupFormMixin(FormPageMixin):
    permission = base.MANAGE
    form_class = WorkingGroupForm
    group: WorkingGroup | None = None

    def cancel_url(self) -> str:
        if self.group is not None:
            return self.group.get_absolute_url()
        return reverse("workgroups:groups", kwargs={"slug": self.initiative.slug})

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "initiative": self.initiative,
            "labels": selectors.strategy_labels(self.initiative),
            "group": self.group,
        }

    def fields(self, form) -> dict:
        return {name: form.cleaned_data[name] for name in form.fields}


class GroupCreateView(GroupFormMixin, FormView):
    title = gettext_lazy("Form a working group")
    intro = gettext_lazy(
        "One working group per key strategy of the common agenda. It develops its own action plan, "
        "focused on specific shared measures."
    )

    def get_initial(self):
        initial: dict = {"formed_on": timezone.localdate()}
        if strategy := self.request.GET.get("strategy"):
            initial["strategy"] = strategy
        return initial

    def form_valid(self, form):
        group = self.run(
            form,
            lambda: services.working_group_create(
                initiative=self.initiative, by=self.request.user, **self.fields(form)
            ),
        )
        if group is None:
            return self.form_invalid(form)
        messages.success(self.request, _("The working group %(name)s was formed.") % {"name": group.name})
        return redirect(group)


class GroupEditView(GroupFormMixin, FormView):
    group: WorkingGroup  # the one being edited (dispatched by get and post)

    def get(self, request, *args, **kwargs):
        self.group = selectors.working_group(self.initiative, kwargs["pk"])
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.group = selectors.working_group(self.initiative, kwargs["pk"])
        return super().post(request, *args, **kwargs)

    def get_initial(self):
        group = self.group
        return {
            "name": group.name,
            "strategy": group.strategy_id,
            "chair": group.chair_id,
            "purpose": group.purpose,
            "meeting_rhythm": group.meeting_rhythm,
            "focus_measures": list(group.focus_measures.all()),
            "formed_on": group.formed_on,
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=_("Edit %(name)s") % {"name": self.group.name}, **kwargs)

    def form_valid(self, form):
        group = self.run(
            form,
            lambda: services.working_group_update(
                group=self.group, by=self.request.user, **self.fields(form)
            ),
        )
        if group is None:
            return self.form_invalid(form)
        messages.success(self.request, _("Saved."))
        return redirect(group)


class GroupDetailView(WorkgroupsMixin, TemplateView):
    """A working group and its action plan."""

    template_name = "workgroups/group_detail.html"
    tab = "groups"

    def get_context_data(self, **kwargs):
        group = selectors.working_group(self.initiative, self.kwargs["pk"])
        plan = selectors.action_plan(group)
        user = self.request.user
        return super().get_context_data(
            group=group,
            plan=plan,
            members=list(group.members.all()),
            can_edit_plan=perms.can_edit_plan(user, group),
            can_update={a.pk for a in plan if perms.can_update_activity(user, a)},
            on_strategy=selectors.organizations_on_strategy(self.initiative, group.strategy_id),
            **kwargs,
        )


class GroupPlanMixin(FormPageMixin):
    """Pages that change a group's plan: backbone staff and the group's chair."""

    def load_group(self):
        self.group = selectors.working_group(self.initiative, self.kwargs["pk"])
        if not perms.can_edit_plan(self.request.user, self.group):
            raise PermissionDenied

    def cancel_url(self) -> str:
        return self.group.get_absolute_url()

    def get(self, request, *args, **kwargs):
        self.load_group()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.load_group()
        return super().post(request, *args, **kwargs)


class GroupMemberAddView(GroupPlanMixin, FormView):
    form_class = GroupMemberForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "initiative": self.initiative}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            title=_("Add a member to %(name)s") % {"name": self.group.name},
            intro=_("A person (for their organisation) or a whole organisation."),
            **kwargs,
        )

    def form_valid(self, form):
        member = self.run(
            form,
            lambda: services.group_member_add(
                group=self.group,
                by=self.request.user,
                membership=form.cleaned_data["membership"],
                organization=form.cleaned_data["organization"],
            ),
        )
        if member is None:
            return self.form_invalid(form)
        messages.success(self.request, _("%(name)s joined the working group.") % {"name": member.name})
        return redirect(self.group)


class GroupMemberRemoveView(WorkgroupsMixin, View):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        group = selectors.working_group(self.initiative, kwargs["pk"])
        member = get_object_or_404(group.members.all(), pk=kwargs["member"])
        if not perms.can_edit_plan(request.user, group):
            raise PermissionDenied
        try:
            services.group_member_remove(member=member, by=request.user)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("%(name)s left the working group.") % {"name": member.name})
        return redirect(group)


# --- Activities -----------------------------------------------------------------------------------


def _activity_fields(form) -> dict:
    return {name: form.cleaned_data[name] for name in form.fields if not form.fields[name].disabled}


class ActivityCreateView(GroupPlanMixin, FormView):
    form_class = ActivityForm

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "initiative": self.initiative,
            "labels": selectors.strategy_labels(self.initiative),
            "strategy_ids": {self.group.strategy_id},
        }

    def get_initial(self):
        return {"strategy": self.group.strategy_id, "start_date": timezone.localdate()}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            title=_("A new activity in the plan of %(name)s") % {"name": self.group.name},
            intro=_(
                "Each partner keeps doing what it does best: say who leads, who contributes, "
                "and which shared measures the activity serves."
            ),
            **kwargs,
        )

    def form_valid(self, form):
        activity = self.run(
            form,
            lambda: services.activity_create(
                group=self.group, by=self.request.user, **_activity_fields(form)
            ),
        )
        if activity is None:
            return self.form_invalid(form)
        messages.success(
            self.request, _("The activity %(title)s was added to the plan.") % {"title": activity.title}
        )
        return redirect(self.group)


class ActivityMixin(WorkgroupsMixin):
    tab = "groups"

    def load_activity(self):
        self.activity = selectors.activity(self.initiative, self.kwargs["pk"])
        self.group = self.activity.working_group
        return self.activity


class ActivityDetailView(ActivityMixin, TemplateView):
    template_name = "workgroups/activity_detail.html"

    def get_context_data(self, **kwargs):
        activity = self.load_activity()
        can_update = perms.can_update_activity(self.request.user, activity)
        kwargs.setdefault("form", ProgressForm(initial={"status": activity.status}) if can_update else None)
        return super().get_context_data(
            activity=activity,
            group=self.group,
            updates=list(selectors.activity_updates(activity)),
            can_update=can_update,
            on_strategy=selectors.organizations_on_strategy(self.initiative, activity.strategy_id),
            **kwargs,
        )


class ActivityProgressView(ActivityDetailView):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        activity = self.load_activity()
        if not perms.can_update_activity(request.user, activity):
            raise PermissionDenied
        form = ProgressForm(request.POST)
        if form.is_valid():
            try:
                services.activity_progress_add(activity=activity, by=request.user, **form.cleaned_data)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Progress recorded."))
                return redirect("workgroups:activity_detail", slug=self.initiative.slug, pk=activity.pk)
        return self.render_to_response(self.get_context_data(form=form), status=400)


class ActivityEditView(ActivityMixin, FormPageMixin, FormView):
    form_class = ActivityForm

    def cancel_url(self) -> str:
        return reverse(
            "workgroups:activity_detail", kwargs={"slug": self.initiative.slug, "pk": self.activity.pk}
        )

    def load(self):
        activity = self.load_activity()
        if not perms.can_update_activity(self.request.user, activity):
            raise PermissionDenied

    def get(self, request, *args, **kwargs):
        self.load()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.load()
        return super().post(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "initiative": self.initiative,
            "labels": selectors.strategy_labels(self.initiative),
            "strategy_ids": {self.group.strategy_id, self.activity.strategy_id},
            "can_change_lead": perms.can_edit_plan(self.request.user, self.group),
        }

    def get_initial(self):
        a = self.activity
        return {
            "title": a.title,
            "description": a.description,
            "lead_organization": a.lead_organization_id,
            "contributing_organizations": list(a.contributing_organizations.all()),
            "start_date": a.start_date,
            "end_date": a.end_date,
            "status": a.status,
            "strategy": a.strategy_id,
            "measures": list(a.measures.all()),
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=_("Edit %(title)s") % {"title": self.activity.title}, **kwargs)

    def form_valid(self, form):
        activity = self.run(
            form,
            lambda: services.activity_update(
                activity=self.activity, by=self.request.user, **_activity_fields(form)
            ),
        )
        if activity is None:
            return self.form_invalid(form)
        messages.success(self.request, _("Saved."))
        return redirect(self.cancel_url())


# --- Alignment ------------------------------------------------------------------------------------


class AlignmentView(WorkgroupsMixin, TemplateView):
    """Strategies × organisations: who contributes to what, and the gaps."""

    template_name = "workgroups/alignment.html"
    tab = "alignment"

    def get_context_data(self, **kwargs):
        return super().get_context_data(alignment=selectors.alignment(self.initiative), **kwargs)


# --- The collaboration network --------------------------------------------------------------------


class NetworkView(WorkgroupsMixin, TemplateView):
    """The network of one survey wave (stored figures) or of the platform's records (computed now),
    and the figures of every wave side by side with their change."""

    template_name = "workgroups/network.html"
    tab = "network"

    def get_context_data(self, **kwargs):
        waves = selectors.tie_waves(self.initiative)
        computed = [
            w for w in waves if getattr(w, "metrics", None) and w.metrics.status == MetricsStatus.DONE
        ]
        choice = self.request.GET.get("wave", "")
        wave = None
        figures: object  # the records' figures or a wave's metrics: the same names, for the page
        if choice == "records" or (not choice and not computed):
            source = "records"
            drawing, figures = selectors.records_network(self.initiative)
        else:
            wave = next((w for w in computed if str(w.pk) == choice), None) if choice else computed[-1]
            if wave is None:
                raise Http404
            source = "wave"
            drawing, figures = wave.metrics.graph, wave.metrics
        labels = {
            "sectors": {str(s.value): str(s.label) for s in Sector},
            "colours": {str(k): v for k, v in SECTOR_COLOURS.items()},
            "frequency": {str(f.value): str(f.label) for f in ContactFrequency},
            "kinds": {str(k.value): str(k.label) for k in CollaborationKind},
            "ties": _("ties"),
            "mutual": _("both report it"),
            "one_side": _("one side reports it"),
            "activities": _("shared activities"),
            "groups": _("shared working groups"),
        }
        return super().get_context_data(
            waves=waves,
            computed=computed,
            tie_rows=_tie_rows(drawing, labels),
            wave=wave,
            source=source,
            figures=figures,
            network_data={"graph": drawing, "labels": labels},
            open_wave=next((w for w in waves if w.status == WaveStatus.OPEN), None),
            can_answer=perms.can_answer_survey(self.request.user, self.initiative),
            **kwargs,
        )


def _tie_rows(drawing: dict, labels: dict) -> list[tuple[str, str, str]]:
    """The drawn ties as text, for those who do not read the picture."""
    names = {node["id"]: node["name"] for node in drawing.get("nodes", [])}
    rows = []
    for edge in drawing.get("edges", []):
        if "frequency" in edge:
            detail = [labels["frequency"].get(str(edge["frequency"]), "")]
            detail += [labels["kinds"].get(kind, kind) for kind in edge.get("kinds", [])]
            detail.append(labels["mutual"] if edge.get("mutual") else labels["one_side"])
        else:
            detail = [f"{edge[key]} {labels[key]}" for key in ("activities", "groups") if edge.get(key)]
        rows.append(
            (
                names.get(edge["source"], "?"),
                names.get(edge["target"], "?"),
                ", ".join(d for d in detail if d),
            )
        )
    return sorted(rows)


class WaveListView(WorkgroupsMixin, FormView):
    """The survey waves: create, open, close, compute again (backbone staff); everyone reads."""

    template_name = "workgroups/waves.html"
    form_class = WaveForm
    tab = "network"

    def post(self, request, *args, **kwargs):
        if not base.can_manage(request.user, self.initiative):
            raise PermissionDenied
        return super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            waves=selectors.tie_waves(self.initiative),
            can_answer=perms.can_answer_survey(self.request.user, self.initiative),
            **kwargs,
        )

    def form_valid(self, form):
        try:
            wave = services.wave_create(initiative=self.initiative, by=self.request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
            return self.render_to_response(self.get_context_data(form=form), status=400)
        messages.success(
            self.request,
            _("The wave %(name)s was created: open it when partners should answer.") % {"name": wave.name},
        )
        return redirect("workgroups:waves", slug=self.initiative.slug)

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)


class WaveActionView(WorkgroupsMixin, View):
    permission = base.MANAGE
    http_method_names = ["post"]
    action: Callable[..., object]  # a service taking the wave and who acts (each view names one)
    done: bases.Text = ""

    def post(self, request, *args, **kwargs):
        wave = get_object_or_404(self.initiative.tie_waves.all(), pk=kwargs["pk"])
        try:
            self.action(wave=wave, by=request.user)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, self.done % {"name": wave.name})
        return redirect("workgroups:waves", slug=self.initiative.slug)


class WaveOpenView(WaveActionView):
    action = staticmethod(services.wave_open)
    done = gettext_lazy("The wave %(name)s is open: partners can answer the survey now.")


class WaveCloseView(WaveActionView):
    action = staticmethod(services.wave_close)
    done = gettext_lazy("The wave %(name)s is closed; its network figures are being computed.")


class WaveComputeView(WaveActionView):
    action = staticmethod(services.network_metrics_request)
    done = gettext_lazy("The network figures of %(name)s are being computed again.")


class SurveyView(WorkgroupsMixin, FormView):
    """An organisation rates its ties with the others in the open wave."""

    template_name = "workgroups/survey.html"
    form_class = SurveyForm
    tab = "network"

    def _load(self):
        self.wave = get_object_or_404(self.initiative.tie_waves.all(), pk=self.kwargs["pk"])
        user = self.request.user
        if not perms.can_answer_survey(user, self.initiative):
            raise PermissionDenied
        allowed = perms.survey_organization_ids(user, self.initiative)
        organizations = list(
            Organization.objects.filter(participations__initiative=self.initiative).order_by("name")
        )
        choices = [o for o in organizations if allowed is None or o.pk in allowed]
        if not choices:
            raise PermissionDenied
        wanted = self.request.GET.get("organization") or self.request.POST.get("organization")
        own = self.membership.organization_id if self.membership is not None else None
        self.organization = next((o for o in choices if str(o.pk) == wanted), None) or next(
            (o for o in choices if o.pk == own), choices[0]
        )
        self.choices = choices
        self.others = [o for o in organizations if o.pk != self.organization.pk]

    def get(self, request, *args, **kwargs):
        self._load()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self._load()
        if not self.wave.is_open:
            messages.error(request, _("This survey wave is not open for answers."))
            return redirect("workgroups:waves", slug=self.initiative.slug)
        return super().post(request, *args, **kwargs)

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        if not self.wave.is_open:  # shown as it was answered, not to be changed
            for field in form.fields.values():
                field.disabled = True
        return form

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "organization": self.organization,
            "others": self.others,
            "answers": selectors.survey_answers(self.wave, self.organization),
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            wave=self.wave,
            organization=self.organization,
            choices=self.choices if len(self.choices) > 1 else [],
            answered=self.wave.submissions.filter(organization=self.organization).first(),
            **kwargs,
        )

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def form_valid(self, form):
        try:
            responses = services.tie_survey_answer(
                wave=self.wave, by=self.request.user, organization=self.organization, answers=form.answers()
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Thank you: the answer of %(org)s is saved (%(count)d ties).")
            % {"org": self.organization.name, "count": len(responses)},
        )
        return redirect(
            reverse("workgroups:survey", kwargs={"slug": self.initiative.slug, "pk": self.wave.pk})
            + f"?organization={self.organization.pk}"
        )
