from __future__ import annotations

from typing import cast

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ci_platform.i18n_format import isolate
from initiatives.choices import Role
from initiatives.models import Initiative, Membership, Organization
from initiatives.people import display_name

from . import services
from .choices import (
    DONT_KNOW,
    BackboneKind,
    FunderJoined,
    FunderType,
    FundingKind,
    FundingPurpose,
    FundingRecipient,
    Likert,
    RespondentGroup,
)
from .models import BackboneFunction, CommunityEvent, Indicator, PolicyEntry, SurveyItem
from .periods import half_years_around

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class WaveForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    period = forms.ChoiceField(label=_("Period"), help_text=_("The half-year the answers assess."))
    closes_on = forms.DateField(label=_("Answers accepted until"), widget=DATE)
    items = forms.ModelMultipleChoiceField(
        label=_("Statements from the item bank"),
        queryset=SurveyItem.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one statement from the item bank.")},
    )

    def __init__(self, *args, initiative: Initiative, **kwargs):
        super().__init__(*args, **kwargs)
        codes = [h.code for h in half_years_around(timezone.localdate())]
        codes += [c for c in initiative.backbone_periods.values_list("code", flat=True) if c not in codes]
        cast(forms.ChoiceField, self.fields["period"]).choices = [(c, c) for c in sorted(codes)]
        cast(forms.ModelChoiceField, self.fields["items"]).queryset = SurveyItem.objects.filter(
            Q(initiative=None) | Q(initiative=initiative), active=True
        ).select_related("indicator")


class RespondentsForm(forms.Form):
    members = forms.ModelMultipleChoiceField(
        label=_("Members of the initiative"),
        queryset=Membership.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Partners answer the partners' form, steering committee members theirs."),
    )
    external = forms.CharField(
        label=_("People without an account"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One per line: an email address, then a comma and a name (optional)."),
    )
    group = forms.ChoiceField(
        label=_("They answer as"), choices=[("", "—"), *RespondentGroup.choices], required=False
    )
    organization = forms.ModelChoiceField(
        label=_("On behalf of (optional)"), queryset=Organization.objects.none(), required=False
    )
    language = forms.ChoiceField(label=_("Language of the email and the form"), choices=settings.LANGUAGES)

    def __init__(self, *args, initiative: Initiative, **kwargs):
        super().__init__(*args, **kwargs)
        # The example line in the reader's language, its address isolated left to right.
        self.fields["external"].widget.attrs["placeholder"] = _("%(address)s, Full name") % {
            "address": isolate("name@example.org", direction="ltr")
        }
        cast(forms.ModelChoiceField, self.fields["members"]).queryset = (
            initiative.memberships.filter(role__in=(Role.PARTNER, Role.STEERING))
            .select_related("user", "organization")
            .order_by("role", "organization__name", "user__username")
        )
        members = cast(forms.ModelChoiceField, self.fields["members"])
        members.label_from_instance = lambda obj: (  # type: ignore[method-assign]
            f"{display_name(obj.user)} · {obj.organization.name} · {obj.get_role_display()}"
        )
        cast(
            forms.ModelChoiceField, self.fields["organization"]
        ).queryset = initiative.organizations.order_by("name")

    def clean_external(self) -> list[tuple[str, str]]:
        rows = []
        for line in self.cleaned_data["external"].splitlines():
            if not line.strip():
                continue
            email, _sep, name = line.partition(",")
            rows.append((email.strip(), name.strip()))
        return rows

    def clean(self):
        super().clean()
        data = self.cleaned_data
        if not data.get("members") and not data.get("external"):
            raise ValidationError(_("Choose members or list people to invite."))
        if data.get("external") and not data.get("group"):
            self.add_error("group", _("Choose the group the people you listed answer as."))
        return data


def answer_field(item: SurveyItem) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=item.text,
        choices=[(str(value), label) for value, label in Likert.choices] + [(DONT_KNOW, _("Don't know"))],
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        error_messages={
            "required": _("Answer this statement, or choose “Don't know”."),
            "invalid_choice": _("“%(value)s” is not an answer: choose 1 to 5, or “Don't know”."),
        },
    )


