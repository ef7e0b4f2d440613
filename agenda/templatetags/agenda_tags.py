from django import template
from django.utils.translation import gettext as _

from agenda.models import AgendaVersion

register = template.Library()


@register.filter
def section_label(name: str) -> str:
    return AgendaVersion._meta.get_field(name).verbose_name.capitalize()


@register.filter
def item_sections(comparison):
    return [
        (_("Key strategies"), comparison.strategies),
        (_("Guiding principles"), comparison.principles),
        (_("Figures that back the problem"), comparison.figures),
    ]


@register.filter
def item_status_label(status: str) -> str:
    return {"added": _("added"), "removed": _("removed"), "changed": _("changed"), "same": _("unchanged")}[
        status
    ]
