from django.utils.translation import gettext_lazy as _

from initiatives.views import ComponentView


class WorkgroupsHomeView(ComponentView):
    section = "workgroups"
    component_title = _("Mutually reinforcing activities")
    component_summary = _(
        "The steering committee, a working group per key strategy with its action plan, the alignment of partners' work, and the collaboration network."
    )