class SurveyAnswerForm(forms.Form):
    """One radio group per statement of the respondent's form."""

    def __init__(self, *args, items: list[SurveyItem], **kwargs):
        super().__init__(*args, **kwargs)
        self.items = items
        for item in items:
            self.fields[f"item_{item.pk}"] = answer_field(item)

    def answers(self) -> dict[int, int | None]:
        return {
            item.pk: None
            if self.cleaned_data[f"item_{item.pk}"] == DONT_KNOW
            else int(self.cleaned_data[f"item_{item.pk}"])
            for item in self.items
        }


class _FundingFields(forms.Form):
    """What a ledger entry and a multi-year commitment have in common."""

    funder_name = forms.CharField(
        label=_("Funder"), max_length=200, widget=forms.TextInput(attrs={"list": "funders"})
    )
    funder_type = forms.ChoiceField(
        label=_("Type of source"), choices=FunderType.choices, help_text=_("Used when the funder is new.")
    )
    recipient = forms.ChoiceField(label=_("To"), choices=FundingRecipient.choices)
    recipient_organization = forms.ModelChoiceField(
        label=_("Partner organisation"), queryset=Organization.objects.none(), required=False
    )
    purpose = forms.ChoiceField(
        label=_("What it funds"),
        choices=[
            ("", _("As the recipient says (the backbone's work, or the initiative's)")),
            *FundingPurpose.choices,
        ],
        required=False,
    )
    strategy = forms.TypedChoiceField(
        label=_("Key strategy"),
        coerce=int,
        required=False,
        empty_value=None,
        help_text=_("When the money funds a key strategy's activities."),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=FundingKind.choices)

    def __init__(self, *args, initiative: Initiative, **kwargs):
        super().__init__(*args, **kwargs)
        cast(
            forms.ModelChoiceField, self.fields["recipient_organization"]
        ).queryset = initiative.organizations.order_by("name")
        from .selectors import strategy_choices

        cast(forms.ChoiceField, self.fields["strategy"]).choices = [
            ("", "---------"),
            *strategy_choices(initiative),
        ]


class FundingEntryForm(_FundingFields):
    # Text, not a number field: the service says exactly what is wrong with "12,5k" or "-300".
    amount = forms.CharField(
        label=_("Amount"), max_length=30, widget=forms.TextInput(attrs={"inputmode": "decimal"})
    )
    year = forms.IntegerField(label=_("For the year"), min_value=1990, max_value=2100)
    committed_on = forms.DateField(label=_("Committed on"), widget=DATE)
    requires_alignment = forms.BooleanField(
        label=_("The grant asks its grantees to align with the initiative's goals"), required=False
    )
    description = forms.CharField(label=_("Description"), max_length=300, required=False)

    def clean_amount(self):
        try:
            return services.parse_amount(self.cleaned_data["amount"])
        except ValidationError as exc:
            raise ValidationError(exc.message_dict["amount"]) from exc


