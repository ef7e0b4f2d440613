from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import ReportCard


class ReportCardForm(forms.ModelForm):
    class Meta:
        model = ReportCard
        fields = ["published", "title", "introduction", "measures", "suppression_threshold"]
        widgets = {
            "measures": forms.CheckboxSelectMultiple,
            "introduction": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "suppression_threshold": _(
                "A broken-down cell resting on fewer than this many people (its count, or its denominator's) is hidden."
            ),
        }

    def __init__(self, *args, initiative, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["measures"]).queryset = initiative.measures.order_by("code")
