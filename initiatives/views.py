"""Pages of an initiative. Views are thin: they load, check through `permissions`, and call
services or selectors. Every page below an initiative goes through InitiativeMixin."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import FormView, TemplateView

from ci_platform import bases
from sso.conf import password_sign_in_allowed

from . import fit, guidance, permissions, selectors, services
from .choices import Area, Phase, Role
from .forms import (
    AcceptNewUserForm,
    AddOrganizationForm,
    ApiTokenForm,
    FitForm,
    InitiativeCreateForm,
    InitiativeForm,
    InvitationForm,
    MembershipForm,
    MilestoneForm,
    OrganizationForm,
    PhaseChangeForm,
    ReadinessForm,
)
from .models import Initiative, Invitation, Membership, Organization
from .people import display_name


def apply_errors(form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: on its field when the form has it."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


class HomeView(LoginRequiredMixin, TemplateView):
    """The initiatives the signed-in person belongs to, or a friendly empty state."""

    template_name = "initiatives/home.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        roles = selectors.memberships_of_user(user)
        initiatives = list(selectors.initiatives_visible_to(user))
        for initiative in initiatives:
            initiative.my_membership = roles.get(initiative.pk)  # type: ignore[attr-defined]  # for the page only
        return super().get_context_data(
            initiatives=initiatives, can_create=permissions.can_create_initiative(user), **kwargs
        )


class InitiativeCreateView(LoginRequiredMixin, FormView):
    template_name = "initiatives/initiative_create.html"
    form_class = InitiativeCreateForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not permissions.can_create_initiative(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        organization = data["organization"]
        try:
            if organization is None:
                organization = Organization(
                    name=data["new_organization"].strip(), sector=data["new_organization_sector"]
                )
            initiative = _create_initiative(self.request.user, organization, data)
        except ValidationError as exc:
            apply_errors(form, exc)
            return self.form_invalid(form)
        messages.success(
            self.request, _("The initiative was created. You are its first backbone staff member.")
        )
        return redirect(initiative)


def _create_initiative(user, organization: Organization, data) -> Initiative:
    from django.db import transaction

    with transaction.atomic():
        if organization.pk is None:
            organization.save()
        return services.initiative_create(
            by=user,
            organization=organization,
            **{k: data[k] for k in ("name", "slug", "issue", "place", "topic", "description")},
        )


class InitiativeMixin(LoginRequiredMixin, bases.PageView):
    """Loads the initiative from the URL. Outsiders get 404 (they must not learn it exists);
    members without the view's `permission` get 403."""

    permission = permissions.VIEW
    section = "overview"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.initiative = get_object_or_404(Initiative, slug=kwargs["slug"])
        if not permissions.can_view(request.user, self.initiative):
            raise Http404
        if not permissions.can(request.user, self.permission, self.initiative):
            raise PermissionDenied
        membership = permissions.membership_of(request.user, self.initiative)
        if membership is None:  # not reached: only a member can view (the same cached answer)
            raise Http404
        self.membership: Membership = membership
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        kwargs.setdefault("initiative", self.initiative)
        kwargs.setdefault("membership", self.membership)
        kwargs.setdefault("can_manage", permissions.can_manage(self.request.user, self.initiative))
        kwargs.setdefault("section", self.section)
        return super().get_context_data(**kwargs)


class InitiativeFormMixin(InitiativeMixin, bases.FormView):
    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["initiative"] = self.initiative
        return kwargs


class InitiativeFormPageMixin(InitiativeMixin, bases.FormView):
    """A form on an app's shared form page: the app's mixin names its `template_name` and
    `home_url_name` (the way back), a view its `title` and `intro`. A refused form answers 400 and
    keeps everything that was typed; `run` calls a service and shows its refusal on the form."""

    title: bases.Text = ""
    intro: bases.Text = ""
    home_url_name = ""

    def cancel_url(self) -> str:
        return reverse(self.home_url_name, kwargs={"slug": self.initiative.slug})

    def get_context_data(self, **kwargs):
        kwargs.setdefault("title", self.title)
        kwargs.setdefault("intro", self.intro)
        kwargs.setdefault("cancel_url", self.cancel_url())
        return super().get_context_data(**kwargs)

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def run(self, form, action):
        """Call a service; show its refusal on the form (nothing was saved) and answer None."""
        try:
            return action()
        except ValidationError as exc:
            apply_errors(form, exc)
            return None


