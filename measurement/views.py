from django.utils.translation import gettext_lazy as _

from initiatives.views import ComponentView


class MeasurementHomeView(ComponentView):
    section = "measurement"
    component_title = _("Shared measurement")
    component_summary = _(
        "Shared measures with baselines and targets, reporting periods, partner data submission by form and file, review and approval, and dashboards of the aggregates."
    )
