from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BackboneConfig(AppConfig):
    name = "backbone"
    verbose_name = _("Backbone")

    def milestone_evidence(self, initiative):
        """Lifecycle milestones read the evidence each component offers (see initiatives.selectors)."""
        from .selectors import milestone_evidence

        return milestone_evidence(initiative)