class OverviewView(InitiativeMixin, TemplateView):
    template_name = "initiatives/overview.html"

    def get_context_data(self, **kwargs):
        areas, columns = selectors.milestone_matrix(self.initiative)
        readiness = self.initiative.readiness_assessments.first()
        fit = self.initiative.fit_assessments.first()
        return super().get_context_data(
            areas=areas,
            columns=columns,
            phases=list(Phase),
            readiness=readiness,
            fit=fit,
            guidance=guidance.guidance_for(self.initiative, latest_readiness=readiness),
            history=selectors.phase_history(self.initiative)[:10],
            member_count=self.initiative.memberships.count(),
            organization_count=self.initiative.participations.count(),
            **kwargs,
        )


class InitiativeEditView(InitiativeMixin, FormView):
    permission = permissions.MANAGE
    template_name = "initiatives/form_page.html"
    form_class = InitiativeForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.initiative}

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=_("Edit the initiative"), **kwargs)

    def form_valid(self, form):
        services.initiative_update(
            initiative=self.initiative,
            by=self.request.user,
            **{f: form.cleaned_data[f] for f in form.Meta.fields},
        )
        messages.success(self.request, _("Saved."))
        return redirect(self.initiative)


class MilestoneEditView(InitiativeMixin, FormView):
    permission = permissions.MANAGE
    template_name = "initiatives/milestone_form.html"
    form_class = MilestoneForm

    def dispatch(self, request, *args, **kwargs):
        if kwargs["phase"] not in Phase.values or kwargs["area"] not in Area.values:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        self.milestone = self._milestone()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.milestone = self._milestone()
        return super().post(request, *args, **kwargs)

    def _milestone(self):
        return get_object_or_404(
            self.initiative.milestones, phase=self.kwargs["phase"], area=self.kwargs["area"]
        )

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.milestone}

    def get_context_data(self, **kwargs):
        return super().get_context_data(milestone=self.milestone, **kwargs)

    def form_valid(self, form):
        services.milestone_update(
            milestone=self.milestone,
            by=self.request.user,
            status=form.cleaned_data["status"],
            evidence=form.cleaned_data["evidence"],
        )
        messages.success(self.request, _("Milestone updated."))
        return redirect(self.initiative)


