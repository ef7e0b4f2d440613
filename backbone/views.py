from django.utils.translation import gettext_lazy as _

from initiatives.views import ComponentView


class BackboneHomeView(ComponentView):
    section = "backbone"
    component_title = _("Backbone")
    component_summary = _(
        "The six backbone functions and the 27 effectiveness indicators, computed from surveys and the platform's own records, with the funding ledger and the policy log."
    )
