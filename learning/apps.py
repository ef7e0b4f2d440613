from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LearningConfig(AppConfig):
    name = "learning"
    verbose_name = _("What the field knows")

    def progress_report_sections(self, initiative, *, start, end, previous):
        """The turn-the-curve conversation of the period in progress reports (communication.reports)."""
        from .reports import curve_section

        return [curve_section(initiative, start, end)]
