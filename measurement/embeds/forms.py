from django import forms
from django.utils.translation import gettext_lazy as _

from initiatives.origins import parse_origins


class EmbedOriginsForm(forms.Form):
    origins = forms.CharField(
        label=_("Sites that may embed the charts"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "dir": "ltr", "spellcheck": "false"}),
        help_text=_(
            "One origin per line, e.g. https://www.example.org: the scheme, the host and the port if it "
            "is not the usual one. Only these sites may show the charts in a frame; with none, no site may."
        ),
    )

    def clean_origins(self) -> list[str]:
        return parse_origins(self.cleaned_data["origins"])
