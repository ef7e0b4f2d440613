from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BackboneConfig(AppConfig):
    name = "backbone"
    verbose_name = _("Backbone")
