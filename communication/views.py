from django.utils.translation import gettext_lazy as _

from initiatives.views import ComponentView


class CommunicationHomeView(ComponentView):
    section = "communication"
    component_title = _("Continuous communication")
    component_summary = _(
        "Meetings and decisions, the updates feed, the document library, notifications and periodic progress reports."
    )