class PhaseChangeView(InitiativeFormMixin, FormView):
    permission = permissions.MANAGE
    template_name = "initiatives/phase_change.html"
    form_class = PhaseChangeForm

    def get_initial(self):
        nxt = (
            self.initiative.phase + 1
            if self.initiative.phase < Phase.IMPLEMENT_AND_SUSTAIN
            else self.initiative.phase - 1
        )
        return {"to_phase": nxt}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            unmet_preconditions=[
                guidance.PRECONDITION_LABELS[name] for name in services.unmet_preconditions(self.initiative)
            ]
            if self.initiative.phase == Phase.PRE_LAUNCH
            else [],
            open_milestones=services.open_milestones(self.initiative, self.initiative.phase),
            current_phase=Phase(self.initiative.phase),
            history=selectors.phase_history(self.initiative),
            **kwargs,
        )

    def form_valid(self, form):
        try:
            transition = services.phase_change(
                initiative=self.initiative,
                by=self.request.user,
                to_phase=form.cleaned_data["to_phase"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("The initiative is now in phase %(phase)s.") % {"phase": transition.get_to_phase_display()},
        )
        return redirect(self.initiative)


class ReadinessView(InitiativeMixin, FormView):
    """The three preconditions: the latest assessment, its history, and (for backbone) a new one."""

    template_name = "initiatives/readiness.html"
    form_class = ReadinessForm
    section = "readiness"

    def get_initial(self):
        latest = self.initiative.readiness_assessments.first()
        if latest is None:
            return {}
        return {f: getattr(latest, f) for f in ReadinessForm.Meta.fields}

    def post(self, request, *args, **kwargs):
        if not permissions.can_manage(request.user, self.initiative):
            raise PermissionDenied
        return super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        history = list(self.initiative.readiness_assessments.select_related("assessed_by"))
        return super().get_context_data(latest=history[0] if history else None, history=history, **kwargs)

    def form_valid(self, form):
        services.readiness_assess(initiative=self.initiative, by=self.request.user, **form.cleaned_data)
        messages.success(self.request, _("Readiness assessment saved."))
        return redirect("initiatives:readiness", slug=self.initiative.slug)


class FitView(InitiativeMixin, FormView):
    """The source's Table 1 answered, its verdict with the reasons in the source's words, and every
    earlier assessment as history (backbone staff assess; every member reads)."""

    template_name = "initiatives/fit.html"
    form_class = FitForm
    section = "readiness"

    def get_initial(self):
        latest = self.initiative.fit_assessments.filter(questionnaire=fit.Questionnaire.TABLE_1).first()
        if latest is None:
            return {}
        return {f: getattr(latest, f) for f in FitForm.Meta.fields}

    def post(self, request, *args, **kwargs):
        if not permissions.can_manage(request.user, self.initiative):
            raise PermissionDenied
        return super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        history = list(self.initiative.fit_assessments.select_related("assessed_by"))
        latest = history[0] if history else None
        form = kwargs.setdefault("form", self.get_form())
        axes: list[tuple[Any, list]] = []  # (the axis's lazy label, its rows)
        for axis, axis_label in ((1, fit.AXIS_1), (2, fit.AXIS_2)):
            rows: list[tuple[Any, int, Any]] = [
                (row.question, row.line, form[row.field]) for row in fit.ROWS if row.axis == axis
            ]
            if axis == 1:  # "if it is costly or hard to implement": part of the first row's cell
                rows.insert(1, ("", 120, form["hard_to_implement"]))
            axes.append((axis_label, rows))
        return super().get_context_data(
            latest=latest,
            result=fit.result_of(latest) if latest else None,
            answers=_fit_answers(latest) if latest else [],
            history=history,
            axes=axes,
            social=form["social_problem"],
            table_1=fit.Questionnaire.TABLE_1,
            **kwargs,
        )

    def form_valid(self, form):
        try:
            services.fit_assess(initiative=self.initiative, by=self.request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Fit assessment saved."))
        return redirect("initiatives:fit", slug=self.initiative.slug)


def _fit_answers(assessment) -> list[tuple[Any, str, str]]:
    """(question, answer, source line) per row the assessment answered, in the table's order."""
    if assessment.questionnaire != fit.Questionnaire.TABLE_1:
        names = ["solution_known", "can_be_copied", "who_can_solve", "problem_character", "solution_needs"]
        return [
            (
                assessment._meta.get_field(name).verbose_name,
                getattr(assessment, f"get_{name}_display")(),
                "",
            )
            for name in names
            if getattr(assessment, name)
        ]
    rows: list[tuple[Any, str, str]] = [(row.question, row.field, str(row.line)) for row in fit.ROWS]
    rows.insert(1, (assessment._meta.get_field("hard_to_implement").verbose_name, "hard_to_implement", "120"))
    rows.append((assessment._meta.get_field("social_problem").verbose_name, "social_problem", "112–114"))
    return [
        (question, getattr(assessment, f"get_{name}_display")(), line)
        for question, name, line in rows
        if getattr(assessment, name)
    ]


class MembersView(InitiativeMixin, TemplateView):
    template_name = "initiatives/members.html"
    section = "members"

    def get_context_data(self, **kwargs):
        can_manage = permissions.can_manage(self.request.user, self.initiative)
        return super().get_context_data(
            members=selectors.members_of(self.initiative),
            invitations=selectors.pending_invitations(self.initiative) if can_manage else [],
            roles=Role,
            **kwargs,
        )


class InviteView(InitiativeFormMixin, FormView):
    permission = permissions.MANAGE
    template_name = "initiatives/form_page.html"
    form_class = InvitationForm
    section = "members"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            title=_("Invite someone"),
            intro=_("They receive a one-time link by email that lets them join in the role you choose."),
            **kwargs,
        )

    def form_valid(self, form):
        try:
            invitation, _token = services.invitation_create(
                initiative=self.initiative, by=self.request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_errors(form, exc)
            return self.form_invalid(form)
        messages.success(
            self.request, _("An invitation was sent to %(email)s.") % {"email": invitation.email}
        )
        return redirect("initiatives:members", slug=self.initiative.slug)


class InvitationRevokeView(InitiativeMixin, TemplateView):
    permission = permissions.MANAGE
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        invitation = get_object_or_404(self.initiative.invitations, pk=kwargs["pk"])
        services.invitation_revoke(invitation=invitation, by=request.user)
        messages.success(request, _("The invitation was withdrawn."))
        return redirect("initiatives:members", slug=self.initiative.slug)


class MembershipEditView(InitiativeFormMixin, FormView):
    permission = permissions.MANAGE
    template_name = "initiatives/membership_form.html"
    form_class = MembershipForm
    section = "members"

    def get_target(self) -> Membership:
        if not hasattr(self, "target"):
            self.target = get_object_or_404(
                self.initiative.memberships.select_related("user", "organization"), pk=self.kwargs["pk"]
            )
        return self.target

    def get_initial(self):
        target = self.get_target()
        return {"role": target.role, "organization": target.organization}

    def get_context_data(self, **kwargs):
        return super().get_context_data(target=self.get_target(), **kwargs)

    def form_valid(self, form):
        try:
            services.membership_change(
                membership=self.get_target(), by=self.request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Membership updated."))
        return redirect("initiatives:members", slug=self.initiative.slug)


class MembershipRemoveView(InitiativeMixin, TemplateView):
    permission = permissions.MANAGE
    template_name = "initiatives/membership_remove.html"
    section = "members"

    def get_target(self) -> Membership:
        return get_object_or_404(
            self.initiative.memberships.select_related("user", "organization"), pk=self.kwargs["pk"]
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(target=self.get_target(), **kwargs)

    def post(self, request, *args, **kwargs):
        target = self.get_target()
        try:
            services.membership_remove(membership=target, by=request.user)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            return redirect("initiatives:members", slug=self.initiative.slug)
        messages.success(
            request, _("%(name)s was removed from the initiative.") % {"name": display_name(target.user)}
        )
        if target.user_id == request.user.pk:
            return redirect("home")
        return redirect("initiatives:members", slug=self.initiative.slug)


class OrganizationsView(InitiativeMixin, TemplateView):
    template_name = "initiatives/organizations.html"
    section = "organizations"

    def get_context_data(self, **kwargs):
        add_form = (
            AddOrganizationForm(initiative=self.initiative)
            if permissions.can_manage(self.request.user, self.initiative)
            else None
        )
        return super().get_context_data(
            organizations=selectors.organizations_of(self.initiative), add_form=add_form, **kwargs
        )


class OrganizationAddView(InitiativeFormMixin, FormView):
    permission = permissions.MANAGE
    template_name = "initiatives/form_page.html"
    form_class = AddOrganizationForm
    section = "organizations"

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=_("Add an existing organization"), **kwargs)

    def form_valid(self, form):
        services.participation_add(
            initiative=self.initiative, by=self.request.user, organization=form.cleaned_data["organization"]
        )
        messages.success(self.request, _("Organization added."))
        return redirect("initiatives:organizations", slug=self.initiative.slug)


class OrganizationCreateView(InitiativeMixin, FormView):
    permission = permissions.MANAGE
    template_name = "initiatives/form_page.html"
    form_class = OrganizationForm
    section = "organizations"

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=_("New organization"), **kwargs)

    def form_valid(self, form):
        services.organization_create(initiative=self.initiative, by=self.request.user, **form.cleaned_data)
        messages.success(self.request, _("Organization created."))
        return redirect("initiatives:organizations", slug=self.initiative.slug)


class ComponentView(InitiativeMixin, TemplateView):
    """A component whose pages are still to come: it says so, in the initiative's frame."""

    template_name = "initiatives/component_coming.html"
    component_title = ""
    component_summary = ""

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            component_title=self.component_title, component_summary=self.component_summary, **kwargs
        )


class InvitationAcceptView(TemplateView):
    """The link in an invitation email. Works signed in (join with this account) or not (set a password)."""

    template_name = "initiatives/invitation_accept.html"

    def dispatch(self, request, *args, **kwargs):
        invitation = services.invitation_by_token(kwargs["token"])
        if invitation is None:
            raise Http404
        self.invitation: Invitation = invitation
        return super().dispatch(request, *args, **kwargs)

    def _problem(self) -> str | None:
        try:
            services._check_pending(self.invitation)
        except ValidationError as exc:
            return exc.messages[0]
        return None

    def get_context_data(self, **kwargs):
        kwargs.setdefault("form", AcceptNewUserForm(email=self.invitation.email))
        return super().get_context_data(
            invitation=self.invitation,
            problem=self._problem(),
            login_url=reverse("login") + "?next=" + self.request.path,
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        if self._problem():
            return self.get(request, *args, **kwargs)
        invitation = self.invitation
        if request.user.is_authenticated:
            try:
                services.invitation_accept(invitation=invitation, user=request.user)
            except ValidationError as exc:
                messages.error(request, exc.messages[0])
                return self.get(request, *args, **kwargs)
            messages.success(request, _("Welcome to %(name)s.") % {"name": invitation.initiative.name})
            return HttpResponseRedirect(invitation.initiative.get_absolute_url())
        if not password_sign_in_allowed():  # accounts come through single sign-on only (docs/sso.md)
            messages.error(request, _("Password sign-in is turned off here: sign in with single sign-on."))
            response = self.get(request, *args, **kwargs)
            response.status_code = 403
            return response
        form = AcceptNewUserForm(request.POST, email=invitation.email)
        if form.is_valid():
            data = form.cleaned_data
            try:
                membership = services.invitation_accept_new_user(
                    invitation=invitation,
                    username=data["username"],
                    password=data["password1"],
                    first_name=data["first_name"],
                    last_name=data["last_name"],
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                login(request, membership.user, backend="django.contrib.auth.backends.ModelBackend")
                messages.success(request, _("Welcome to %(name)s.") % {"name": invitation.initiative.name})
                return HttpResponseRedirect(invitation.initiative.get_absolute_url())
        return self.render_to_response(self.get_context_data(form=form))


class ApiTokensView(InitiativeFormMixin, FormView):
    """Backbone staff issue, list and revoke the initiative's API tokens. A new token's secret is
    shown once, in the answer to the form; only its hash is kept."""

    permission = permissions.MANAGE
    template_name = "initiatives/api_tokens.html"
    form_class = ApiTokenForm
    section = "api_tokens"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            tokens=selectors.api_tokens_of(self.initiative),
            api_base=self.request.build_absolute_uri(f"/api/v1/initiatives/{self.initiative.slug}/"),
            **kwargs,
        )

    def form_valid(self, form):
        try:
            token, secret = services.api_token_create(
                initiative=self.initiative, by=self.request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_errors(form, exc)
            return self.form_invalid(form)
        # Answered directly, never redirected: the secret must not travel through the session.
        response = self.render_to_response(
            self.get_context_data(
                form=self.get_form_class()(initiative=self.initiative), new=token, secret=secret
            )
        )
        response["Cache-Control"] = "no-store"
        return response


class ApiTokenRevokeView(InitiativeMixin, TemplateView):
    permission = permissions.MANAGE
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        token = get_object_or_404(self.initiative.api_tokens, pk=kwargs["pk"])
        services.api_token_revoke(token=token, by=request.user)
        messages.success(request, _("The token “%(label)s” was revoked.") % {"label": token.label})
        return redirect("initiatives:api_tokens", slug=self.initiative.slug)
