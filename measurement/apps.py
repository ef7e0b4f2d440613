from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeasurementConfig(AppConfig):
    name = "measurement"
    verbose_name = _("Shared measurement")

    def ready(self):
        from . import receivers  # noqa: F401 - connects the signal receivers

    def milestone_evidence(self, initiative):
        from .selectors import milestone_evidence

        return milestone_evidence(initiative)
