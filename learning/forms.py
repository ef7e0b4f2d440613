"""Forms of learning. They only collect input; the services decide."""

from __future__ import annotations

from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from agenda.models import Strategy
from ci_platform.i18n_format import period_label
from communication.models import Decision, Document
from initiatives.models import Initiative, Membership, Organization
from initiatives.people import display_name
from measurement.models import ReportingPeriod, SharedMeasure
from workgroups.models import Activity

from .catalogue import STARTING_RISKS
from .choices import AssumptionStatus, Impact, Likelihood, RiskStatus
from .models import Risk


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Membership) -> str:
        return f"{display_name(obj.user)} — {obj.organization.name}"


class MeasureChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: SharedMeasure) -> str:
        return f"{obj.code} — {obj.name}"


class PeriodChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: ReportingPeriod) -> str:
        return period_label(obj.code)  # "Q3 2026", "רבעון 3, 2026": not the code "2026-Q3"


class ActivityChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Activity) -> str:
        return f"{obj.title} ({obj.working_group.name})"


def _members(initiative: Initiative):
    return initiative.memberships.select_related("user", "organization").order_by(
        "user__first_name", "user__last_name", "user__username"
    )


def _organizations(initiative: Initiative):
    return Organization.objects.filter(participations__initiative=initiative).order_by("name")


class RiskForm(forms.ModelForm):
    owner = MemberChoiceField(queryset=Membership.objects.none(), required=False, label=_("Owner"))
    likelihood = forms.TypedChoiceField(choices=Likelihood.choices, coerce=int, label=_("Likelihood"))
    impact = forms.TypedChoiceField(choices=Impact.choices, coerce=int, label=_("Impact"))

    class Meta:
        model = Risk
        fields = [
            "title",
            "description",
            "owner",
            "likelihood",
            "impact",
            "mitigation",
            "review_on",
            "status",
        ]
        widgets = {
            "review_on": DateInput(),
            "description": forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
            "mitigation": forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
            "title": forms.TextInput(attrs={"dir": "auto"}),
        }

    def __init__(self, *args, initiative: Initiative, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["owner"]).queryset = _members(initiative)
        if self.instance.pk is None:
            # A new risk is open; its title is required (the starting list is taken on its own page).
            del self.fields["status"]
            self.fields["title"].required = True
            self.fields["title"].help_text = ""


class StartingListForm(forms.Form):
    keys = forms.MultipleChoiceField(
        choices=[(entry.key, entry.title) for entry in STARTING_RISKS],
        widget=forms.CheckboxSelectMultiple,
        label=_("Risks to take into the register"),
        error_messages={"required": _("Choose one or more risks of the starting list.")},
    )
    owner = MemberChoiceField(queryset=Membership.objects.none(), required=False, label=_("Owner"))
    review_on = forms.DateField(widget=DateInput(), label=_("First review"), required=False)

    def __init__(
        self, *args, initiative: Initiative, taken: frozenset[str] | set[str] = frozenset(), **kwargs
    ):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["owner"]).queryset = _members(initiative)
        cast(forms.ChoiceField, self.fields["keys"]).choices = [
            (e.key, e.title) for e in STARTING_RISKS if e.key not in taken
        ]


class RiskReviewForm(forms.Form):
    note = forms.CharField(
        label=_("What the review found"), widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"})
    )
    likelihood = forms.TypedChoiceField(choices=Likelihood.choices, coerce=int, label=_("Likelihood"))
    impact = forms.TypedChoiceField(choices=Impact.choices, coerce=int, label=_("Impact"))
    status = forms.ChoiceField(choices=RiskStatus.choices, label=_("Status"))
    next_review_on = forms.DateField(widget=DateInput(), label=_("Next review"))


class StrategyChoiceField(forms.ModelChoiceField):
    def __init__(self, *args, titles: dict[int, str] | None = None, **kwargs):
        self.titles = titles or {}
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj: Strategy) -> str:
        return self.titles.get(obj.pk, str(obj))


class AssumptionForm(forms.Form):
    statement = forms.CharField(
        label=_("Working assumption"),
        widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
        help_text=_("What the partners believe will move the problem, to be tested as they learn."),
    )
    strategy = StrategyChoiceField(queryset=Strategy.objects.none(), required=False, label=_("Key strategy"))

    def __init__(self, *args, initiative: Initiative, titles: dict[int, str], **kwargs):
        super().__init__(*args, **kwargs)
        field = cast(StrategyChoiceField, self.fields["strategy"])
        field.titles = titles
        field.queryset = Strategy.objects.filter(initiative=initiative, pk__in=list(titles))


