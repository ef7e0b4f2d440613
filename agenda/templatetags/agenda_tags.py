from typing import cast

from django import template
from django.db.models import Field
from django.utils.translation import gettext as _

from agenda.models import AgendaVersion

register = template.Library()


@register.filter
def section_label(name: str) -> str:
    field = cast(Field, AgendaVersion._meta.get_field(name))  # a section is a column of the version
    return str(field.verbose_name).capitalize()


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
