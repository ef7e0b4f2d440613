"""The Django admin works for every model: list, add and change pages answer 200, and no form lists
a whole table in a <select> (ci_platform/admin.py)."""

import pytest
from django import forms
from django.contrib import admin
from django.contrib.admin import widgets
from django.urls import reverse

from .permission_matrix import build_world, module_world, sign_in_as


def _build_admin_world():
    from django.contrib.auth import get_user_model

    world = build_world()
    world.people["root"] = get_user_model().objects.create_superuser(
        "root", "root@example.org", "x-Admin-pass-1"
    )
    return world


# Built once for the module: each test runs in a savepoint of it, with its own copy (module_world).
admin_world_once, admin_world = module_world("admin_world", _build_admin_world)


@pytest.fixture
def admin_client_with_data(client, admin_world):
    sign_in_as(client, admin_world, "root")
    return client


MODELS = sorted(admin.site._registry, key=lambda m: m._meta.label)


@pytest.mark.django_db
@pytest.mark.parametrize("model", MODELS, ids=[m._meta.label for m in MODELS])
def test_admin_pages(admin_client_with_data, model):
    opts = model._meta
    changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    assert admin_client_with_data.get(changelist).status_code == 200
    assert admin_client_with_data.get(changelist + "?q=x").status_code == 200
    add = admin_client_with_data.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_add"))
    assert add.status_code in (200, 403)  # 403 only where adding is deliberately not allowed
    obj = model.objects.first()
    if obj is not None:
        change = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
        assert admin_client_with_data.get(change).status_code == 200


# Tables whose size the code fixes, not the data: Django's permissions and groups (the user page's).
BOUNDED = {"auth.Permission", "auth.Group"}
LOOKUPS = (widgets.AutocompleteSelect, widgets.AutocompleteSelectMultiple, widgets.ForeignKeyRawIdWidget)


def relation_widgets(model_admin, request):
    """(field name, widget class, related model label) of every relation on the admin's form."""
    if isinstance(model_admin, admin.options.InlineModelAdmin):
        form = model_admin.get_formset(request).form
    else:
        form = model_admin.get_form(request)
    for name, field in form.base_fields.items():
        if isinstance(field, forms.ModelChoiceField):
            widget = field.widget
            widget = widget.widget if isinstance(widget, widgets.RelatedFieldWidgetWrapper) else widget
            yield name, widget, field.queryset.model._meta.label


def test_no_admin_form_lists_a_whole_table(rf, admin_user):
    """Every relation of every admin form and inline is a lookup (autocomplete or raw id), not a
    <select> of every row: users, organisations and measures grow with every initiative."""
    request = rf.get("/admin/")
    request.user = admin_user
    selects, checked = [], 0
    for model_admin in admin.site._registry.values():
        for each in [model_admin, *model_admin.get_inline_instances(request)]:
            for name, widget, target in relation_widgets(each, request):
                checked += 1
                if target not in BOUNDED and not isinstance(widget, LOOKUPS):
                    selects.append(f"{each.model._meta.label}.{name} ({type(widget).__name__} of {target})")
    assert checked > 150  # the walk really reached the forms
    assert not selects, "relations shown as a list of every row:\n" + "\n".join(sorted(selects))


@pytest.mark.django_db
def test_a_relation_is_searched_as_you_type(admin_client, admin_world):
    """The autocomplete behind a relation answers from the related admin's search fields."""
    query = {"app_label": "measurement", "model_name": "assignment", "field_name": "organization"}
    response = admin_client.get("/admin/autocomplete/", {**query, "term": "Partner"})
    assert response.status_code == 200
    assert [r["id"] for r in response.json()["results"]] == [str(admin_world.orgs["partner"].pk)]


@pytest.mark.django_db
def test_the_search_answers_staff_who_may_view_the_model_only(client, admin_world, django_user_model):
    """Anonymous and members (not staff) are sent to the admin's sign-in; staff without the view
    permission on organisations are refused; nobody of them sees a name."""
    query = {
        "app_label": "measurement",
        "model_name": "assignment",
        "field_name": "organization",
        "term": "Org",
    }
    response = client.get("/admin/autocomplete/", query)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    sign_in_as(client, admin_world, "backbone")
    response = client.get("/admin/autocomplete/", query)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    client.force_login(django_user_model.objects.create_user("staff", is_staff=True))
    response = client.get("/admin/autocomplete/", query)
    assert response.status_code == 403
    assert b"Partner Org" not in response.content
