"""The Django admin's base classes: every app's admin uses them instead of django.contrib.admin's.

A foreign key or many-to-many field is edited through a lookup, never through a `<select>` of every
row of its table: users, organisations, measures and submissions grow with every initiative, and a
change page that lists them all is slow to render and unusable to pick from. The field becomes an
autocomplete (a search as you type, Django's `autocomplete_fields`) where the admin of its model has
`search_fields`, and a raw id with a lookup popup (`raw_id_fields`) otherwise. A field declared
in `autocomplete_fields`, `raw_id_fields` or `radio_fields` keeps what was declared.
tests/test_admin.py holds every registered admin and inline to it.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin import widgets
from django.contrib.admin.exceptions import NotRegistered

from ci_platform.bases import AdminClass


class RelatedLookups(AdminClass):
    """Autocomplete or raw-id widgets for every relation not declared otherwise (see the module)."""

    def _lookup_widget(self, db_field, request, kwargs, *, multiple: bool):
        declared = {*self.get_autocomplete_fields(request), *self.raw_id_fields, *self.radio_fields}
        if "widget" in kwargs or db_field.name in declared:
            return
        using = kwargs.get("using")
        try:
            target = self.admin_site.get_model_admin(db_field.remote_field.model)
        except NotRegistered:
            target = None
        if target is not None and target.get_search_fields(request):
            search = widgets.AutocompleteSelectMultiple if multiple else widgets.AutocompleteSelect
            kwargs["widget"] = search(db_field, self.admin_site, using=using)
        else:
            raw = widgets.ManyToManyRawIdWidget if multiple else widgets.ForeignKeyRawIdWidget
            kwargs["widget"] = raw(db_field.remote_field, self.admin_site, using=using)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        self._lookup_widget(db_field, request, kwargs, multiple=False)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.remote_field.through._meta.auto_created:  # otherwise the admin shows no field
            self._lookup_widget(db_field, request, kwargs, multiple=True)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class ModelAdmin(RelatedLookups, admin.ModelAdmin):
    pass


class TabularInline(RelatedLookups, admin.TabularInline):
    pass


class StackedInline(RelatedLookups, admin.StackedInline):
    pass