class LearningEntryForm(forms.Form):
    note = forms.CharField(
        label=_("What we learned"), widget=forms.Textarea(attrs={"rows": 4, "dir": "auto"})
    )
    status = forms.ChoiceField(choices=AssumptionStatus.choices, label=_("The assumption is now"))
    measure = MeasureChoiceField(
        queryset=SharedMeasure.objects.none(), required=False, label=_("Shared measure")
    )
    period = PeriodChoiceField(queryset=ReportingPeriod.objects.none(), required=False, label=_("Period"))
    decision = forms.ModelChoiceField(queryset=Decision.objects.none(), required=False, label=_("Decision"))
    document = forms.ModelChoiceField(queryset=Document.objects.none(), required=False, label=_("Document"))

    def __init__(self, *args, initiative: Initiative, user, **kwargs):
        from communication import selectors as communication_selectors
        from measurement import selectors as measurement_selectors

        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["measure"]).queryset = measurement_selectors.measures_of(
            initiative
        )
        cast(forms.ModelChoiceField, self.fields["period"]).queryset = initiative.periods.order_by(
            "-start", "frequency"
        )
        cast(forms.ModelChoiceField, self.fields["decision"]).queryset = communication_selectors.decisions_of(
            initiative
        )
        cast(
            forms.ModelChoiceField, self.fields["document"]
        ).queryset = communication_selectors.documents_visible_to(user, initiative)


class WorksheetForm(forms.Form):
    revision = forms.IntegerField(widget=forms.HiddenInput, required=False)
    story = forms.CharField(
        label=_("The story behind the curve"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5, "dir": "auto"}),
        help_text=_("Why the line looks the way it does: the causes and forces at work, good and bad."),
    )
    what_works = forms.CharField(
        label=_("What works"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "dir": "auto"}),
        help_text=_("What could turn the curve, including no-cost and low-cost ideas."),
    )
    what_works_evidence = forms.CharField(
        label=_("The evidence for what works"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
    )
    show_on_report_card = forms.BooleanField(label=_("Show on the public report card"), required=False)


class PartnerRoleForm(forms.Form):
    organization = forms.ModelChoiceField(
        queryset=Organization.objects.none(), required=False, label=_("Partner")
    )
    role = forms.CharField(
        label=_("The role it can play"),
        required=False,
        max_length=500,
        widget=forms.TextInput(attrs={"dir": "auto"}),
    )

    def __init__(self, *args, initiative: Initiative, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["organization"]).queryset = _organizations(initiative)

    def clean(self):
        super().clean()
        data = self.cleaned_data
        if data.get("organization") and not (data.get("role") or "").strip():
            self.add_error("role", _("Say what role this partner can play."))
        if (data.get("role") or "").strip() and not data.get("organization"):
            self.add_error("organization", _("Choose the partner."))
        return data


class ActionForm(forms.Form):
    description = forms.CharField(
        label=_("Action"), required=False, max_length=500, widget=forms.TextInput(attrs={"dir": "auto"})
    )
    activity = ActivityChoiceField(
        queryset=Activity.objects.none(), required=False, label=_("Working-group activity")
    )
    due_on = forms.DateField(widget=DateInput(), required=False, label=_("By"))

    def __init__(self, *args, activities, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["activity"]).queryset = activities

    def clean(self):
        super().clean()
        data = self.cleaned_data
        if (data.get("activity") or data.get("due_on")) and not (data.get("description") or "").strip():
            self.add_error("description", _("Describe the action."))
        return data


class SharedChoicesFormSet(forms.BaseFormSet):
    """Rows whose selects read their choices once for the whole formset: a ModelChoiceField reads its
    queryset each time it is drawn, one query a row (the empty row for "add a row" included). What a
    row posts is still checked against the queryset."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.shared_choices: dict[str, list] = {}  # filled as the rows are built (`forms`, lazily)

    def add_fields(self, form, index):
        super().add_fields(form, index)
        for name, field in form.fields.items():
            if isinstance(field, forms.ModelChoiceField):
                if name not in self.shared_choices:
                    self.shared_choices[name] = list(field.iterator(field))  # what field.choices draws
                field.choices = self.shared_choices[name]


# absolute_max: the rows a post may make the formset build (Django's default is max_num + 1,000: a
# forged TOTAL_FORMS built 1,030 rows a formset, 5,161 queries, 24 s of a worker). Twice max_num, so
# that a form sent with too many rows is refused with all it held.
PartnerFormSet = forms.formset_factory(
    PartnerRoleForm, formset=SharedChoicesFormSet, extra=2, max_num=30, absolute_max=60, validate_max=True
)
ActionFormSet = forms.formset_factory(
    ActionForm, formset=SharedChoicesFormSet, extra=2, max_num=30, absolute_max=60, validate_max=True
)


class StoryForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, widget=forms.TextInput(attrs={"dir": "auto"}))
    text = forms.CharField(label=_("The story"), widget=forms.Textarea(attrs={"rows": 6, "dir": "auto"}))
    organization = forms.ModelChoiceField(
        queryset=Organization.objects.none(), required=False, label=_("Told by")
    )

    def __init__(self, *args, initiative: Initiative, organization_ids: set[int] | None, **kwargs):
        super().__init__(*args, **kwargs)
        organizations = _organizations(initiative)
        if organization_ids is not None:
            # A partner tells the stories of their own organisation only.
            del self.fields["organization"]
        else:
            cast(forms.ModelChoiceField, self.fields["organization"]).queryset = organizations
