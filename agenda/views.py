from django.utils.translation import gettext_lazy as _

from initiatives.views import ComponentView


class AgendaHomeView(ComponentView):
    section = "agenda"
    component_title = _("Common agenda")
    component_summary = _(
        "A shared vision of change: the problem backed by data, the goal, the boundaries, the key strategies, the guiding principles and the evaluation approach — versioned, compared and endorsed by the partners."
    )
