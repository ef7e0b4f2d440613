from typing import cast

from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from . import fit
from .choices import Phase, Role, Sector, TokenScope
from .models import FitAssessment, Initiative, Milestone, Organization, ReadinessAssessment

User = get_user_model()


class InitiativeCreateForm(forms.ModelForm):
    organization = forms.ModelChoiceField(
        queryset=Organization.objects.all(),
        required=False,
        label=_("Your organization"),
        help_text=_("The backbone organization you work for. Leave empty to create a new one below."),
    )
    new_organization = forms.CharField(label=_("New organization name"), max_length=200, required=False)
    new_organization_sector = forms.ChoiceField(
        label=_("Its sector"),
        choices=[("", "---------"), *Sector.choices],
        required=False,
    )

    class Meta:
        model = Initiative
        fields = ["name", "slug", "issue", "place", "topic", "description"]

    def clean(self):
        super().clean()
        data = self.cleaned_data
        if not data.get("organization"):
            name = (data.get("new_organization") or "").strip()
            if not name:
                self.add_error("organization", _("Choose your organization or name a new one."))
            elif Organization.objects.filter(name__iexact=name).exists():
                self.add_error("new_organization", _("This organization exists already: choose it above."))
            elif not data.get("new_organization_sector"):
                self.add_error("new_organization_sector", _("Choose the new organization's sector."))
        return data


class InitiativeForm(forms.ModelForm):
    class Meta:
        model = Initiative
        fields = ["name", "issue", "place", "topic", "description"]


class OrganizationForm(forms.ModelForm):
    class Meta:
        model = Organization
        fields = ["name", "sector", "website", "contact_name", "contact_email"]


class AddOrganizationForm(forms.Form):
    organization = forms.ModelChoiceField(queryset=Organization.objects.none(), label=_("Organization"))

    def __init__(self, *args, initiative, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["organization"]).queryset = Organization.objects.exclude(
            participations__initiative=initiative
        )


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Email"))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    organization = forms.ModelChoiceField(queryset=Organization.objects.none(), label=_("Organization"))

    def __init__(self, *args, initiative, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["organization"]).queryset = Organization.objects.filter(
            participations__initiative=initiative
        )


class MembershipForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    organization = forms.ModelChoiceField(queryset=Organization.objects.none(), label=_("Organization"))

    def __init__(self, *args, initiative, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["organization"]).queryset = Organization.objects.filter(
            participations__initiative=initiative
        )


class AcceptNewUserForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    password1 = forms.CharField(label=_("Password"), widget=forms.PasswordInput, strip=False)
    password2 = forms.CharField(label=_("Password again"), widget=forms.PasswordInput, strip=False)

    def __init__(self, *args, email: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean_username(self):
        username = self.cleaned_data["username"]
        User.username_validator(username)
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("This username is taken."))
        return username

    def clean(self):
        super().clean()
        data = self.cleaned_data
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("The two passwords differ."))
        elif p1:
            candidate = User(
                username=data.get("username", ""),
                email=self.email,
                first_name=data.get("first_name", ""),
                last_name=data.get("last_name", ""),
            )
            try:
                password_validation.validate_password(p1, candidate)
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return data


class MilestoneForm(forms.ModelForm):
    class Meta:
        model = Milestone
        fields = ["status", "evidence"]
        widgets = {"evidence": forms.Textarea(attrs={"rows": 4})}


class PhaseChangeForm(forms.Form):
    to_phase = forms.TypedChoiceField(label=_("Move to"), coerce=int, choices=Phase.choices)
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=4000
    )

    def __init__(self, *args, initiative, **kwargs):
        super().__init__(*args, **kwargs)
        current = initiative.phase
        cast(forms.ChoiceField, self.fields["to_phase"]).choices = [
            (p.value, p.label) for p in Phase if abs(p.value - current) == 1
        ]


class ReadinessForm(forms.ModelForm):
    class Meta:
        model = ReadinessAssessment
        fields = [
            "champion",
            "champion_evidence",
            "funding",
            "funding_evidence",
            "urgency",
            "urgency_evidence",
        ]
        widgets = {
            "champion": forms.RadioSelect,
            "funding": forms.RadioSelect,
            "urgency": forms.RadioSelect,
            "champion_evidence": forms.Textarea(attrs={"rows": 3}),
            "funding_evidence": forms.Textarea(attrs={"rows": 3}),
            "urgency_evidence": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "champion": _(
                "Someone (or a small group) who can bring CEO-level leaders of several sectors together "
                "and keep them engaged, without imposing answers."
            ),
            "funding": _(
                "Enough to carry the initiative at least two to three years, ideally with an anchor funder."
            ),
            "urgency": _("A crisis, new research, or a shared declaration that the situation must change."),
        }


class FitForm(forms.ModelForm):
    """The source's Table 1, row by row: each answer is one of the row's two cells."""

    class Meta:
        model = FitAssessment
        fields = [*fit.ANSWER_ORDER, "notes"]
        widgets = {
            **dict.fromkeys(fit.ANSWER_ORDER, forms.RadioSelect),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in fit.ANSWER_ORDER:
            field = cast(forms.ChoiceField, self.fields[name])
            # Two cells, no blank: an unanswered row is an error, not a third answer.
            field.choices = [c for c in cast(list, field.choices) if c[0] != ""]
            field.required = name != "hard_to_implement"
        self.fields["hard_to_implement"].help_text = _("Only when a known solution exists.")
        # Each row is asked in the table's own words, with its line in the source.
        for row in fit.ROWS:
            self.fields[row.field].label = row.question
            self.fields[row.field].help_text = format_lazy(_("source, line {}"), row.line)
        self.fields["social_problem"].help_text = format_lazy(_("source, lines {}"), "112–114")

    def clean(self):
        super().clean()
        data = self.cleaned_data
        if data.get("solution_exists") == fit.SolutionExists.KNOWN and not data.get("hard_to_implement"):
            self.add_error(
                "hard_to_implement",
                _("A solution is known: say whether it is costly or complicated to implement."),
            )
        return data


class ApiTokenForm(forms.Form):
    EXPIRY_CHOICES = [(30, _("30 days")), (90, _("90 days")), (180, _("180 days")), (365, _("1 year"))]

    label = forms.CharField(
        label=_("Label"), max_length=100, help_text=_("Which system will use it, e.g. “City data portal”.")
    )
    scope = forms.ChoiceField(
        label=_("Scope"),
        choices=TokenScope.choices,
        initial=TokenScope.READ,
        widget=forms.RadioSelect,
        help_text=_(
            "Read only: reads everything backbone staff can read here, including every organization's "
            "raw values, and changes nothing. Submit: reads and submits data as a partner contributor "
            "of the organization below."
        ),
    )
    organization = forms.ModelChoiceField(
        queryset=Organization.objects.none(),
        required=False,
        label=_("On behalf of"),
        help_text=_("Only for a token that submits data."),
    )
    days = forms.TypedChoiceField(label=_("Expires after"), choices=EXPIRY_CHOICES, coerce=int, initial=90)

    def __init__(self, *args, initiative, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["organization"]).queryset = Organization.objects.filter(
            participations__initiative=initiative
        )

    def clean(self):
        super().clean()
        data = self.cleaned_data
        if data.get("scope") == TokenScope.SUBMIT and not data.get("organization"):
            self.add_error("organization", _("Choose the organization whose data the token submits."))
        return data
