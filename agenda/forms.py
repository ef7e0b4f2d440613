from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import AgendaKind, Decision
from .models import AgendaSettings, AgendaVersion, ProblemFigure


class DraftForm(forms.ModelForm):
    revision = forms.IntegerField(widget=forms.HiddenInput)
    # Revisions count per draft: the draft's id tells a form of a draft published or discarded
    # since then from one of the current draft at the same revision.
    draft_id = forms.IntegerField(widget=forms.HiddenInput)
    principles = forms.CharField(
        label=_("Guiding principles"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One principle per line: how partners behave towards each other."),
    )

    class Meta:
        model = AgendaVersion
        fields = ["kind", "problem_statement", "goal", *AgendaVersion.BOUNDARIES, "evaluation_approach"]
        widgets = {
            "problem_statement": forms.Textarea(attrs={"rows": 5}),
            "goal": forms.Textarea(attrs={"rows": 3}),
            "boundary_geographic": forms.Textarea(attrs={"rows": 2}),
            "boundary_institutional": forms.Textarea(attrs={"rows": 2}),
            "boundary_content": forms.Textarea(attrs={"rows": 2}),
            "boundary_process": forms.Textarea(attrs={"rows": 2}),
            "evaluation_approach": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "problem_statement": _(
                "The problem, backed by solid recent data (add the figures below). No solutions here."
            ),
        }

    def principle_list(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data.get("principles", "").splitlines() if line.strip()]


class FigureForm(forms.ModelForm):
    class Meta:
        model = ProblemFigure
        fields = ["statement", "source", "year"]

    def clean_year(self):
        year = self.cleaned_data.get("year")
        if year is not None and not 1900 <= year <= 2100:
            raise forms.ValidationError(_("Enter a year between 1900 and 2100."))
        return year


class StrategyForm(forms.Form):
    strategy_id = forms.IntegerField(widget=forms.HiddenInput, required=False)
    title = forms.CharField(label=_("Key strategy"), max_length=300)
    rationale = forms.CharField(
        label=_("Rationale"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


# absolute_max: the rows a post may make the formset build (Django's default is max_num + 1,000, each
# built, checked and drawn again when refused: learning/forms.py's cost 24 s of a worker). Twice
# max_num, so that a form sent with too many rows is refused with all it held.
FigureFormSet = forms.formset_factory(
    FigureForm, extra=1, can_delete=True, max_num=50, absolute_max=100, validate_max=True
)
StrategyFormSet = forms.formset_factory(
    StrategyForm, extra=1, can_delete=True, max_num=30, absolute_max=60, validate_max=True
)


class PublishForm(forms.Form):
    kind = forms.ChoiceField(label=_("Publish as"), choices=AgendaKind.choices)
    change_summary = forms.CharField(
        label=_("What changed"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=4000
    )


class EndorseForm(forms.Form):
    decision = forms.ChoiceField(label=_("Your decision"), choices=Decision.choices, widget=forms.RadioSelect)
    comment = forms.CharField(
        label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=4000
    )


class AgendaSettingsForm(forms.ModelForm):
    class Meta:
        model = AgendaSettings
        fields = ["adoption_rule"]
        widgets = {"adoption_rule": forms.RadioSelect}
