"""Forms of webhooks. They only collect input; the services decide (the address is checked there)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import EventType


class SubscriptionForm(forms.Form):
    url = forms.URLField(
        label=_("Receiver URL"),
        max_length=2000,
        assume_scheme="https",
        widget=forms.URLInput(attrs={"dir": "ltr", "placeholder": "https://"}),
        help_text=_(
            "Public addresses only. Each request is signed (Standard Webhooks); see docs/webhooks.md."
        ),
    )
    description = forms.CharField(label=_("Description"), max_length=200, required=False)
    events = forms.MultipleChoiceField(
        label=_("Events"), choices=EventType.choices, widget=forms.CheckboxSelectMultiple
    )


class SubscriptionEditForm(SubscriptionForm):
    is_active = forms.BooleanField(
        label=_("Active"),
        required=False,
        help_text=_("Enabling a subscription again clears its count of failed attempts."),
    )
