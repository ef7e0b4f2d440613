from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunicationConfig(AppConfig):
    name = "communication"
    verbose_name = _("Continuous communication")

    def milestone_evidence(self, initiative):
        """Lifecycle milestones read the evidence each component offers (see initiatives.selectors)."""
        from .selectors import milestone_evidence

        return milestone_evidence(initiative)

    def progress_report_sections(self, initiative, *, start, end, previous):
        """Progress reports read their sections from every component (see communication.reports)."""
        from .reports import own_sections

        return own_sections(initiative, start=start, end=end, previous=previous)
