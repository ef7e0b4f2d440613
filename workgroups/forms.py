"""Forms of mutually reinforcing activities. They only collect input; the services decide."""

from __future__ import annotations

import re
from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from agenda.models import Strategy
from ci_platform.i18n_format import isolate_numbers, mixed
from initiatives.models import Initiative, Membership, Organization
from initiatives.people import display_name
from measurement.models import SharedMeasure

from .choices import RATING_CHOICES, ActivityStatus, CollaborationKind, ContactFrequency, SeatRole
from .selectors import StrategyLabel


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Membership) -> str:
        return f"{display_name(obj.user)} — {obj.organization.name}"


class StrategyChoiceField(forms.ModelChoiceField):
    """Key strategies, labelled with their current wording (without a query per option)."""

    def __init__(self, *args, labels: dict[int, StrategyLabel] | None = None, **kwargs):
        self.labels = labels or {}
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj: Strategy) -> str:
        label = self.labels.get(obj.pk)
        return label.title if label else str(obj)


def _members(initiative: Initiative):
    return initiative.memberships.select_related("user", "organization").order_by(
        "user__first_name", "user__last_name", "user__username"
    )


def _organizations(initiative: Initiative):
    return Organization.objects.filter(participations__initiative=initiative).order_by("name")


def _strategies(labels: dict[int, StrategyLabel], include: frozenset[int] | set[int] = frozenset()):
    wanted = [label.id for label in labels.values() if label.is_current or label.id in include]
    return Strategy.objects.filter(pk__in=wanted)


class SeatForm(forms.Form):
    membership = MemberChoiceField(
        queryset=Membership.objects.none(),
        required=False,
        label=_("Steering committee member"),
        help_text=_("Members of the initiative in the steering committee role."),
    )
    person_name = forms.CharField(
        label=_("Or the name of someone without an account"), max_length=200, required=False
    )
    organization = forms.ModelChoiceField(
        queryset=Organization.objects.none(),
        required=False,
        label=_("Organization they sit for"),
        help_text=_("Only for a named person; a member sits for their own organisation."),
    )
    seat_role = forms.ChoiceField(label=_("Seat"), choices=SeatRole.choices, initial=SeatRole.MEMBER)
    is_community_representative = forms.BooleanField(label=_("Community representative"), required=False)
    since = forms.DateField(label=_("Since"), widget=DateInput())

    def __init__(self, *args, initiative: Initiative, seat=None, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["organization"]).queryset = _organizations(initiative)
        if seat is not None and seat.membership_id:
            # Who holds a member's seat does not change; remove the seat and add another instead.
            del self.fields["membership"]
            del self.fields["person_name"]
            del self.fields["organization"]
        elif seat is not None:
            del self.fields["membership"]
            self.fields["person_name"].label = _("Name")
            self.fields["person_name"].required = True
        else:
            cast(forms.ModelChoiceField, self.fields["membership"]).queryset = _members(initiative).filter(
                role="steering"
            )


class WorkingGroupForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    strategy = StrategyChoiceField(
        queryset=Strategy.objects.none(),
        label=_("Key strategy"),
        help_text=_("One working group per key strategy of the common agenda."),
    )
    chair = MemberChoiceField(queryset=Membership.objects.none(), required=False, label=_("Chair"))
    purpose = forms.CharField(label=_("Purpose"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    meeting_rhythm = forms.CharField(
        label=_("Meets"),
        max_length=200,
        required=False,
        help_text=_("For example: monthly, on the first Tuesday."),
    )
    focus_measures = forms.ModelMultipleChoiceField(
        queryset=SharedMeasure.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Shared measures it focuses on"),
    )
    formed_on = forms.DateField(label=_("Formed on"), widget=DateInput())

    def __init__(self, *args, initiative: Initiative, labels: dict[int, StrategyLabel], group=None, **kwargs):
        super().__init__(*args, **kwargs)
        taken = set(initiative.working_groups.values_list("strategy_id", flat=True))
        own = {group.strategy_id} if group else set()
        strategy = cast(StrategyChoiceField, self.fields["strategy"])
        strategy.labels = labels
        strategy.queryset = _strategies(labels, own).exclude(pk__in=taken - own)
        cast(forms.ModelChoiceField, self.fields["chair"]).queryset = _members(initiative)
        cast(forms.ModelChoiceField, self.fields["focus_measures"]).queryset = SharedMeasure.objects.filter(
            initiative=initiative
        )


class GroupMemberForm(forms.Form):
    membership = MemberChoiceField(queryset=Membership.objects.none(), required=False, label=_("A person"))
    organization = forms.ModelChoiceField(
        queryset=Organization.objects.none(),
        required=False,
        label=_("Or a whole organization"),
    )

    def __init__(self, *args, initiative: Initiative, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["membership"]).queryset = _members(initiative)
        cast(forms.ModelChoiceField, self.fields["organization"]).queryset = _organizations(initiative)

    def clean(self):
        super().clean()
        data = self.cleaned_data
        if bool(data.get("membership")) == bool(data.get("organization")):
            raise forms.ValidationError(_("Choose a person or an organisation to add."))
        return data


class ActivityForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    lead_organization = forms.ModelChoiceField(
        queryset=Organization.objects.none(), label=_("Lead organization")
    )
    contributing_organizations = forms.ModelMultipleChoiceField(
        queryset=Organization.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Contributing organizations"),
    )
    start_date = forms.DateField(label=_("Starts"), widget=DateInput())
    end_date = forms.DateField(label=_("Ends"), widget=DateInput(), required=False)
    status = forms.ChoiceField(
        label=_("Status"), choices=ActivityStatus.choices, initial=ActivityStatus.PLANNED
    )
    strategy = StrategyChoiceField(queryset=Strategy.objects.none(), label=_("Key strategy it serves"))
    measures = forms.ModelMultipleChoiceField(
        queryset=SharedMeasure.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Shared measures it serves"),
    )

    def __init__(
        self,
        *args,
        initiative: Initiative,
        labels: dict[int, StrategyLabel],
        strategy_ids: frozenset[int] | set[int] = frozenset(),
        can_change_lead: bool = True,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        organizations = _organizations(initiative)
        cast(forms.ModelChoiceField, self.fields["lead_organization"]).queryset = organizations
        cast(forms.ModelChoiceField, self.fields["contributing_organizations"]).queryset = organizations
        cast(StrategyChoiceField, self.fields["strategy"]).labels = labels
        cast(forms.ModelChoiceField, self.fields["strategy"]).queryset = _strategies(
            labels, set(strategy_ids)
        )
        cast(forms.ModelChoiceField, self.fields["measures"]).queryset = SharedMeasure.objects.filter(
            initiative=initiative
        )
        if not can_change_lead:
            self.fields["lead_organization"].disabled = True
            self.fields["lead_organization"].help_text = _(
                "Only the group's chair or backbone staff hand the lead to another organisation."
            )


class ProgressForm(forms.Form):
    note = forms.CharField(
        label=_("Progress note"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
        help_text=_("What happened since the last update: a few sentences are enough."),
    )
    status = forms.ChoiceField(label=_("Status now"), choices=ActivityStatus.choices)


class WaveForm(forms.Form):
    name = forms.CharField(
        label=_("Name of the new wave"), max_length=200, help_text=_("For example: Spring 2026.")
    )


ANSWER_KEY = re.compile(r"^(\d+)-contact$")


class SurveyForm(forms.Form):
    """One organisation's answer: a row per other organisation in the initiative. A row left on
    "no contact" means no tie."""

    def __init__(
        self,
        *args,
        organization: Organization,
        others: list[Organization],
        answers: dict | None = None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.organization = organization
        self.others = others
        answers = answers or {}
        for org in others:
            given = answers.get(org.pk)
            self.fields[f"{org.pk}-contact"] = forms.TypedChoiceField(
                label=mixed(_("Contact with %(name)s"), name=org.name),
                choices=[("", _("No contact")), *ContactFrequency.choices],
                coerce=int,
                empty_value=None,
                required=False,
                initial=given.contact_frequency if given else "",
            )
            self.fields[f"{org.pk}-kinds"] = forms.MultipleChoiceField(
                label=mixed(_("Kinds of collaboration with %(name)s"), name=org.name),
                choices=CollaborationKind.choices,
                widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
                required=False,
                initial=given.kinds if given else [],
            )
            for scale, label in (
                ("trust", _("Trust in %(name)s (1–5)")),
                ("value", _("Value of working with %(name)s (1–5)")),
            ):
                self.fields[f"{org.pk}-{scale}"] = forms.TypedChoiceField(
                    label=mixed(isolate_numbers(label), name=org.name),
                    choices=[("", "—"), *RATING_CHOICES],
                    coerce=int,
                    empty_value=None,
                    required=False,
                    initial=getattr(given, scale) if given else "",
                )

    def rows(self):
        """For the template: per organisation, its four fields."""
        for org in self.others:
            yield org, [self[f"{org.pk}-{name}"] for name in ("contact", "kinds", "trust", "value")]

    def clean(self):
        super().clean()
        data = self.cleaned_data
        known = {org.pk for org in self.others}
        # The page only offers the others in the initiative; a crafted answer is refused whole.
        for key in self.data:
            match = ANSWER_KEY.match(key)
            if match is None or int(match.group(1)) in known:
                continue
            if int(match.group(1)) == self.organization.pk:
                raise forms.ValidationError(_("An organisation cannot rate a tie with itself."))
            raise forms.ValidationError(
                _("An answer is about an organisation that is not part of this initiative.")
            )
        for org in self.others:
            contact = data.get(f"{org.pk}-contact")
            rated = data.get(f"{org.pk}-trust") or data.get(f"{org.pk}-value") or data.get(f"{org.pk}-kinds")
            if contact is None and rated:
                self.add_error(
                    f"{org.pk}-contact",
                    _("Say how often you are in contact with %(name)s, or clear the row.")
                    % {"name": org.name},
                )
            elif contact is not None:
                for scale in ("trust", "value"):
                    if data.get(f"{org.pk}-{scale}") is None:
                        self.add_error(f"{org.pk}-{scale}", _("Rate it from 1 to 5."))
        return data

    def answers(self) -> list[dict]:
        data = self.cleaned_data
        return [
            {
                "to_organization": org,
                "contact_frequency": data[f"{org.pk}-contact"],
                "kinds": data.get(f"{org.pk}-kinds") or [],
                "trust": data[f"{org.pk}-trust"],
                "value": data[f"{org.pk}-value"],
            }
            for org in self.others
            if data.get(f"{org.pk}-contact") is not None
        ]
