from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BackboneConfig(AppConfig):
    name = "backbone"
    verbose_name = _("Backbone")

    def milestone_evidence(self, initiative):
        """Lifecycle milestones read the evidence each component offers (see initiatives.selectors)."""
        from .selectors import milestone_evidence

        return milestone_evidence(initiative)

    def funding_runway(self, initiative, from_year: int):
        """The overview's guidance reads the funding committed from a year on (initiatives.guidance)."""
        from .selectors import funding_runway

        return funding_runway(initiative, from_year)