class FundingCommitmentForm(_FundingFields):
    """A multi-year commitment: the first year, then an amount per year (empty years are skipped)."""

    YEARS = 5

    committed_on = forms.DateField(label=_("Committed on"), widget=DATE)
    first_year = forms.IntegerField(label=_("First year"), min_value=1990, max_value=2100)
    requires_alignment = forms.BooleanField(
        label=_("The grant asks its grantees to align with the initiative's goals"), required=False
    )
    description = forms.CharField(label=_("Description"), max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for n in range(self.YEARS):
            self.fields[f"amount_{n}"] = forms.CharField(
                label=_("Amount in year %(n)s") % {"n": n + 1},
                max_length=30,
                required=False,
                widget=forms.TextInput(attrs={"inputmode": "decimal"}),
            )

    def amounts(self) -> dict[int, str]:
        first = self.cleaned_data["first_year"]
        return {first + n: self.cleaned_data.get(f"amount_{n}", "") for n in range(self.YEARS)}

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        for name in ["first_year", *(f"amount_{n}" for n in range(self.YEARS))]:
            data.pop(name, None)
        return data


class FunderForm(forms.Form):
    funder_type = forms.ChoiceField(label=_("Type of source"), choices=FunderType.choices)
    is_anchor = forms.BooleanField(
        label=_("Anchor funder"),
        required=False,
        help_text=_(
            "The central funder involved from the start that gives most of the funding (the source, line "
            "140). Naming another one moves the mark."
        ),
    )
    joined = forms.ChoiceField(
        label=_("Joined"), choices=[("", _("Not recorded")), *FunderJoined.choices], required=False
    )
    joined_on = forms.DateField(label=_("Joined on"), widget=DATE, required=False)

    def __init__(self, *args, initiative: Initiative, **kwargs):
        super().__init__(*args, **kwargs)


class BackboneProfileForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Type of backbone"), choices=BackboneKind.choices, widget=forms.RadioSelect
    )
    organizations = forms.ModelMultipleChoiceField(
        label=_("Organisations acting as the backbone"),
        queryset=Organization.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    structure = forms.CharField(
        label=_("Structure"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Staff, hosting, who it answers to: the form suited to the issue, the area and the partners."
        ),
    )
    interests = forms.CharField(
        label=_("Interests declared"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Programmes the backbone also runs, funding it also receives as a partner, and the like."
        ),
    )
    neutrality = forms.CharField(
        label=_("How neutrality is kept"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What keeps the backbone free of interests and credible to every partner."),
    )

    def __init__(self, *args, initiative: Initiative, **kwargs):
        super().__init__(*args, **kwargs)
        cast(
            forms.ModelChoiceField, self.fields["organizations"]
        ).queryset = initiative.organizations.order_by("name")


class PolicyEntryForm(forms.ModelForm):
    class Meta:
        model = PolicyEntry
        fields = [
            "occurred_on",
            "kind",
            "title",
            "description",
            "level",
            "policymakers",
            "alignment",
            "source_url",
        ]
        widgets = {"occurred_on": DATE, "description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, initiative: Initiative | None = None, **kwargs):
        super().__init__(*args, **kwargs)


class CommunityEventForm(forms.ModelForm):
    class Meta:
        model = CommunityEvent
        fields = [
            "held_on",
            "kind",
            "title",
            "reached",
            "supporters",
            "took_action",
            "community_led",
            "notes",
        ]
        widgets = {"held_on": DATE, "notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, initiative: Initiative | None = None, **kwargs):
        super().__init__(*args, **kwargs)


class IndicatorLabelForm(forms.Form):
    name_en = forms.CharField(
        label=_("Wording (English)"),
        max_length=400,
        required=False,
        help_text=_("Leave empty to use the standard wording again."),
    )
    name_he = forms.CharField(label=_("Wording (Hebrew)"), max_length=400, required=False)


class IndicatorForm(forms.Form):
    function = forms.ModelChoiceField(
        label=_("Function"), queryset=BackboneFunction.objects.order_by("order")
    )
    name_en = forms.CharField(label=_("Name (English)"), max_length=400)
    name_he = forms.CharField(label=_("Name (Hebrew)"), max_length=400, required=False)


class ItemForm(forms.Form):
    indicator = forms.ModelChoiceField(label=_("Indicator"), queryset=Indicator.objects.none())
    group = forms.ChoiceField(label=_("Answered by"), choices=RespondentGroup.choices)
    text_en = forms.CharField(label=_("Statement (English)"), max_length=500)
    text_he = forms.CharField(label=_("Statement (Hebrew)"), max_length=500, required=False)

    def __init__(self, *args, initiative: Initiative, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["indicator"]).queryset = Indicator.objects.filter(
            Q(initiative=None) | Q(initiative=initiative)
        ).order_by("number")
